/**
 * What a run has observed so far, in memory, for live criteria and final verdicts. The
 * session directory holds the same on disk; this is the runner's working copy.
 */
import type { ScenarioId } from '../../shared/run'
import type { Sample } from '../../shared/sample'
import type { CriterionResult, PhaseName, WorkloadCounters } from '../../shared/session'
import type { ServerStats } from '../target/types'
import type { ErrorTally } from '../workload/counters'
import type { FlushRecord } from '../workload/flusher'
import type { LatencyRecorder } from '../workload/latency'
import type { RampResult } from '../workload/ramp'
import type { SubscriberStats } from '../workload/subscribers'
import type { Params } from './params'

export interface PhaseRecord {
  name: PhaseName | string
  from: number
  /** null while the phase runs. */
  to: number | null
}

export interface RunRecord {
  scenario: ScenarioId
  params: Params
  pid: number | null
  startedAt: number
  phases: PhaseRecord[]
  samples: Sample[]
  counters: WorkloadCounters
  latency: LatencyRecorder
  errors: ErrorTally
  /** Every system.stats poll answered. */
  stats: ServerStats[]
  flushes: FlushRecord[]
  subscribers: SubscriberStats[]
  ramp: RampResult | null
  /** Scenario-specific figures (T223's held/server counts …); null = not measured. */
  measures: Record<string, number | null>
  crash: { t: number; message: string } | null
}

export interface ScenarioDefinitionBase {
  id: ScenarioId
  /** Criteria from what was recorded; `final` is false for live evaluation during the run. */
  evaluate(record: RunRecord, final: boolean): CriterionResult[]
}
