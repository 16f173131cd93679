/**
 * Connections: what the profiler holds open (opened − closed, from the `counters` events)
 * against the sockets on the server's port and the WebSocket sessions the server reports.
 * A server holding more than the profiler left open, once the grace period has passed, holds
 * stale connections (T223).
 */
import type { ConnectionReconciliation } from '../../shared/analysis'
import type { Sample } from '../../shared/sample'
import type { SessionEvent, WorkloadCounters } from '../../shared/session'
import { minOf } from './select'

/**
 * How long after an open or close the server may take to catch up. KalamDB drops a silent
 * WebSocket after 10 s (ws_client_timeout), so twice that covers a close it missed. Less than
 * T223's own 30 s wait on purpose: that wait ends with the teardown closing everything, and a
 * grace as long as it would leave no sample to judge the wait by.
 */
export const CONNECTION_GRACE_MS = 20_000

type Counters = WorkloadCounters & { t: number }

/**
 * Judged after the grace that follows the profiler's last open or close, on the server's
 * WebSocket count, else the sockets on its port. A run whose end came within that grace (a
 * teardown closing everything, as T223's does after its wait) is judged on the latest earlier
 * stretch that outlasted the grace — on the server's own count only: mid-run, the port also
 * carries the workload's HTTP requests. Null when the session has no counters.
 */
export function reconcileConnections(
  samples: readonly Sample[],
  events: readonly SessionEvent[]
): ConnectionReconciliation | null {
  const counters = events
    .filter((e): e is Extract<SessionEvent, { type: 'counters' }> => e.type === 'counters')
    .sort((a, b) => a.t - b.t) as Counters[]
  const changes = changesOf(counters)
  const last = changes[changes.length - 1]
  if (!last) return null

  const settledAt = last.t + CONNECTION_GRACE_MS
  const settled = samples.filter((s) => s.t >= settledAt)
  if (settled.length > 0) return compare(settled, last.open, settledAt, true)
  for (let i = changes.length - 2; i >= 0; i--) {
    const from = (changes[i] as Change).t + CONNECTION_GRACE_MS
    const to = (changes[i + 1] as Change).t
    const stretch = samples.filter((s) => s.t >= from && s.t < to)
    const c = compare(stretch, (changes[i] as Change).open, from, false)
    if (c.serverReported !== null) return c
  }
  return compare(samples.slice(-1), last.open, null, true)
}

interface Change {
  t: number
  /** Connections the profiler held from then on. */
  open: number
}

/** The first counters and every later one where the profiler opened or closed a connection. */
function changesOf(counters: readonly Counters[]): Change[] {
  const out: Change[] = []
  counters.forEach((b, i) => {
    const a = counters[i - 1]
    if (
      !a ||
      a.connectionsOpen !== b.connectionsOpen ||
      a.connectionsOpened !== b.connectionsOpened ||
      a.connectionsClosed !== b.connectionsClosed
    ) {
      out.push({ t: b.t, open: b.connectionsOpen })
    }
  })
  return out
}

/**
 * The counts read from `settledAt` on (null: not judged, the last sample's as read) against
 * what the profiler held. The least seen counts: a short HTTP request on the same port is not
 * a connection left behind. Counts read before the grace ended do not count: a sample repeats
 * the last socket scan's (socketsAt; up to 30 s old on a large server at 10 Hz) and the last
 * server poll's (polledAt).
 */
function compare(
  pool: readonly Sample[],
  expected: number,
  settledAt: number | null,
  useSockets: boolean
): ConnectionReconciliation {
  const readSince = (at: number | undefined, s: Sample): boolean =>
    settledAt === null || (at ?? s.t) >= settledAt
  const sockets = lowest(
    pool.filter((s) => readSince(s.socketsAt, s)).map((s) => s.portConnections)
  )
  const serverReported = lowest(
    pool
      .filter((s) => readSince(s.server?.polledAt, s))
      .map((s) => s.wsConnections ?? s.server?.websocketSessions ?? null)
  )
  const observed = serverReported ?? (useSockets ? sockets : null)
  const judged = settledAt !== null
  return {
    expected,
    sockets,
    serverReported,
    stale: judged && observed !== null && observed > expected,
    missing: judged && observed !== null && observed < expected,
    graceMs: CONNECTION_GRACE_MS,
    judgedFrom: settledAt
  }
}

/** The lowest reading; null when there is none. */
function lowest(values: readonly (number | null | undefined)[]): number | null {
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  return nums.length > 0 ? minOf(nums) : null
}
