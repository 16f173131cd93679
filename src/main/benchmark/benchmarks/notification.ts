/**
 * Notification latency (seed: test_live_query_changes, target < 10 ms): one live query on a
 * table of its own over a WebSocket, then one row at a time — INSERT sent → its `change`
 * frame received, both on this process's clock. A row whose notification never comes within
 * the wait is counted (KalamDB drops silently when a connection's queue is full) and not
 * measured.
 */
import { ProfilerError } from '../../../shared/errors'
import { nowMs, nowUs } from '../../workload/clock'
import { insertSql, payloadOf, subscriptionSql } from '../../workload/schema'
import { makeFigure, measureSequential, type BenchContext } from '../context'
import type { BenchRun } from './types'

const PAYLOAD = payloadOf(100)
/** How long to wait for one row's notification before counting it missing. */
const NOTIFICATION_WAIT_MS = 5000

export async function notificationLatency(ctx: BenchContext): Promise<BenchRun> {
  const table = await ctx.createTable('notify')
  const waiters = new Map<string, (receivedAt: number) => void>()
  const conn = await ctx.admin.client.openLive({
    onChange: (c) => {
      for (const row of c.rows) {
        const id = row['id']
        const w = waiters.get(String(id))
        if (w) w(c.receivedAt)
      }
    }
  })
  let missed = 0
  try {
    await conn.subscribe('kp-bench-notify', subscriptionSql(table), { noInitialData: true })
    const r = await measureSequential(
      ctx,
      ctx.admin.pacer,
      ctx.params.notificationSamples,
      async () => {
        const id = ctx.ids.take(1)
        const key = String(id)
        let timer: NodeJS.Timeout | undefined
        const arrived = new Promise<number>((resolve, reject) => {
          waiters.set(key, resolve)
          timer = setTimeout(() => {
            missed++
            reject(
              new ProfilerError(
                'TIMEOUT',
                `no notification for row ${id} within ${NOTIFICATION_WAIT_MS} ms`
              )
            )
          }, NOTIFICATION_WAIT_MS)
        })
        arrived.catch(() => undefined)
        const t0 = nowMs()
        try {
          const out = await ctx.admin.client.trySql(insertSql(table, id, 1, 0, nowUs(), PAYLOAD), {
            signal: ctx.signal
          })
          if (!out.ok) throw out.error
          ctx.inserted.rows++
          return (await arrived) - t0
        } finally {
          clearTimeout(timer)
          waiters.delete(key)
        }
      }
    )
    const notes = [
      `one INSERT at a time into a table with one live query (one WebSocket); send → change frame`
    ]
    if (missed > 0)
      notes.push(
        `${missed} rows never notified within ${NOTIFICATION_WAIT_MS / 1000} s (not measured)`
      )
    if (r.rateLimited > 0)
      notes.push(`${r.rateLimited} inserts answered 429 were retried and not measured`)
    return {
      figures: [
        makeFigure(
          'notification-latency',
          'notification-latency',
          'notification latency',
          'ms',
          'one single-row INSERT sent → its WebSocket change notification received',
          r.samples
        )
      ],
      notes,
      warmup: r.warmup
    }
  } finally {
    conn.unsubscribe('kp-bench-notify')
    await conn.close().catch(() => undefined)
  }
}
