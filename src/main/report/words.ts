/**
 * Every label and sentence the reports use about a run's outcome, in one place (STYLE.md §13),
 * so Markdown, HTML, JUnit and the UI's export agree. Verdict sentences about memory come from
 * the analysis (its findings and reasons); these only frame them.
 */
import type { MemoryField } from '../../shared/sample'
import type { MetricVerdict } from '../../shared/analysis'

/** What a report says the run came to (the analysis status, or the session's when it errored). */
export type ReportStatus =
  'passed' | 'failed' | 'target-crashed' | 'interrupted' | 'no-criteria' | 'error'

export const STATUS_LABEL: Record<ReportStatus, string> = {
  passed: 'PASSED',
  failed: 'FAILED',
  'target-crashed': 'TARGET CRASHED',
  interrupted: 'INTERRUPTED',
  'no-criteria': 'RECORDED (no criteria)',
  error: 'ERROR'
}

export type CriterionOutcome = 'pass' | 'fail' | 'not measurable'

export const OUTCOME_LABEL: Record<CriterionOutcome, string> = {
  pass: 'pass',
  fail: 'FAIL',
  'not measurable': 'not measurable'
}

export const METRIC_LABEL: Record<MemoryField, string> = {
  rssBytes: 'RSS',
  heapBytes: 'Heap (RssAnon)',
  fileMappedBytes: 'File-mapped (RssFile)',
  stackBytes: 'Stack (VmStk)',
  pssBytes: 'PSS',
  ussBytes: 'USS',
  swapBytes: 'Swap'
}

export const VERDICT_LABEL: Record<MetricVerdict, string> = {
  leak: 'LEAK',
  stable: 'stable',
  inconclusive: 'inconclusive'
}

export function metricLabel(metric: string): string {
  return (METRIC_LABEL as Record<string, string>)[metric] ?? metric
}

/** The one-sentence summary under a report's title. */
export function summarySentence(input: {
  status: ReportStatus
  passed: number
  failed: number
  notMeasurable: number
  failedNames: string[]
  crashMessage: string | null
  endReason: string | null
  durationText: string
}): string {
  const { passed, failed, notMeasurable } = input
  const total = passed + failed + notMeasurable
  const counts =
    total === 0
      ? 'No pass criteria were set for this run.'
      : `${passed} of ${total} criteria passed` +
        (failed > 0 ? `, ${failed} failed (${input.failedNames.join('; ')})` : '') +
        (notMeasurable > 0 ? `, ${notMeasurable} could not be measured` : '') +
        '.'
  const lead: Record<ReportStatus, string> = {
    passed: `The run finished after ${input.durationText}.`,
    failed: `The run finished after ${input.durationText}.`,
    'target-crashed': `The target process exited during the run, after ${input.durationText}${input.crashMessage ? `: ${input.crashMessage}` : ''}.`,
    interrupted: `The run was interrupted after ${input.durationText}; what was recorded up to then is reported.`,
    'no-criteria': `Recording of ${input.durationText}.`,
    error: `The run could not go on after ${input.durationText}.`
  }
  const reason =
    input.endReason && input.status !== 'target-crashed'
      ? ` ${input.endReason.replace(/\.?$/, '.')}`
      : ''
  return `${lead[input.status]}${reason} ${counts}`
}

/** Why a criterion was reported as skipped/errored in JUnit when the run did not finish. */
export const NOT_MEASURABLE_REASON = {
  interrupted: 'the run was interrupted before this could be measured',
  crashed: 'the target process exited before this could be measured',
  default: 'not enough data to measure this (no data never passes)'
} as const
