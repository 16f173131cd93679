/** How a run ended: its status, the sentence saying why, its exit code (DESIGN.md CLI). */
import type { RunResult } from '../../shared/run'
import type { CriterionResult, SessionStatus } from '../../shared/session'
import { allPassed } from './criteria'

export function runStatus(o: {
  crashed: boolean
  cancelled: boolean
  broken: boolean
  verdicts: readonly CriterionResult[]
}): SessionStatus {
  if (o.crashed) return 'target-crashed'
  if (o.cancelled) return 'interrupted'
  if (o.broken) return 'error'
  return allPassed(o.verdicts) ? 'passed' : 'failed'
}

export function endReason(
  status: SessionStatus,
  verdicts: readonly CriterionResult[],
  detail: string
): string | null {
  switch (status) {
    case 'target-crashed':
      return `The target exited during the run: ${detail}`.trim()
    case 'interrupted':
      return 'The run was cancelled before it ended.'
    case 'error':
      return `The run could not go on: ${detail}`
    case 'failed': {
      const failed = verdicts.filter((v) => v.pass === false).length
      const unmeasured = verdicts.filter((v) => v.pass === null).length
      return `${failed} criterion${failed === 1 ? '' : 'a'} failed${unmeasured > 0 ? `, ${unmeasured} could not be measured` : ''}.`
    }
    default:
      return null
  }
}

/** 0 passed; 1 a criterion failed (a crash fails them all); 2 could not run to the end. */
export function runExitCode(status: SessionStatus): RunResult['exitCode'] {
  if (status === 'passed') return 0
  if (status === 'failed' || status === 'target-crashed') return 1
  return 2
}
