import type { ErrorCode } from '../../shared/errors'

/** Exit codes of every command (DESIGN.md CLI contract; `run` adds 1 = criteria failed). */
export const ExitCode = {
  ok: 0,
  /** The run finished and at least one criterion failed. */
  criteriaFailed: 1,
  /** Could not run: bad input, unreachable server, no permission … */
  couldNotRun: 2,
  /** The watched process went away while being sampled. */
  targetExited: 3,
  /** Interrupted by the user (SIGINT), like a shell's 128 + 2. */
  interrupted: 130
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export function exitCodeFor(code: ErrorCode): ExitCodeValue {
  switch (code) {
    case 'TARGET_EXITED':
      return ExitCode.targetExited
    case 'CANCELLED':
      return ExitCode.interrupted
    default:
      return ExitCode.couldNotRun
  }
}
