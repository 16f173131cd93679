/** Errors shared by the engine's statement handlers, with KalamDB's codes. */
import { SqlError } from '../sql/errors'

export function validName(name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SqlError(
      'SQL_EXECUTION_ERROR',
      `Invalid ${what} name '${name}': use letters, digits and underscores`,
      true
    )
  }
  return name.toLowerCase()
}

export function tableNotFound(key: string): SqlError {
  return new SqlError('SQL_EXECUTION_ERROR', `Table '${key}' not found`)
}

export function permissionDenied(message: string): SqlError {
  return new SqlError('PERMISSION_DENIED', message)
}
