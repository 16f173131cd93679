/**
 * What every workload part shares: the narrow slices of the KalamDB client it uses (so tests
 * drive it with fakes), and the sink it reports into (counters, latency, events).
 */
import type { SessionEvent, WorkloadCounters } from '../../shared/session'
import { ProfilerError, type ErrorCode } from '../../shared/errors'
import type { KalamClient, SqlOutcome } from '../target/types'
import type { ErrorTally } from './counters'
import type { LatencyRecorder } from './latency'

/** The part of a client a writer or prober needs. */
export type SqlRunner = Pick<KalamClient, 'trySql'>

/** The part of a client a subscriber needs. */
export type LiveOpener = Pick<KalamClient, 'openLive'>

/** Where workload parts report: one per run, read by the runner for progress and verdicts. */
export interface WorkloadSink {
  counters: WorkloadCounters
  latency: LatencyRecorder
  errors: ErrorTally
  event(e: SessionEvent): void
}

/** A running part of the workload. */
export interface Stoppable {
  /** Stops at once (in-flight work is awaited up to a bound); idempotent. */
  stop(): Promise<void>
}

/** trySql that also turns a thrown error (abort, a bug in a fake) into an outcome. */
export async function safeTrySql(
  runner: SqlRunner,
  sql: string,
  options: { signal?: AbortSignal } = {}
): Promise<SqlOutcome> {
  try {
    return await runner.trySql(sql, options)
  } catch (e) {
    const err = e as { code?: string; message?: string; httpStatus?: number | null }
    const code = (options.signal?.aborted ? 'CANCELLED' : (err.code ?? 'INTERNAL')) as ErrorCode
    const error = Object.assign(new ProfilerError(code, err.message ?? String(e)), {
      httpStatus: err.httpStatus ?? null,
      serverCode: null
    })
    return { ok: false, error }
  }
}
