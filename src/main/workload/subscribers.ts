/**
 * N live-query subscriptions on the run's SHARED table, one WebSocket each (so the server's
 * session count equals ours, which T223 checks). The client pings every ≤ 5 s on its own.
 *
 * Notification latency: each row carries its writer's send time (sent_us); arrival minus
 * that is recorded per notification. Drops: the server silently discards notifications for a
 * connection whose queue (128) is full (PROTOCOL.md §6.7), so for each subscriber we count
 * rows that should have reached it — inserts sent after its subscription was acknowledged,
 * and acknowledged by the server — against rows that did. No silent reconnect: an
 * unexpected close is a `disconnect` event with the server's code and reason, and that
 * subscriber stays closed.
 *
 * Opening is paced: every WebSocket authentication counts against the per-IP auth rate
 * (rate_limit.max_auth_requests_per_ip_per_sec, 20 by default, loopback not exempt).
 */
import type { LiveChange, LiveClose, LiveConnection } from '../target/types'
import { nowMs, nowUs, sleep } from './clock'
import type { InsertObservation } from './writers'
import { subscriptionSql } from './schema'
import type { LiveOpener, Stoppable, WorkloadSink } from './types'

export interface SubscriberSlot {
  opener: LiveOpener
  user: string
}

export interface SubscriberStats {
  id: string
  user: string
  /** Epoch µs of the acknowledgement; null until subscribed. */
  ackedAtUs: number | null
  /** Rows it should have received (see the module comment). */
  expected: number
  received: number
  /** Change frames that arrived, all rows. */
  notifications: number
  state: 'opening' | 'open' | 'closed' | 'disconnected' | 'failed'
  close?: { code: number; reason: string; atUs: number }
  /** Why opening failed. */
  error?: string
}

export interface SubscriberGroupOptions {
  slots: SubscriberSlot[]
  table: string
  sink: WorkloadSink
  signal: AbortSignal
  /** Connections opened per second at most (auth rate limit); default 10. */
  openPerSec?: number
  /** Id prefix of subscriptions and connections, e.g. 'sub'. */
  prefix?: string
}

export interface SubscriberGroup extends Stoppable {
  /** Resolves when every slot is subscribed or failed. */
  readonly ready: Promise<void>
  readonly stats: SubscriberStats[]
  /** Feeds an answered insert so subscribers know what to expect. */
  observeInsert(o: InsertObservation): void
  /** Closes `count` open subscribers (the last ones), as the profiler's own, expected close. */
  close(count: number): Promise<void>
  /** Live count of open subscriptions. */
  readonly open: number
  /**
   * Waits until every open subscriber has received what it expects, or until `quietMs`
   * pass without a new notification, or `maxMs` in all; then counts drops.
   */
  drain(quietMs?: number, maxMs?: number): Promise<number>
  /** Rows expected but never received, summed over subscribers (after drain: exact). */
  dropped(): number
  /**
   * Live estimate while rows are still flowing: what was expected at least one tick ago and
   * has not arrived. Call tick() about once a second.
   */
  droppedEstimate(): number
  tick(): void
}

interface Entry {
  stats: SubscriberStats
  conn: LiveConnection | null
  closingByUs: boolean
  /** `expected` at the previous two ticks, for the live estimate. */
  lag: [number, number]
}

export function startSubscribers(options: SubscriberGroupOptions): SubscriberGroup {
  const { sink, signal, table } = options
  const prefix = options.prefix ?? 'sub'
  const gapMs = 1000 / Math.max(0.1, options.openPerSec ?? 10)
  const entries: Entry[] = options.slots.map((slot, i) => ({
    stats: {
      id: `${prefix}${i}`,
      user: slot.user,
      ackedAtUs: null,
      expected: 0,
      received: 0,
      notifications: 0,
      state: 'opening'
    },
    conn: null,
    closingByUs: false,
    lag: [0, 0]
  }))
  let lastNotificationMs = nowMs()
  let stopped = false

  const onChange = (e: Entry, change: LiveChange): void => {
    lastNotificationMs = nowMs()
    const n = change.rows.length
    e.stats.notifications += n
    sink.counters.notifications += n
    const acked = e.stats.ackedAtUs
    for (const row of change.rows) {
      const sent = Number(row['sent_us'])
      if (!Number.isFinite(sent)) continue
      if (acked !== null && sent >= acked) e.stats.received++
      sink.latency.record('notification', change.receivedAt * 1000 - sent)
    }
  }

  const onClose = (e: Entry, close: LiveClose): void => {
    const wasOpen = e.stats.state === 'open'
    const expected = close.expected || e.closingByUs || stopped
    e.stats.close = { code: close.code, reason: close.reason, atUs: nowUs() }
    e.stats.state = expected ? 'closed' : 'disconnected'
    if (wasOpen) {
      sink.counters.subscriptionsOpen--
      sink.counters.subscriptionsClosed++
    }
    sink.counters.connectionsOpen--
    sink.counters.connectionsClosed++
    if (!expected) sink.counters.disconnects++
    sink.event({
      t: Date.now(),
      type: 'disconnect',
      connection: `${e.stats.id} (${e.stats.user})`,
      code: close.code,
      reason: close.reason,
      expected
    })
  }

  const openOne = async (e: Entry, slot: SubscriberSlot): Promise<void> => {
    try {
      const conn = await slot.opener.openLive({
        onChange: (c) => onChange(e, c),
        onClose: (c) => onClose(e, c),
        onError: (err) =>
          sink.errors.add('subscriber', err.code, `${e.stats.id}: ${err.message}`, null)
      })
      e.conn = conn
      sink.counters.connectionsOpen++
      sink.counters.connectionsOpened++
      if (stopped || signal.aborted) {
        e.closingByUs = true
        await conn.close()
        return
      }
      await conn.subscribe(e.stats.id, subscriptionSql(table), { noInitialData: true })
      if (e.stats.state !== 'opening') return
      e.stats.ackedAtUs = nowUs()
      e.stats.state = 'open'
      sink.counters.subscriptionsOpen++
      sink.counters.subscriptionsOpened++
    } catch (err) {
      if (e.stats.state === 'opening') e.stats.state = 'failed'
      const code = (err as { code?: string }).code ?? 'INTERNAL'
      const message = err instanceof Error ? err.message : String(err)
      e.stats.error = message
      if (code !== 'CANCELLED' && !signal.aborted) {
        sink.counters.errors++
        sink.errors.add('subscriber', code, `${e.stats.id}: ${message}`, null)
      }
      if (e.conn && e.conn.open) {
        e.closingByUs = true
        await e.conn.close().catch(() => undefined)
      }
    }
  }

  const ready = (async () => {
    const pending: Promise<void>[] = []
    for (let i = 0; i < entries.length; i++) {
      if (stopped || signal.aborted) {
        for (const e of entries.slice(i)) e.stats.state = 'failed'
        break
      }
      pending.push(openOne(entries[i]!, options.slots[i]!))
      if (i < entries.length - 1) await sleep(gapMs, signal)
    }
    await Promise.all(pending)
  })()

  const countDrops = (): number => {
    let dropped = 0
    for (const e of entries) dropped += Math.max(0, e.stats.expected - e.stats.received)
    return dropped
  }

  const closeEntry = async (e: Entry): Promise<void> => {
    if (!e.conn) return
    e.closingByUs = true
    if (e.stats.state === 'open') e.conn.unsubscribe(e.stats.id)
    await e.conn.close().catch(() => undefined)
  }

  let stopping: Promise<void> | null = null
  const onAbort = (): void => void stop()
  const stop = (): Promise<void> => {
    // A group stopped before the run ends lets go of the run's signal: churn starts one group
    // a cycle on the same signal, and each listener kept its group's connections reachable.
    signal.removeEventListener('abort', onAbort)
    stopping ??= (async () => {
      stopped = true
      await ready.catch(() => undefined)
      await Promise.all(entries.map((e) => closeEntry(e)))
    })()
    return stopping
  }
  signal.addEventListener('abort', onAbort, { once: true })

  return {
    ready,
    stop,
    get stats() {
      return entries.map((e) => e.stats)
    },
    get open() {
      return entries.filter((e) => e.stats.state === 'open').length
    },
    observeInsert(o: InsertObservation) {
      if (!o.ok) return
      for (const e of entries) {
        const s = e.stats
        if (s.state !== 'open' || s.ackedAtUs === null || o.sentUs < s.ackedAtUs) continue
        s.expected += o.rows
      }
    },
    async close(count: number) {
      const open = entries.filter((e) => e.stats.state === 'open')
      const victims = open.slice(Math.max(0, open.length - count))
      // Their counts are frozen as they are: rows still in flight to them are not drops.
      for (const e of victims) e.stats.expected = Math.min(e.stats.expected, e.stats.received)
      await Promise.all(victims.map((e) => closeEntry(e)))
    },
    async drain(quietMs = 1000, maxMs = 5000) {
      const start = nowMs()
      lastNotificationMs = Math.max(lastNotificationMs, start)
      while (!signal.aborted) {
        const missing = entries.some(
          (e) => e.stats.state === 'open' && e.stats.received < e.stats.expected
        )
        const now = nowMs()
        if (!missing || now - lastNotificationMs >= quietMs || now - start >= maxMs) break
        await sleep(50, signal)
      }
      const dropped = countDrops()
      sink.counters.droppedNotifications = dropped
      return dropped
    },
    dropped: countDrops,
    droppedEstimate() {
      let d = 0
      for (const e of entries) {
        if (e.stats.state === 'open') d += Math.max(0, e.lag[1] - e.stats.received)
      }
      return Math.max(d, sink.counters.droppedNotifications)
    },
    tick() {
      for (const e of entries) e.lag = [e.stats.expected, e.lag[0]]
    }
  }
}
