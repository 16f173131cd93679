/**
 * What a failed /proc read means for the user: the process is gone, never existed, or
 * belongs to someone we may not inspect. One sentence each, with how to fix what can be.
 */
import { ProfilerError } from '../../shared/errors'

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined
}

/** ENOENT (no /proc entry) or ESRCH (the process was reaped under an open handle). */
export function isGoneError(e: unknown): boolean {
  const code = errnoOf(e)
  return code === 'ENOENT' || code === 'ESRCH'
}

export function isPermissionError(e: unknown): boolean {
  const code = errnoOf(e)
  return code === 'EACCES' || code === 'EPERM'
}

/** The hint for a /proc file we may not read when we cannot tell whose the process is. */
export const PERMISSION_HINT =
  "run the profiler as the process's user (or root), or allow ptrace reads: " +
  'sudo sysctl kernel.yama.ptrace_scope=0 (where Yama is enabled)'
/** Another user's process: ptrace_scope does not help there, only their uid or root does. */
const OTHER_USER_HINT = "run the profiler as the process's user (or root)"
/** Our own process, yet refused: Yama, a container or an LSM restricts ptrace reads. */
const PTRACE_HINT =
  'allow ptrace reads of your own processes: sudo sysctl kernel.yama.ptrace_scope=0 ' +
  '(where Yama is enabled), or run the profiler as root'

/**
 * @param ownerUid the process's uid when known: it tells "another user's process" apart from
 *   "ours, but ptrace is restricted" (Yama, containers, LSMs).
 */
export function permissionDenied(
  pid: number,
  file: string,
  cause?: unknown,
  ownerUid: number | null = null
): ProfilerError {
  const ourUid = typeof process.getuid === 'function' ? process.getuid() : null
  const known = ownerUid !== null && ourUid !== null
  const why = !known
    ? `pid ${pid} belongs to another user or ptrace is restricted`
    : ownerUid !== ourUid
      ? `pid ${pid} belongs to uid ${ownerUid}, the profiler runs as uid ${ourUid}`
      : `pid ${pid} is ours but ptrace access to it is restricted`
  const hint = !known ? PERMISSION_HINT : ownerUid !== ourUid ? OTHER_USER_HINT : PTRACE_HINT
  return new ProfilerError(
    'PERMISSION_DENIED',
    `cannot read /proc/${pid}/${file}: permission denied (${why})`,
    { hint, cause }
  )
}

export function pidNotFound(pid: number): ProfilerError {
  return new ProfilerError('PID_NOT_FOUND', `no process with pid ${pid}`, {
    hint: 'list candidate processes with `kalam-profiler targets --all`'
  })
}

/**
 * Maps an error of reading /proc/PID/<file> to a ProfilerError, or returns null when it
 * means the process is gone (the caller reports an exit, not an error).
 */
export function procReadError(
  e: unknown,
  pid: number,
  file: string,
  ownerUid: number | null = null
): ProfilerError | null {
  if (isGoneError(e)) return null
  if (isPermissionError(e)) return permissionDenied(pid, file, e, ownerUid)
  const message = e instanceof Error ? e.message : String(e)
  return new ProfilerError('INTERNAL', `reading /proc/${pid}/${file} failed: ${message}`, {
    cause: e
  })
}
