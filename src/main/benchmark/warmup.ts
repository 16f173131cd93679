/**
 * The run's warm-up before the first benchmark (Criterion warms up each benchmark; a server
 * over the network needs more): every sender — the admin and each workload user — inserts
 * and reads back rows in a closed loop under its pacer for a while. That opens each user's
 * kept-alive sockets, fills the server's plan and schema caches and, on a JIT-compiled
 * simulator, compiles the hot paths, so the first benchmark does not measure start-up.
 * Nothing here is measured; failures are ignored (the benchmarks will meet them again).
 */
import { nowMs, nowUs } from '../workload/clock'
import { insertSql, payloadOf } from '../workload/schema'
import type { BenchContext, Sender } from './context'

const PAYLOAD = payloadOf(100)

export async function warmUp(ctx: BenchContext, ms: number): Promise<void> {
  if (ms <= 0) return
  const senders: Sender[] = [...new Set([ctx.admin, ...ctx.writers])]
  const end = nowMs() + ms
  const loop = async (s: Sender, writer: number): Promise<void> => {
    let last: number | null = null
    while (nowMs() < end && !ctx.signal.aborted) {
      await s.pacer.slot(ctx.signal)
      if (nowMs() >= end) break
      const sql =
        last === null
          ? insertSql(ctx.objects.table, (last = ctx.ids.take(1)), 1, writer, nowUs(), PAYLOAD)
          : `SELECT id, writer, sent_us FROM ${ctx.objects.table} WHERE id = ${last}`
      const inserting = sql.startsWith('INSERT')
      const out = await s.client.trySql(sql, { signal: ctx.signal }).catch(() => null)
      if (out?.ok && inserting) ctx.inserted.rows++
      if (!inserting) last = null
      ctx.progress({ phase: 'warm-up', done: Math.round(ms - (end - nowMs())), of: ms })
    }
  }
  await Promise.all(senders.map((s, i) => loop(s, i)))
  for (const s of senders) s.pacer.reset()
}
