/**
 * Flush throughput (seed: bench_flush_operations, target > 10,000 rows/s): into a table of
 * its own, insert N rows, then STORAGE FLUSH TABLE and wait for the job; one sample = N ÷
 * the job's time. The job's time is taken from system.jobs (created_at → finished_at, the
 * server's clock in µs) when it reports them, so the client's polling interval does not
 * pad it; otherwise from the client's wait.
 */
import { ProfilerError } from '../../../shared/errors'
import type { KalamClient } from '../../target/types'
import { nowUs, sleep } from '../../workload/clock'
import { insertSql, payloadOf } from '../../workload/schema'
import { makeFigure, type BenchContext } from '../context'
import type { BenchRun } from './types'

const PAYLOAD = payloadOf(100)
const INSERT_BATCH = 500
const WARMUP_ROWS = 100
const FLUSH_TIMEOUT_MS = 120_000

function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
  return Number.isFinite(n) ? n : null
}

/** created_at → finished_at of a job in ms, or null when the server does not say. */
async function jobMs(
  client: KalamClient,
  jobId: string,
  signal: AbortSignal
): Promise<number | null> {
  const out = await client.trySql(
    `SELECT created_at, finished_at FROM system.jobs WHERE job_id = '${jobId.replace(/'/g, "''")}'`,
    { signal }
  )
  const row = out.ok ? out.response.results[0]?.rows[0] : undefined
  if (!row) return null
  const created = num(row[0])
  const finished = num(row[1])
  if (created === null || finished === null || finished < created) return null
  return (finished - created) / 1000
}

async function fill(ctx: BenchContext, table: string, rows: number): Promise<void> {
  const first = ctx.ids.take(rows)
  for (let done = 0; done < rows; done += INSERT_BATCH) {
    const n = Math.min(INSERT_BATCH, rows - done)
    await ctx.admin.pacer.slot(ctx.signal)
    await ctx.admin.client.sql(insertSql(table, first + done, n, 0, nowUs(), PAYLOAD), {
      signal: ctx.signal
    })
    ctx.inserted.rows += n
  }
}

export async function flushThroughput(ctx: BenchContext): Promise<BenchRun> {
  const { client } = ctx.admin
  const table = await ctx.createTable('flushbench', { manualFlush: true })
  const rows = ctx.params.flushRows
  const notes: string[] = []
  const flush = async (n: number): Promise<{ ms: number; source: 'server' | 'client' }> => {
    ctx.progress({ phase: 'setup', done: 0, of: n })
    await fill(ctx, table, n)
    let out = await client.flushTable(table, { timeoutMs: FLUSH_TIMEOUT_MS, signal: ctx.signal })
    // "skipped: a flush is already queued or running" — the server's own, or the previous
    // one still finishing: wait for it and ask again (a few times), never time someone else's.
    for (
      let retry = 0;
      out.status === 'skipped' && /already/i.test(out.message) && retry < 10;
      retry++
    ) {
      await sleep(250, ctx.signal)
      out = await client.flushTable(table, { timeoutMs: FLUSH_TIMEOUT_MS, signal: ctx.signal })
    }
    if (out.status !== 'completed') {
      throw new ProfilerError(
        'SERVER_ERROR',
        `flush of ${n} rows ended '${out.status}': ${out.message}`
      )
    }
    const server = out.jobId ? await jobMs(client, out.jobId, ctx.signal) : null
    return server !== null && server > 0
      ? { ms: server, source: 'server' }
      : { ms: out.durationMs, source: 'client' }
  }
  const w0 = performance.now()
  await flush(WARMUP_ROWS)
  const warmup = { operations: 1, ms: Math.round(performance.now() - w0) }
  const samples: number[] = []
  let clientTimed = 0
  for (let i = 0; i < ctx.params.flushSamples; i++) {
    const f = await flush(rows)
    if (f.source === 'client') clientTimed++
    samples.push((rows * 1000) / f.ms)
    ctx.progress({ phase: 'measure', done: i + 1, of: ctx.params.flushSamples })
  }
  notes.push(
    clientTimed === 0
      ? `job time from system.jobs (created_at → finished_at, server clock); ${rows.toLocaleString('en-US')} rows per flush`
      : `${clientTimed} of ${samples.length} flushes timed by the client's wait (system.jobs gave no times): includes polling delay`
  )
  return {
    figures: [
      makeFigure(
        'flush-throughput',
        'flush-throughput',
        'flush throughput',
        'rows/s',
        `one STORAGE FLUSH TABLE of ${rows.toLocaleString('en-US')} fresh rows: rows ÷ job time`,
        samples
      )
    ],
    notes,
    warmup
  }
}
