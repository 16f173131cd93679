import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import type { SessionEvent, WorkloadCounters } from '../../shared/session'
import { CONNECTION_GRACE_MS, reconcileConnections } from './connections'

const T0 = 1_700_000_000_000

function counters(t: number, open: number, opened: number, closed: number): SessionEvent {
  const c: WorkloadCounters = {
    inserts: 0,
    requests: 0,
    rateLimited: 0,
    unavailable: 0,
    errors: 0,
    subscriptionsOpen: open,
    subscriptionsOpened: opened,
    subscriptionsClosed: closed,
    connectionsOpen: open,
    connectionsOpened: opened,
    connectionsClosed: closed,
    notifications: 0,
    droppedNotifications: 0,
    disconnects: 0,
    flushedRows: 0,
    queries: 0
  }
  return { t, type: 'counters', ...c }
}

function sample(t: number, port: number | null, ws: number | null): Sample {
  return {
    t,
    pid: 1,
    rssBytes: 1,
    pssBytes: null,
    ussBytes: null,
    heapBytes: 1,
    fileMappedBytes: 0,
    stackBytes: 0,
    swapBytes: 0,
    cpuPercent: null,
    cpuUserPercent: null,
    cpuSystemPercent: null,
    threads: 1,
    fds: 1,
    tcpConnections: 0,
    portConnections: port,
    wsConnections: ws
  }
}

// T223: open 50, close 25 at 10 s; the run goes on to 60 s.
const events = [
  counters(T0, 50, 50, 0),
  counters(T0 + 10_000, 25, 50, 25),
  counters(T0 + 60_000, 25, 50, 25)
]

describe('analysis/connections', () => {
  describe('reconcileConnections', () => {
    it('agrees when the server holds what the profiler left open', () => {
      const samples = [0, 20, 45, 60].map((s) =>
        sample(T0 + s * 1000, s < 15 ? 50 : 25, s < 15 ? 50 : 25)
      )
      expect(reconcileConnections(samples, events)).toMatchObject({
        expected: 25,
        sockets: 25,
        serverReported: 25,
        stale: false,
        missing: false
      })
    })

    it('finds stale connections the server still holds after the grace period', () => {
      const samples = [0, 20, 45, 60].map((s) => sample(T0 + s * 1000, 50, 50))
      const c = reconcileConnections(samples, events)
      expect(c).toMatchObject({ expected: 25, serverReported: 50, stale: true })
      expect(c?.judgedFrom).toBe(T0 + 10_000 + CONNECTION_GRACE_MS)
    })

    it('uses sockets on the port when the server was not polled, ignoring a passing HTTP request', () => {
      const samples = [41, 42, 43].map((s, i) => sample(T0 + s * 1000, i === 1 ? 26 : 25, null))
      expect(reconcileConnections(samples, events)).toMatchObject({ sockets: 25, stale: false })
    })

    it('judges only counts read after the grace period, not ones a sample repeats', () => {
      // Socket scans every 30 s: the samples after 40 s repeat the scan of 20 s, when the
      // server still held all 50; the scan at 50 s sees the 25 left open.
      const samples = [
        { ...sample(T0 + 45_000, 50, null), socketsAt: T0 + 20_000 },
        { ...sample(T0 + 50_000, 25, null), socketsAt: T0 + 50_000 },
        { ...sample(T0 + 55_000, 25, null), socketsAt: T0 + 50_000 }
      ]
      expect(reconcileConnections(samples, events)).toMatchObject({ sockets: 25, stale: false })
      // With only the repeated count there is nothing read after the grace period to judge.
      const repeated = reconcileConnections([samples[0]!], events)
      expect(repeated).toMatchObject({ sockets: null, stale: false, missing: false })
    })

    it('judges a server poll by when it answered', () => {
      const polled = (t: number, ws: number, polledAt: number): Sample => ({
        ...sample(t, null, ws),
        server: { polledAt, websocketSessions: ws }
      })
      // Polled 5 s before the grace period after the close (at 10 s) ended: not a figure to
      // judge by, though the sample carrying it came after.
      const settled = T0 + 10_000 + CONNECTION_GRACE_MS
      const early = reconcileConnections([polled(settled + 5000, 50, settled - 5000)], events)
      expect(early).toMatchObject({ serverReported: null, stale: false })
      const late = reconcileConnections([polled(settled + 10_000, 50, settled + 8000)], events)
      expect(late).toMatchObject({ serverReported: 50, stale: true })
    })

    it('does not judge before the grace period has passed', () => {
      const short = [counters(T0, 50, 50, 0), counters(T0 + 10_000, 25, 50, 25)]
      const c = reconcileConnections([sample(T0 + 12_000, 50, 50)], short)
      expect(c).toMatchObject({ stale: false, judgedFrom: null })
    })

    it('reports connections the server dropped', () => {
      const samples = [45, 60].map((s) => sample(T0 + s * 1000, 20, 20))
      expect(reconcileConnections(samples, events)).toMatchObject({ missing: true, stale: false })
    })

    it('judges the last wait that outlasted the grace when a teardown ends the run within it', () => {
      // T223: open 50, close 25 at 10 s, wait, then the teardown closes the rest at 40 s and
      // the run ends at 41 s. The wait is judged on the server's count; the end is not.
      const t223 = [
        counters(T0, 50, 50, 0),
        counters(T0 + 10_000, 25, 50, 25),
        counters(T0 + 40_000, 0, 50, 50),
        counters(T0 + 41_000, 0, 50, 50)
      ]
      const polled = (s: number, ws: number | null): Sample => ({
        ...sample(T0 + s * 1000, 25, ws),
        server: { polledAt: T0 + s * 1000 - 500, websocketSessions: ws ?? undefined }
      })
      const leaked = [0, 15, 31, 34, 37, 41].map((s) => polled(s, 50))
      expect(reconcileConnections(leaked, t223)).toMatchObject({
        expected: 25,
        serverReported: 50,
        stale: true,
        judgedFrom: T0 + 10_000 + CONNECTION_GRACE_MS
      })
      const clean = [0, 15, 31, 34, 37, 41].map((s) => polled(s, s < 10 ? 50 : 25))
      expect(reconcileConnections(clean, t223)).toMatchObject({ stale: false, missing: false })
      // Without the server's count the wait is not judged: mid-run, the port also carries the
      // workload's HTTP requests.
      const socketsOnly = [0, 15, 31, 34, 37, 41].map((s) => sample(T0 + s * 1000, 40, null))
      expect(reconcileConnections(socketsOnly, t223)).toMatchObject({
        stale: false,
        judgedFrom: null
      })
    })

    it('is null without counters', () => {
      expect(reconcileConnections([sample(T0, 1, 1)], [])).toBeNull()
    })
  })
})
