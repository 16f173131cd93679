/**
 * Live queries: the subscription registry, the initial load in batches, and the fan-out of
 * one `change` frame per changed row per matching subscription (PROTOCOL.md §6.3, §6.4),
 * through each connection's bounded notification queue (§6.7).
 */
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import type { Role, Table } from '../engine/catalog'
import type { Change } from '../engine/engine'
import { truthy, type Compiled, type Row } from '../engine/eval'
import { encodeCell, schemaOf, type Column, type SchemaField } from '../engine/types'
import type { LeakPool } from '../faults'

/** Frames at least this large are gzip'd when that makes them smaller (§6.5). */
const GZIP_MIN_BYTES = 512
/** Changes buffered per subscription while its initial load is in progress (§6.4). */
const LOADING_BUFFER = 1024
/** Above this many bytes waiting in the socket, notifications queue instead of being written. */
const SOCKET_HIGH_WATER = 64 * 1024

export class Connection {
  readonly id = `conn_${randomBytes(6).toString('hex')}`
  user: string | null = null
  role: Role | null = null
  authed = false
  authStarted = false
  closed = false
  readonly createdAt = Date.now()
  lastInbound = Date.now()
  readonly subs = new Map<string, Subscription>()
  /** Notification frames waiting for the socket to drain (bounded: notificationQueue). */
  private readonly queue: string[] = []
  private waitingDrain = false
  dropped = 0
  /** Set while the socket is corked until the end of this event-loop turn. */
  corked = false
  authTimer: NodeJS.Timeout | undefined

  constructor(
    readonly ws: WebSocket,
    readonly peer: string,
    readonly compress: boolean,
    private readonly queueCap: number,
    private readonly corker: Corker
  ) {}

  private get socket(): Socket | undefined {
    return (this.ws as unknown as { _socket?: Socket })._socket
  }

  /** Control frames (acks, batches, errors, auth) bypass the notification queue. */
  sendControl(json: string): void {
    if (this.closed || this.ws.readyState !== 1) return
    this.write(json)
  }

  /**
   * A notification: written now when the socket keeps up, queued when it does not, dropped
   * silently when the queue is full — KalamDB's "Notification channel full … dropping".
   */
  notify(json: string): boolean {
    if (this.closed || this.ws.readyState !== 1) return false
    if (this.queue.length === 0 && this.ws.bufferedAmount < SOCKET_HIGH_WATER) {
      this.write(json)
      return true
    }
    if (this.queue.length >= this.queueCap) {
      this.dropped++
      return false
    }
    this.queue.push(json)
    this.waitForDrain()
    return true
  }

  private waitForDrain(): void {
    if (this.waitingDrain) return
    const socket = this.socket
    if (!socket) return
    this.waitingDrain = true
    const pump = (): void => {
      this.waitingDrain = false
      while (this.queue.length > 0 && !this.closed && this.ws.bufferedAmount < SOCKET_HIGH_WATER) {
        this.write(this.queue.shift()!)
      }
      if (this.queue.length > 0 && !this.closed) this.waitForDrain()
    }
    if (socket.writableNeedDrain) socket.once('drain', pump)
    else setImmediate(pump)
  }

  private write(json: string): void {
    this.corker.cork(this)
    if (this.compress && json.length >= GZIP_MIN_BYTES) {
      const raw = Buffer.from(json)
      const gz = gzipSync(raw)
      if (gz.length < raw.length) {
        this.ws.send(gz, { binary: true })
        return
      }
      this.ws.send(raw, { binary: false })
      return
    }
    this.ws.send(json)
  }

  corkSocket(): boolean {
    const s = this.socket
    if (!s || s.destroyed) return false
    s.cork()
    return true
  }

  uncorkSocket(): void {
    const s = this.socket
    if (s && !s.destroyed) s.uncork()
  }

  dropQueue(): void {
    this.queue.length = 0
  }
}

/**
 * Holds sockets corked until the end of the current event-loop turn, so the frames of many
 * notifications leave in one write instead of one syscall each.
 */
export class Corker {
  private conns: Connection[] = []
  private scheduled = false

  cork(conn: Connection): void {
    if (conn.corked) return
    if (!conn.corkSocket()) return
    conn.corked = true
    this.conns.push(conn)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
  }

  flush(): void {
    const conns = this.conns
    this.conns = []
    this.scheduled = false
    for (const c of conns) {
      c.corked = false
      c.uncorkSocket()
    }
  }
}

export interface Subscription {
  id: string
  conn: Connection
  table: Table | null
  /** System table subscriptions carry their rows here (no live changes). */
  systemColumns?: Column[]
  systemRows?: () => Row[]
  partition: string
  filter: Compiled | undefined
  /** Column indexes of the projection; null for SELECT *. */
  projection: number[] | null
  sql: string
  optionsJson: string
  createdAt: number
  lastUpdate: number
  changes: number
  loading: boolean
  buffered: string[]
  seenForDrop: number
  batchNum: number
  batchSize: number
}

export interface BatchControl {
  batch_num: number
  has_more: boolean
  status: 'loading' | 'loading_batch' | 'ready'
  last_seq_id: bigint | null
}

/** batch_control with last_seq_id as a raw JSON number: Snowflake ids exceed 2^53 (§6.4). */
export function batchControlJson(b: BatchControl): string {
  return `{"batch_num":${b.batch_num},"has_more":${b.has_more},"status":"${b.status}","last_seq_id":${b.last_seq_id === null ? 'null' : b.last_seq_id.toString()}}`
}

export function subscriptionColumns(sub: Subscription): Column[] {
  return sub.table ? sub.table.columns : (sub.systemColumns ?? [])
}

export function subscriptionSchema(sub: Subscription): SchemaField[] {
  const cols = subscriptionColumns(sub)
  const picked = sub.projection ? sub.projection.map((i) => cols[i]!) : cols
  return schemaOf(picked)
}

/** A row as a JSON object keyed by column name, `_seq` as a string, `_deleted` for SELECT *. */
export function rowObject(
  sub: Subscription,
  row: Row,
  deleted = row.deleted
): Record<string, unknown> {
  const cols = subscriptionColumns(sub)
  const o: Record<string, unknown> = {}
  const idx = sub.projection ?? cols.map((_, i) => i)
  for (const i of idx) o[cols[i]!.name] = encodeCell(row.values[i] ?? null, cols[i]!.type)
  o._seq = row.seq.toString()
  if (!sub.projection) o._deleted = deleted
  return o
}

export interface LiveStats {
  activeSubscriptions: number
  activeSubscriptionsPeak: number
  notificationsSent: number
  notificationsDropped: number
}

export class LiveQueries {
  private readonly byTable = new Map<string, Set<Subscription>>()
  private readonly perUser = new Map<string, number>()
  private readonly subs = new Set<Subscription>()
  activeSubscriptions = 0
  activeSubscriptionsPeak = 0
  notificationsSent = 0
  notificationsDropped = 0

  constructor(
    private readonly dropRatio: number,
    private readonly leakPerSubscription: number,
    private readonly leak: LeakPool
  ) {}

  userCount(user: string): number {
    return this.perUser.get(user) ?? 0
  }

  add(sub: Subscription): void {
    sub.conn.subs.set(sub.id, sub)
    this.subs.add(sub)
    if (sub.table) {
      let set = this.byTable.get(sub.table.key)
      if (!set) this.byTable.set(sub.table.key, (set = new Set()))
      set.add(sub)
    }
    const user = sub.conn.user!
    this.perUser.set(user, this.userCount(user) + 1)
    this.activeSubscriptions++
    this.activeSubscriptionsPeak = Math.max(this.activeSubscriptionsPeak, this.activeSubscriptions)
    // Fault: memory tied to the subscription that unsubscribe never gives back.
    this.leak.retain(this.leakPerSubscription)
  }

  remove(sub: Subscription): void {
    if (sub.conn.subs.get(sub.id) !== sub) return
    sub.conn.subs.delete(sub.id)
    this.subs.delete(sub)
    if (sub.table) this.byTable.get(sub.table.key)?.delete(sub)
    const user = sub.conn.user!
    this.perUser.set(user, Math.max(0, this.userCount(user) - 1))
    this.activeSubscriptions--
  }

  all(): Subscription[] {
    return Array.from(this.subs)
  }

  /** One frame per changed row per matching subscription. */
  onChange(c: Change): void {
    const subs = this.byTable.get(c.table.key)
    if (!subs || subs.size === 0) return
    const userScoped = c.table.type !== 'SHARED'
    const cache = new Map<string, string>()
    for (const sub of subs) {
      if (userScoped && sub.partition !== c.partition) continue
      const probe = c.type === 'delete' ? c.old! : c.row
      if (sub.filter && !truthy(sub.filter(probe))) continue
      const key = sub.projection ? sub.projection.join(',') : '*'
      let body = cache.get(key)
      if (body === undefined) {
        body = changeBody(sub, c)
        cache.set(key, body)
      }
      this.deliver(sub, `{"type":"change","subscription_id":${JSON.stringify(sub.id)},${body}}`)
    }
  }

  private deliver(sub: Subscription, frame: string): void {
    sub.changes++
    sub.lastUpdate = Date.now()
    if (this.dropRatio > 0) {
      // Deterministic spreading: exactly floor(n × ratio) of the first n notifications are dropped.
      const n = ++sub.seenForDrop
      if (Math.floor(n * this.dropRatio) > Math.floor((n - 1) * this.dropRatio)) {
        this.notificationsDropped++
        return
      }
    }
    if (sub.loading) {
      if (sub.buffered.length < LOADING_BUFFER) sub.buffered.push(frame)
      else this.notificationsDropped++
      return
    }
    if (sub.conn.notify(frame)) this.notificationsSent++
    else this.notificationsDropped++
  }

  /** After the final initial batch: buffered changes go out in order. */
  finishLoading(sub: Subscription): void {
    sub.loading = false
    const frames = sub.buffered
    sub.buffered = []
    for (const f of frames) {
      if (sub.conn.notify(f)) this.notificationsSent++
      else this.notificationsDropped++
    }
  }
}

function changeBody(sub: Subscription, c: Change): string {
  if (c.type === 'insert') {
    return `"change_type":"insert","rows":[${JSON.stringify(rowObject(sub, c.row))}]`
  }
  if (c.type === 'delete' && c.evicted) {
    const pk = c.table.pkIndex
    const id = pk >= 0 ? c.row.values[pk] : c.row.seq
    return `"change_type":"delete","old_values":[${JSON.stringify({ row_id: id === null || id === undefined ? null : String(id) })}]`
  }
  if (c.type === 'delete') {
    return `"change_type":"delete","old_values":[${JSON.stringify(rowObject(sub, c.old ?? c.row, true))}]`
  }
  // update: rows = non-null projected columns + PK + _seq; old_values = changed columns + PK + _seq
  const cols = subscriptionColumns(sub)
  const pk = sub.table?.pkIndex ?? -1
  const idx = sub.projection ?? cols.map((_, i) => i)
  const row: Record<string, unknown> = {}
  const old: Record<string, unknown> = {}
  const old0 = c.old!
  for (const i of idx) {
    const col = cols[i]!
    const v = c.row.values[i] ?? null
    const ov = old0.values[i] ?? null
    if (v !== null || i === pk) row[col.name] = encodeCell(v, col.type)
    if (i === pk || v !== ov) old[col.name] = encodeCell(ov, col.type)
  }
  if (pk >= 0 && !idx.includes(pk)) {
    const col = cols[pk]!
    row[col.name] = encodeCell(c.row.values[pk] ?? null, col.type)
    old[col.name] = encodeCell(old0.values[pk] ?? null, col.type)
  }
  row._seq = c.row.seq.toString()
  old._seq = old0.seq.toString()
  return `"change_type":"update","rows":[${JSON.stringify(row)}],"old_values":[${JSON.stringify(old)}]`
}
