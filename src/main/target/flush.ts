/**
 * Manual flush (PROTOCOL.md §7): `STORAGE FLUSH TABLE ns.t` answers at once with a job id
 * in its message ("… Job ID: FL-1a2b3c4d5e6f") or a "skipped" message; the job runs
 * asynchronously and is polled in `system.jobs` until it reaches a terminal status.
 */
import { performance } from 'node:perf_hooks'
import type { FlushOutcome, SqlResponse } from './types'
import { flushTableSql, sqlString } from './sql-text'
import { cellText } from './sql'

/** Job ids are `<prefix>-<12 hex>`; FL = flush. */
const JOB_ID = /Job ID:\s*([A-Z]{2}-[0-9A-Za-z]+)/

/** Statuses after which a job never changes again. */
const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'skipped'])

export const DEFAULT_FLUSH_TIMEOUT_MS = 60_000
/** First poll soon (small flushes finish in tens of ms), then back off to at most 1 s. */
const POLL_START_MS = 50
const POLL_MAX_MS = 1000

export type FlushStart =
  | { kind: 'job'; jobId: string; message: string }
  | { kind: 'skipped'; message: string }
  | { kind: 'unknown'; message: string }

export function parseFlushMessage(response: SqlResponse): FlushStart {
  const message = response.results.map((r) => r.message ?? '').find((m) => m !== '') ?? ''
  const job = JOB_ID.exec(message)
  if (job) return { kind: 'job', jobId: job[1] as string, message }
  if (/skipped/i.test(message)) return { kind: 'skipped', message }
  return { kind: 'unknown', message }
}

export function jobStatusSql(jobId: string): string {
  return `SELECT job_id, status, message FROM system.jobs WHERE job_id = ${sqlString(jobId)}`
}

export interface FlushDeps {
  sql(text: string, signal?: AbortSignal): Promise<SqlResponse>
  /** Like sql, but never throws for a server answer (429 while polling is just "later"). */
  trySql(text: string, signal?: AbortSignal): Promise<SqlResponse | null>
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

export async function flushTable(
  deps: FlushDeps,
  table: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {}
): Promise<FlushOutcome> {
  const started = performance.now()
  const elapsed = (): number => performance.now() - started
  const start = parseFlushMessage(await deps.sql(flushTableSql(table), options.signal))
  if (start.kind === 'skipped') {
    return { status: 'skipped', jobId: null, durationMs: elapsed(), message: start.message }
  }
  if (start.kind === 'unknown') {
    // Every real answer names a job or says skipped (§7); an untrackable flush is not a success.
    return {
      status: 'failed',
      jobId: null,
      durationMs: elapsed(),
      message: `no job id in the server's answer: '${start.message}'`
    }
  }
  const deadline = started + (options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS)
  let wait = POLL_START_MS
  let lastMessage = start.message
  let lastStatus = 'new'
  for (;;) {
    if (options.signal?.aborted) {
      return {
        status: 'cancelled',
        jobId: start.jobId,
        durationMs: elapsed(),
        message: `stopped waiting for ${start.jobId} (last status ${lastStatus})`
      }
    }
    const res = await deps.trySql(jobStatusSql(start.jobId), options.signal)
    const row = res?.results[0]?.rows[0]
    if (row) {
      lastStatus = cellText(row[1]) ?? lastStatus
      lastMessage = cellText(row[2]) ?? lastMessage
      if (TERMINAL.has(lastStatus)) {
        return {
          status: lastStatus as FlushOutcome['status'],
          jobId: start.jobId,
          durationMs: elapsed(),
          message: lastMessage
        }
      }
    }
    const left = deadline - performance.now()
    if (left <= 0) {
      return {
        status: 'timeout',
        jobId: start.jobId,
        durationMs: elapsed(),
        message: `job ${start.jobId} still '${lastStatus}' after ${Math.round(elapsed())} ms`
      }
    }
    await sleep(Math.min(wait, left), options.signal)
    wait = Math.min(wait * 2, POLL_MAX_MS)
  }
}
