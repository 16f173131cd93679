/**
 * Workload counters (src/shared/session.ts WorkloadCounters) and the tally that turns a
 * storm of failed requests into a few error events: one per source and code per second,
 * with a count, so a run against a saturated server does not write a line per request.
 */
import type { SessionEvent, WorkloadCounters } from '../../shared/session'

export function createCounters(): WorkloadCounters {
  return {
    inserts: 0,
    requests: 0,
    rateLimited: 0,
    unavailable: 0,
    errors: 0,
    subscriptionsOpen: 0,
    subscriptionsOpened: 0,
    subscriptionsClosed: 0,
    connectionsOpen: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
    notifications: 0,
    droppedNotifications: 0,
    disconnects: 0,
    flushedRows: 0,
    queries: 0,
    unsent: 0
  }
}

interface Pending {
  source: string
  code: string
  message: string
  httpStatus?: number
  count: number
}

/** Failed-request outcomes by (source, code), emitted as aggregated `error` events. */
export class ErrorTally {
  private pending = new Map<string, Pending>()
  /** Totals by code since the run started (for verdicts: e.g. connection errors in T228). */
  readonly totals = new Map<string, number>()

  add(source: string, code: string, message: string, httpStatus?: number | null): void {
    const key = `${source}\u0000${code}`
    const p = this.pending.get(key)
    if (p) p.count++
    else {
      const entry: Pending = { source, code, message, count: 1 }
      if (httpStatus !== null && httpStatus !== undefined) entry.httpStatus = httpStatus
      this.pending.set(key, entry)
    }
    this.totals.set(code, (this.totals.get(code) ?? 0) + 1)
  }

  total(code: string): number {
    return this.totals.get(code) ?? 0
  }

  /** The error events accumulated since the last drain (call about once a second). */
  drain(t: number): SessionEvent[] {
    const out: SessionEvent[] = []
    for (const p of this.pending.values()) {
      const e: SessionEvent = {
        t,
        type: 'error',
        source: p.source,
        code: p.code,
        message: p.message,
        count: p.count
      }
      if (p.httpStatus !== undefined) e.httpStatus = p.httpStatus
      out.push(e)
    }
    this.pending.clear()
    return out
  }
}
