/**
 * The session's overall status (DESIGN.md "`analyze --json`" `status`): how the run ended
 * comes first (a crash or an interruption is the answer, whatever the criteria say), then
 * the criteria. No criteria → 'no-criteria'; a criterion that could not be measured
 * (`pass: null`) never passes (STYLE.md §14), so it fails the session.
 */
import type { AnalysisStatus } from '../../shared/analysis'
import type { CriterionResult, SessionEvent, SessionMeta } from '../../shared/session'

export function sessionStatus(
  meta: Pick<SessionMeta, 'status'>,
  events: readonly SessionEvent[],
  criteria: readonly CriterionResult[] | null
): AnalysisStatus {
  if (meta.status === 'target-crashed' || events.some((e) => e.type === 'crash')) {
    return 'target-crashed'
  }
  if (meta.status === 'interrupted' || meta.status === 'running') return 'interrupted'
  if (!criteria || criteria.length === 0) return 'no-criteria'
  return criteria.every((c) => c.pass === true) ? 'passed' : 'failed'
}
