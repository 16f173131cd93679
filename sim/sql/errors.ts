/**
 * A failure of one SQL statement, carrying the KalamDB error code it maps to (PROTOCOL.md §4)
 * and whether its text is "safe" to show to non-admin callers (already exists, constraint,
 * column not found …); unsafe texts are masked for them.
 */
export type SqlErrorCode =
  | 'INVALID_SQL'
  | 'SQL_EXECUTION_ERROR'
  | 'INVALID_PARAMETER'
  | 'PERMISSION_DENIED'
  | 'EMPTY_SQL'
  | 'BATCH_PARSE_ERROR'

export class SqlError extends Error {
  constructor(
    readonly code: SqlErrorCode,
    message: string,
    readonly safe = false
  ) {
    super(message)
    this.name = 'SqlError'
  }
}
