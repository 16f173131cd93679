/**
 * Memory retention (ours: "did the build grow more memory than the last one?"): once the
 * server is warm — every other benchmark ran before — each burst creates a table, inserts N
 * rows, drops the table again, and reads the server's memory, settled; one sample = the
 * growth since the previous burst ÷ N. What a server needs for rows it still holds is given
 * back (or reused by the next burst) once they are dropped; what it keeps per insert after
 * that is a leak, and moves every sample by its size. The first burst is not measured: it
 * grows the heap to the size the next ones reuse.
 */
import { ProfilerError } from '../../../shared/errors'
import { sleep, nowUs } from '../../workload/clock'
import { insertSql, payloadOf } from '../../workload/schema'
import { makeFigure, type BenchContext } from '../context'
import { settledLevel } from '../memory'
import type { BenchRun } from './types'

const PAYLOAD = payloadOf(100)
const INSERT_BATCH = 500

/** Thrown when a benchmark cannot apply to this server; the runner records it as skipped. */
export class SkipBenchmark extends Error {}

export async function memoryRetention(ctx: BenchContext): Promise<BenchRun> {
  const reader = ctx.memory
  if (!reader) {
    throw new SkipBenchmark(
      "the server's memory is not readable (no local process for /proc, no system.stats)"
    )
  }
  const rows = ctx.params.retentionRows
  const settleMs = Math.max(
    ctx.params.retentionSettleMs,
    reader.source === 'server' ? reader.intervalMs : 0
  )
  let bursts = 0
  const burst = async (): Promise<void> => {
    const table = await ctx.createTable(`retention${bursts++}`, { manualFlush: true })
    const first = ctx.ids.take(rows)
    for (let done = 0; done < rows; done += INSERT_BATCH) {
      const n = Math.min(INSERT_BATCH, rows - done)
      await ctx.admin.pacer.slot(ctx.signal)
      await ctx.admin.client.sql(insertSql(table, first + done, n, 0, nowUs(), PAYLOAD), {
        signal: ctx.signal
      })
      ctx.inserted.rows += n
    }
    await ctx.admin.client.sql(`DROP TABLE IF EXISTS ${table}`, { signal: ctx.signal })
    await sleep(settleMs, ctx.signal)
  }
  const level = async (): Promise<number> => {
    const v = await settledLevel(reader, ctx.signal)
    if (v === null)
      throw new ProfilerError('UNREACHABLE', "the server's memory could no longer be read")
    return v
  }
  const w0 = performance.now()
  ctx.progress({ phase: 'warm-up', done: 0, of: 1 })
  await burst()
  const warmup = { operations: rows, ms: Math.round(performance.now() - w0) }
  let before = await level()
  const samples: number[] = []
  for (let i = 0; i < ctx.params.retentionBursts; i++) {
    await burst()
    const after = await level()
    samples.push((after - before) / rows)
    before = after
    ctx.progress({ phase: 'measure', done: i + 1, of: ctx.params.retentionBursts })
  }
  const what =
    reader.source === 'proc' ? `heap (RssAnon of pid ${reader.pid})` : 'RSS (system.stats)'
  return {
    figures: [
      makeFigure(
        'memory-retention',
        'memory-retention',
        'memory kept per row',
        'bytes/row',
        `server ${what} after a burst of ${rows.toLocaleString('en-US')} rows inserted into a fresh table and dropped with it, minus before, ÷ rows`,
        samples
      )
    ],
    notes: [
      `${ctx.params.retentionBursts} bursts of ${rows.toLocaleString('en-US')} rows (${INSERT_BATCH} per INSERT, table dropped after each) after one unmeasured burst; levels read ${settleMs} ms after each from ${what}`
    ],
    warmup
  }
}
