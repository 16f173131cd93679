/**
 * Errors that cross module, process and transport boundaries as data (STYLE.md §9).
 * An expected failure (bad input, unreachable server, target gone) is a ProfilerError with a
 * code from this list; anything else is a bug and is reported as INTERNAL.
 */
export const ERROR_CODES = [
  /** A flag, argument or request field is malformed. */
  'BAD_INPUT',
  /** No process with the given pid. */
  'PID_NOT_FOUND',
  /** /proc of the target is not readable by this user. */
  'PERMISSION_DENIED',
  /** The target process exited while it was being watched. */
  'TARGET_EXITED',
  /** Nothing answers at the URL. */
  'UNREACHABLE',
  /** Something answers, but it is not KalamDB. */
  'NOT_KALAMDB',
  /** The server needs its initial setup before anyone can log in. */
  'SETUP_REQUIRED',
  /** Wrong user, password or token. */
  'AUTH_FAILED',
  /** The token was valid once and has expired. */
  'TOKEN_EXPIRED',
  /** The server answered 429. Counted by workloads, not fatal there. */
  'RATE_LIMITED',
  /** The server answered with an error envelope (SQL failure, permission …). */
  'SERVER_ERROR',
  /** The server broke the protocol: malformed JSON, a gzip frame that does not inflate … */
  'PROTOCOL',
  /** A WebSocket closed when nobody asked it to. */
  'DISCONNECTED',
  /** Work was cancelled by the user. */
  'CANCELLED',
  /** A wait ran out of time. */
  'TIMEOUT',
  /** A session directory or file is missing or unreadable. */
  'SESSION_INVALID',
  /** A bug: an error nobody expected. */
  'INTERNAL'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** The serializable form of an error. */
export interface ErrorData {
  code: ErrorCode
  message: string
  hint?: string
}

export class ProfilerError extends Error {
  readonly code: ErrorCode
  readonly hint: string | undefined

  constructor(code: ErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ProfilerError'
    this.code = code
    this.hint = options?.hint
  }

  toData(): ErrorData {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint }
  }
}

export function isProfilerError(e: unknown): e is ProfilerError {
  return e instanceof ProfilerError
}

/** Any thrown value as ErrorData; unexpected errors become INTERNAL without a stack. */
export function toErrorData(e: unknown): ErrorData {
  if (isProfilerError(e)) return e.toData()
  const message = e instanceof Error ? e.message : String(e)
  return { code: 'INTERNAL', message }
}
