/**
 * Connections: what the profiler holds open (opened − closed, from the `counters` events)
 * against the sockets on the server's port and the WebSocket sessions the server reports.
 * A server holding more than the profiler left open, once the grace period has passed, holds
 * stale connections (T223).
 */
import type { ConnectionReconciliation } from '../../shared/analysis'
import type { Sample } from '../../shared/sample'
import type { SessionEvent, WorkloadCounters } from '../../shared/session'

/**
 * How long after the last open or close the server may take to catch up: T223 checks "after
 * 30 s"; KalamDB drops a silent socket after 10 s, so 30 s covers a missed close as well.
 */
export const CONNECTION_GRACE_MS = 30_000

type Counters = WorkloadCounters & { t: number }

/** Null when the session has no counters (nothing to compare with). */
export function reconcileConnections(
  samples: readonly Sample[],
  events: readonly SessionEvent[]
): ConnectionReconciliation | null {
  const counters = events
    .filter((e): e is Extract<SessionEvent, { type: 'counters' }> => e.type === 'counters')
    .sort((a, b) => a.t - b.t) as Counters[]
  const lastCounters = counters[counters.length - 1]
  if (!lastCounters) return null
  const expected = lastCounters.connectionsOpen

  // The moment the profiler last opened or closed a connection.
  let lastChange = (counters[0] as Counters).t
  for (let i = 1; i < counters.length; i++) {
    const a = counters[i - 1] as Counters
    const b = counters[i] as Counters
    if (
      a.connectionsOpen !== b.connectionsOpen ||
      a.connectionsOpened !== b.connectionsOpened ||
      a.connectionsClosed !== b.connectionsClosed
    ) {
      lastChange = b.t
    }
  }
  const settledAt = lastChange + CONNECTION_GRACE_MS
  const settled = samples.filter((s) => s.t >= settledAt)
  const judged = settled.length > 0
  const pool = judged ? settled : samples.slice(-1)
  // The least seen after the grace period: a short HTTP request on the same port is not a
  // connection left behind. Counts read before it ended do not count: a sample repeats the
  // last socket scan's (socketsAt; up to 30 s old on a large server at 10 Hz) and the last
  // server poll's (polledAt).
  const readSince = (at: number | undefined, s: Sample): boolean =>
    !judged || (at ?? s.t) >= settledAt
  const sockets = minOf(pool.filter((s) => readSince(s.socketsAt, s)).map((s) => s.portConnections))
  const serverReported = minOf(
    pool
      .filter((s) => readSince(s.server?.polledAt, s))
      .map((s) => s.wsConnections ?? s.server?.websocketSessions ?? null)
  )
  const observed = serverReported ?? sockets
  return {
    expected,
    sockets,
    serverReported,
    stale: judged && observed !== null && observed > expected,
    missing: judged && observed !== null && observed < expected,
    graceMs: CONNECTION_GRACE_MS,
    judgedFrom: judged ? settledAt : null
  }
}

function minOf(values: readonly (number | null | undefined)[]): number | null {
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  return nums.length > 0 ? Math.min(...nums) : null
}
