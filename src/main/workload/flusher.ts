/**
 * The flusher: STORAGE FLUSH TABLE every interval, waiting for the job (the client polls
 * system.jobs), recording each flush as an event with its duration and rows/s. Rows per
 * flush are the rows inserted since the previous flush started — the server does not say
 * how many it wrote, and those are the rows the flush had to move.
 */
import type { KalamClient } from '../target/types'
import { nowMs, sleep } from './clock'
import type { Stoppable, WorkloadSink } from './types'

export interface FlushRecord {
  t: number
  status: 'completed' | 'failed' | 'skipped' | 'timeout' | 'cancelled'
  jobId: string | null
  durationMs: number
  rows: number
  rowsPerSec: number | null
  message: string
}

export interface FlusherOptions {
  client: Pick<KalamClient, 'flushTable'>
  table: string
  intervalMs: number
  /** Upper bound of one flush job (default: 4 × interval, at least 30 s). */
  timeoutMs?: number
  sink: WorkloadSink
  signal: AbortSignal
  /** Called after each flush (T226 reads memory right after one). */
  onFlush?(f: FlushRecord): void
}

export interface Flusher extends Stoppable {
  readonly flushes: FlushRecord[]
}

/** What one flush needs: the table, its client, and where it is recorded. */
export type FlushTarget = Pick<FlusherOptions, 'client' | 'table' | 'sink'> & {
  timeoutMs: number
  signal: AbortSignal
}

/**
 * One flush, waited for and recorded as the flusher records each of its own: an event, the
 * flushed rows and the flush latency when it completed, an error when it did not. `rows` are
 * the rows it had to move (inserted since the last completed flush). Null when the wait was
 * cut short by `signal`: nothing is recorded then.
 */
export async function flushOnce(o: FlushTarget, rows: number): Promise<FlushRecord | null> {
  const { sink } = o
  const t0 = nowMs()
  let status: FlushRecord['status']
  let jobId: string | null = null
  let message: string
  try {
    const out = await o.client.flushTable(o.table, { timeoutMs: o.timeoutMs, signal: o.signal })
    status = out.status
    jobId = out.jobId
    message = out.message
  } catch (e) {
    if (o.signal.aborted) return null
    status = 'failed'
    message = e instanceof Error ? e.message : String(e)
  }
  if (o.signal.aborted && status === 'cancelled') return null
  const durationMs = Math.round(nowMs() - t0)
  const done = status === 'completed'
  const record: FlushRecord = {
    t: Date.now(),
    status,
    jobId,
    durationMs,
    rows: done ? rows : 0,
    rowsPerSec: done && durationMs > 0 ? Math.round((rows / durationMs) * 1000) : null,
    message
  }
  if (done) {
    sink.counters.flushedRows += rows
    sink.latency.recordMs('flush', durationMs)
  } else if (status !== 'skipped') {
    sink.errors.add('flusher', `FLUSH_${status.toUpperCase()}`, message, null)
  }
  sink.event({
    t: record.t,
    type: 'flush',
    table: o.table,
    jobId,
    status,
    durationMs,
    rows: done ? rows : null,
    message
  })
  return record
}

export function startFlusher(options: FlusherOptions): Flusher {
  const { sink } = options
  const ctl = new AbortController()
  const onAbort = (): void => ctl.abort()
  options.signal.addEventListener('abort', onAbort, { once: true })
  const flushes: FlushRecord[] = []
  const target: FlushTarget = {
    client: options.client,
    table: options.table,
    sink,
    timeoutMs: options.timeoutMs ?? Math.max(30_000, options.intervalMs * 4),
    signal: ctl.signal
  }
  let insertsAtLast = sink.counters.inserts

  const loop = (async () => {
    const start = nowMs()
    for (let k = 1; !ctl.signal.aborted; k++) {
      await sleep(start + k * options.intervalMs - nowMs(), ctl.signal)
      if (ctl.signal.aborted) break
      const insertsNow = sink.counters.inserts
      const record = await flushOnce(target, insertsNow - insertsAtLast)
      if (!record) break
      flushes.push(record)
      if (record.status === 'completed') insertsAtLast = insertsNow
      options.onFlush?.(record)
    }
  })()

  return {
    flushes,
    async stop() {
      ctl.abort()
      await loop
      options.signal.removeEventListener('abort', onAbort)
    }
  }
}
