/**
 * Frames of the live-query protocol (PROTOCOL.md §6.4) and the initial load: a subscription's
 * rows after a `_seq`, cut into batches with batch_control.
 */
import { partitionOf } from '../engine/catalog'
import { truthy, type Row } from '../engine/eval'
import { batchControlJson, rowObject, type BatchControl, type Subscription } from './live'

/** The subscription's current rows with `_seq` above `after`, in `_seq` order. */
export function snapshot(sub: Subscription, after: bigint): Row[] {
  let rows: Row[]
  if (sub.table) {
    const part = partitionOf(sub.table, sub.partition, false)
    rows = part ? Array.from(part.scan(false)) : []
  } else rows = sub.systemRows!()
  rows = rows.filter((r) => r.seq > after && (!sub.filter || truthy(sub.filter(r))))
  return rows.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))
}

/** One page of the initial load (batch_size rows) and its batch_control. */
export function buildBatch(
  sub: Subscription,
  rows: Row[],
  batchNum: number
): { control: BatchControl; frame: string } {
  const page = rows.slice(0, sub.batchSize)
  const hasMore = rows.length > page.length
  sub.batchNum = batchNum
  const control: BatchControl = {
    batch_num: batchNum,
    has_more: hasMore,
    status: hasMore ? (batchNum === 0 ? 'loading' : 'loading_batch') : 'ready',
    last_seq_id: page.length > 0 ? page[page.length - 1]!.seq : null
  }
  const body = page.map((r) => JSON.stringify(rowObject(sub, r))).join(',')
  const frame = `{"type":"initial_data_batch","subscription_id":${JSON.stringify(sub.id)},"rows":[${body}],"batch_control":${batchControlJson(control)}}`
  return { control, frame }
}

/** subscription_ack with last_seq_id as a raw JSON number. */
export function ack(id: string, bc: BatchControl, schemaJson: string): string {
  return `{"type":"subscription_ack","subscription_id":${JSON.stringify(id)},"total_rows":0,"batch_control":${batchControlJson(bc)},"schema":${schemaJson}}`
}

/** An `error` frame; subscription_id may be synthetic ("subscribe", "protocol", "rate_limit" …). */
export function errorFrame(subscriptionId: string, code: string, message: string): string {
  return JSON.stringify({ type: 'error', subscription_id: subscriptionId, code, message })
}

/** A positive integer option (batch_size, last_rows), else undefined. */
export function numberOption(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v
  if (typeof v === 'bigint') return Number(v)
  return undefined
}

/** A `_seq` from a JSON number (possibly bigint), integer or digit string. */
export function bigOption(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v)
  return undefined
}

/** Subscription options as system.live shows them (bigint as text). */
export function stringifyOptions(o: Record<string, unknown>): string {
  return JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
}
