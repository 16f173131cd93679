/**
 * Connection churn: open a batch of live connections with one subscription each, hold them,
 * close them, repeat — bounded in cycles. What a leak of per-connection state grows with.
 * Opening is paced for the per-IP auth rate like the subscribers.
 */
import { sleep } from './clock'
import { startSubscribers, type SubscriberSlot } from './subscribers'
import type { WorkloadSink } from './types'

export interface ChurnOptions {
  slots: SubscriberSlot[]
  table: string
  cycles: number
  holdMs: number
  pauseMs: number
  openPerSec?: number
  sink: WorkloadSink
  signal: AbortSignal
}

export interface ChurnResult {
  cycles: number
  opened: number
  failed: number
}

export async function runChurn(o: ChurnOptions): Promise<ChurnResult> {
  const result: ChurnResult = { cycles: 0, opened: 0, failed: 0 }
  for (let c = 0; c < o.cycles && !o.signal.aborted; c++) {
    const group = startSubscribers({
      slots: o.slots,
      table: o.table,
      sink: o.sink,
      signal: o.signal,
      openPerSec: o.openPerSec,
      prefix: `churn${c}_`
    })
    await group.ready
    for (const s of group.stats) {
      if (s.state === 'failed') result.failed++
      else result.opened++
    }
    await sleep(o.holdMs, o.signal)
    await group.stop()
    result.cycles++
    if (c < o.cycles - 1) await sleep(o.pauseMs, o.signal)
  }
  return result
}
