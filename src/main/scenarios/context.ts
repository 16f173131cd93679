/**
 * What a scenario definition sees of a run: phases, waits, snapshots, server figures and
 * the workload parts, already wired to the run's users, table, counters and session. The
 * runner implements it; definitions stay short lists of steps.
 */
import type { PhaseName } from '../../shared/session'
import type { ServerStats, SqlResponse } from '../target/types'
import type { Flusher, FlushRecord } from '../workload/flusher'
import type { Prober } from '../workload/prober'
import type { RampOptions, RampResult } from '../workload/ramp'
import type { SubscriberGroup } from '../workload/subscribers'
import type { WriterPool } from '../workload/writers'
import type { Params } from './params'
import type { RunRecord } from './record'
import type { Churn, ChurnPartOptions } from './workload-parts'

export interface PhaseOptions {
  /** Planned length, recorded with the phase event. */
  plannedMs?: number
  /**
   * Poll system.stats during this phase. Default: during `load` only — and in every phase
   * but `idle` when there is no pid (the server's figures are then the only ones).
   */
  pollServer?: boolean
}

export interface ScenarioContext {
  readonly params: Params
  readonly quick: boolean
  /** Aborted when the user cancels or the target exits: return promptly. */
  readonly signal: AbortSignal
  readonly record: RunRecord
  readonly pid: number | null
  phase(name: PhaseName, options?: PhaseOptions): void
  /** Waits, returning early (without throwing) when the run is aborted. */
  sleep(ms: number): Promise<void>
  /** A memory-map snapshot (when there is a pid), written to the session. */
  snapshot(label: string): Promise<void>
  /** One system.stats read now (outside the poll schedule); null when it fails. */
  readStats(): Promise<ServerStats | null>
  /** One SQL statement as the run's login; null when it fails (the failure is tallied). */
  query(sql: string): Promise<SqlResponse | null>
  writers(options: { ratePerSec: number; batchSize: number }): WriterPool
  subscribers(count: number): SubscriberGroup
  /** Connections opened and closed in cycles, beside the subscribers (count them in needs). */
  churn(options: ChurnPartOptions): Churn
  prober(intervalMs: number): Prober
  flusher(intervalMs: number, onFlush?: (f: FlushRecord) => void): Flusher
  /** One flush of the run's table, waited for and recorded; null when the run stopped. */
  flushNow(): Promise<FlushRecord | null>
  /** Runs a ramp over a writer pool; the result lands in record.ramp. */
  ramp(
    pool: WriterPool,
    options: Omit<RampOptions, 'pool' | 'sink' | 'signal'>
  ): Promise<RampResult>
  /** Stops every workload part and closes every connection, the run's own login included. */
  quiesce(): Promise<void>
  measure(name: string, value: number | null): void
  mark(label: string): void
  warn(message: string): void
}
