/**
 * The three request-latency benchmarks (seed: bench_rocksdb_writes, bench_rocksdb_reads,
 * bench_datafusion_queries), measured as a client sees them: one request at a time over a
 * kept-alive connection, send to answer, on an otherwise idle server.
 *
 *  - write: a one-row INSERT (the seed's "single write");
 *  - read: SELECT of one row by primary key, keys drawn at random from rows preloaded first;
 *  - query: the workload's simple bounded query (newest 100 rows, ORDER BY id DESC LIMIT 100).
 */
import { seededRandom } from '../../analysis/stats'
import { nowUs } from '../../workload/clock'
import { insertSql, payloadOf, probeSql } from '../../workload/schema'
import {
  makeFigure,
  measureSequential,
  timedSql,
  type BenchContext,
  type SequentialResult
} from '../context'
import type { BenchRun } from './types'

/** The workload engine's default row payload. */
const PAYLOAD = payloadOf(100)
/** Rows per INSERT while preloading (well under KalamDB's 1 MiB statement limit). */
const PRELOAD_BATCH = 100

function pacingNote(ctx: BenchContext, r: SequentialResult): string[] {
  const notes = [
    `one request at a time, at most ${ctx.admin.pacer.ratePerSec}/s (under the server's ${ctx.maxQueriesPerSec ?? 100} SQL/s per user)`
  ]
  if (r.rateLimited > 0)
    notes.push(`${r.rateLimited} requests answered 429 were retried and not measured`)
  return notes
}

export async function writeLatency(ctx: BenchContext): Promise<BenchRun> {
  const { client, pacer } = ctx.admin
  const table = ctx.objects.table
  const r = await measureSequential(ctx, pacer, ctx.params.samples, async () => {
    const ms = await timedSql(
      client,
      insertSql(table, ctx.ids.take(1), 1, 0, nowUs(), PAYLOAD),
      ctx.signal
    )
    ctx.inserted.rows++
    return ms
  })
  return {
    figures: [
      makeFigure(
        'write-latency',
        'write-latency',
        'write latency',
        'ms',
        'one single-row INSERT, send to answer',
        r.samples
      )
    ],
    notes: pacingNote(ctx, r),
    warmup: r.warmup
  }
}

/** Preloads rows into the run's table (once per run) and returns their id range. */
async function preload(ctx: BenchContext): Promise<{ first: number; count: number }> {
  const count = ctx.params.preloadRows
  const first = ctx.ids.take(count)
  for (let done = 0; done < count; done += PRELOAD_BATCH) {
    const n = Math.min(PRELOAD_BATCH, count - done)
    await ctx.admin.pacer.slot(ctx.signal)
    await ctx.admin.client.sql(insertSql(ctx.objects.table, first + done, n, 0, nowUs(), PAYLOAD), {
      signal: ctx.signal
    })
    ctx.inserted.rows += n
    ctx.progress({ phase: 'setup', done: done + n, of: count })
  }
  return { first, count }
}

function preloadOnce(ctx: BenchContext): Promise<{ first: number; count: number }> {
  return ctx.once('preload', () => preload(ctx))
}

export async function readLatency(ctx: BenchContext): Promise<BenchRun> {
  const rows = await preloadOnce(ctx)
  const rng = seededRandom(rows.first)
  const { client, pacer } = ctx.admin
  const table = ctx.objects.table
  const r = await measureSequential(ctx, pacer, ctx.params.samples, () => {
    const id = rows.first + Math.floor(rng() * rows.count)
    return timedSql(
      client,
      `SELECT id, writer, sent_us, payload FROM ${table} WHERE id = ${id}`,
      ctx.signal
    )
  })
  return {
    figures: [
      makeFigure(
        'read-latency',
        'read-latency',
        'read latency',
        'ms',
        `one SELECT by primary key of a random row among ${rows.count}, send to answer`,
        r.samples
      )
    ],
    notes: pacingNote(ctx, r),
    warmup: r.warmup
  }
}

export async function queryLatency(ctx: BenchContext): Promise<BenchRun> {
  const rows = await preloadOnce(ctx)
  const { client, pacer } = ctx.admin
  const sql = probeSql(ctx.objects.table)
  const r = await measureSequential(ctx, pacer, ctx.params.samples, () =>
    timedSql(client, sql, ctx.signal)
  )
  return {
    figures: [
      makeFigure(
        'query-latency',
        'query-latency',
        'query latency',
        'ms',
        `one "${sql.replace(ctx.objects.table, 'T')}" over ≥ ${rows.count} rows, send to answer`,
        r.samples
      )
    ],
    notes: pacingNote(ctx, r),
    warmup: r.warmup
  }
}
