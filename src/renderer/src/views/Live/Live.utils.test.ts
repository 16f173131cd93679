import { describe, expect, it } from 'vitest'
import { sample, progress, T0 } from '../../test/factories'
import { chartSummary, liveCharts, MAX_POINTS, pickLatencyOp, SeriesSet } from './Live.utils'

const counters = (t: number, o: Partial<Record<string, number>> = {}) => ({
  t,
  type: 'counters' as const,
  inserts: 0,
  requests: 0,
  rateLimited: 0,
  unavailable: 0,
  errors: 0,
  subscriptionsOpen: 0,
  subscriptionsOpened: 0,
  subscriptionsClosed: 0,
  connectionsOpen: 3,
  connectionsOpened: 3,
  connectionsClosed: 0,
  notifications: 0,
  droppedNotifications: 0,
  disconnects: 0,
  flushedRows: 0,
  queries: 0,
  ...o
})

describe('Live.utils', () => {
  describe('SeriesSet.addSamples', () => {
    it('stacks heap, file-mapped and stack and keeps each layer’s own value for the tooltip', () => {
      const set = new SeriesSet()
      set.addSamples([
        sample({ t: T0, heapBytes: 10, fileMappedBytes: 20, stackBytes: 5, rssBytes: 40 })
      ])
      expect(set.series.heap[0]).toEqual({ x: 0, y: 10, v: 10 })
      expect(set.series.file[0]).toEqual({ x: 0, y: 30, v: 20 })
      expect(set.series.stack[0]).toEqual({ x: 0, y: 35, v: 5 })
      expect(set.series.rss[0]).toEqual({ x: 0, y: 40 })
    })

    it('ignores samples it already has (history and stream overlap) and skips unmeasured values', () => {
      const set = new SeriesSet()
      expect(
        set.addSamples([
          sample({ t: T0 }),
          sample({ t: T0 + 1000, cpuUserPercent: null, portConnections: null })
        ])
      ).toBe(2)
      const v = set.version
      expect(set.addSamples([sample({ t: T0 }), sample({ t: T0 + 1000 })])).toBe(0)
      expect(set.version).toBe(v)
      expect(set.series.cpuUser).toHaveLength(1)
      expect(set.series.wsPort).toHaveLength(1)
      expect(set.series.rss.map((p) => p.x)).toEqual([0, 1])
    })

    it('draws what a recorded sample has: RSS alone when it lacks the layers', () => {
      const set = new SeriesSet()
      // Samples from another tool carry their time and RSS, perhaps no more.
      set.addSamples([
        { t: T0, rssBytes: 40 },
        { t: T0 + 1000, rssBytes: 41, heapBytes: 10, fileMappedBytes: null, cpuUserPercent: 3 }
      ])
      expect(set.series.rss.map((p) => p.y)).toEqual([40, 41])
      expect(set.series.heap).toEqual([])
      expect(set.series.stack).toEqual([])
      expect(set.series.cpuUser).toEqual([{ x: 1, y: 3 }])
      expect(set.series.wsPort).toEqual([])
      expect(chartSummary('memory', set)).toBe('RSS 41 B, heap 10 B, file-mapped —, stack —')
    })
  })

  describe('SeriesSet trimming', () => {
    it('keeps about the last two hours at 10 Hz, in place (charts keep their arrays)', () => {
      const set = new SeriesSet()
      const rss = set.series.rss
      const n = MAX_POINTS + MAX_POINTS / 10 + 1
      set.addEvents([{ t: T0, type: 'phase', phase: 'load' }])
      set.addSamples(Array.from({ length: n }, (_, i) => sample({ t: T0 + i * 100 })))
      expect(set.series.rss).toBe(rss)
      expect(rss).toHaveLength(MAX_POINTS)
      expect(rss[0]!.x).toBeCloseTo((n - MAX_POINTS) / 10)
      expect(set.series.heap).toHaveLength(MAX_POINTS)
      expect(set.markers).toEqual([])
    })
  })

  describe('SeriesSet.addEvents', () => {
    it('turns cumulative counters into notifications per second, drops and open connections', () => {
      const set = new SeriesSet()
      set.addEvents([
        counters(T0, { notifications: 100 }),
        counters(T0 + 2000, { notifications: 700, droppedNotifications: 4, disconnects: 1 })
      ])
      expect(set.series.notifPerSec).toEqual([{ x: 2, y: 300 }])
      expect(set.series.dropped.at(-1)).toEqual({ x: 2, y: 4 })
      expect(set.series.disconnects.at(-1)).toEqual({ x: 2, y: 1 })
      expect(set.series.wsWorkload.at(-1)).toEqual({ x: 2, y: 3 })
    })

    it('charts 429 and 503 answers per second as their own series, on a per-second axis', () => {
      const set = new SeriesSet()
      set.addEvents([
        counters(T0, { rateLimited: 10, unavailable: 1 }),
        counters(T0 + 2000, { rateLimited: 70, unavailable: 5 }),
        counters(T0 + 3000, { rateLimited: 70, unavailable: 5 })
      ])
      expect(set.series.rateLimitedPerSec).toEqual([
        { x: 2, y: 30 },
        { x: 3, y: 0 }
      ])
      expect(set.series.unavailablePerSec).toEqual([
        { x: 2, y: 2 },
        { x: 3, y: 0 }
      ])
      const chart = liveCharts(set).overload
      expect(chart.y).toMatchObject({ unit: 'per-sec', title: 'answers per second (/s)' })
      expect(chart.datasets.map((d) => [d.id, d.data])).toEqual([
        ['rateLimitedPerSec', set.series.rateLimitedPerSec],
        ['unavailablePerSec', set.series.unavailablePerSec]
      ])
      expect(chartSummary('overload', set)).toBe(
        '0/s answered 429, 0/s answered 503 (70 and 5 in all)'
      )
    })

    it('marks phases, flushes and crashes, and merges an error storm into one marker per second', () => {
      const set = new SeriesSet()
      const err = (t: number) => ({
        t,
        type: 'error' as const,
        source: 'writer',
        code: 'RATE_LIMITED',
        message: '429'
      })
      set.addEvents([
        { t: T0, type: 'phase', phase: 'baseline' },
        err(T0 + 100),
        err(T0 + 200),
        err(T0 + 900),
        err(T0 + 1500),
        {
          t: T0 + 2000,
          type: 'flush',
          table: 't',
          jobId: null,
          status: 'failed',
          durationMs: 5,
          rows: null
        },
        { t: T0 + 3000, type: 'crash', pid: 1, exitedAt: T0 + 3000, message: 'gone' }
      ])
      expect(set.markers.map((m) => m.kind)).toEqual([
        'phase',
        'error',
        'error',
        'flush-failed',
        'crash'
      ])
    })
  })

  describe('SeriesSet.addProgress', () => {
    it('draws the latency of the operation the criteria are about', () => {
      const set = new SeriesSet()
      const l = { count: 5, p50Ms: 1, p95Ms: 2, p99Ms: 3 }
      set.addProgress(progress({ t: T0, latency: { insert: l, notification: { ...l, p50Ms: 9 } } }))
      expect(set.latencyOp).toBe('notification')
      expect(set.series.p50).toEqual([{ x: 0, y: 9 }])
      set.addProgress(progress({ t: T0 }))
      expect(set.series.p50).toHaveLength(1)
    })
  })

  describe('pickLatencyOp', () => {
    it('prefers notification, then query, then insert, then the first name', () => {
      expect(pickLatencyOp(['insert', 'query'])).toBe('query')
      expect(pickLatencyOp(['zeta', 'flush'])).toBe('flush')
    })
  })

  describe('liveCharts', () => {
    it('shares the series arrays with the charts (no copies) and gives every axis a unit', () => {
      const set = new SeriesSet()
      const charts = liveCharts(set)
      set.addSamples([sample()])
      expect(charts.memory.datasets.find((d) => d.id === 'rss')!.data).toBe(set.series.rss)
      for (const c of Object.values(charts)) {
        expect(c.y.title).toMatch(/\(.+\)/)
        if (c.y2) expect(c.y2.title).toMatch(/\(.+\)/)
      }
    })
  })

  describe('chartSummary', () => {
    it('says the latest values with units, or why there are none', () => {
      const set = new SeriesSet()
      expect(chartSummary('memory', set)).toBe('no samples yet')
      set.addSamples([sample({ rssBytes: 512 * 1024 * 1024 })])
      expect(chartSummary('memory', set)).toMatch(/^RSS 512\.0 MiB, heap /)
      expect(chartSummary('cpu', set)).toBe('user 10.0%, system 2.0%')
      expect(chartSummary('latency', set)).toMatch(/running scenario/)
    })
  })
})
