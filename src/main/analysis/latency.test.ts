import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js'
import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import type { LatencySummary } from '../../shared/session'
import { cpuSummary, latencyBuckets, latencyHistograms, latencyPercentiles } from './latency'

/** A latency.json entry whose histogram holds the given values (µs). */
function summary(valuesUs: number[]): LatencySummary {
  const h = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false
  })
  for (const v of valuesUs) h.recordValue(v)
  const histogram = encodeIntoCompressedBase64(h)
  h.destroy()
  const n = valuesUs.length
  return {
    count: n,
    minUs: 0,
    maxUs: 0,
    meanUs: 0,
    p50Us: 0,
    p90Us: 0,
    p95Us: 0,
    p99Us: 0,
    p999Us: 0,
    histogram
  }
}

describe('analysis/latency', () => {
  describe('latencyPercentiles', () => {
    it('converts µs summaries to ms and skips empty operations', () => {
      const r = latencyPercentiles({
        schemaVersion: 1,
        unit: 'us',
        operations: {
          insert: {
            count: 10,
            minUs: 100,
            maxUs: 9000,
            meanUs: 800,
            p50Us: 500,
            p90Us: 1500,
            p95Us: 2000,
            p99Us: 7000,
            p999Us: 9000
          },
          query: {
            count: 0,
            minUs: 0,
            maxUs: 0,
            meanUs: 0,
            p50Us: 0,
            p90Us: 0,
            p95Us: 0,
            p99Us: 0,
            p999Us: 0
          }
        }
      })
      expect(r).toEqual({ insert: { count: 10, p50Ms: 0.5, p95Ms: 2, p99Ms: 7, maxMs: 9 } })
      expect(latencyPercentiles(null)).toBeUndefined()
    })
  })

  describe('latencyBuckets', () => {
    it('spaces bars 1-2-5 per decade from the fastest to the slowest value, gaps kept', () => {
      // 3 at 1.5 ms, 1 at 2.5 ms, 2 at 70 ms (µs in, ms out).
      const bars = latencyBuckets([1500, 2500, 70_000], [3, 1, 2])
      expect(bars).toEqual([
        { fromMs: 1, toMs: 2, count: 3 },
        { fromMs: 2, toMs: 5, count: 1 },
        { fromMs: 5, toMs: 10, count: 0 },
        { fromMs: 10, toMs: 20, count: 0 },
        { fromMs: 20, toMs: 50, count: 0 },
        { fromMs: 50, toMs: 100, count: 2 }
      ])
    })

    it('puts a value on an edge in the bar it starts', () => {
      expect(latencyBuckets([1000, 2000], [1, 1])).toEqual([
        { fromMs: 1, toMs: 2, count: 1 },
        { fromMs: 2, toMs: 5, count: 1 }
      ])
    })

    it('widens to one bar per decade rather than exceed the bar limit', () => {
      // 1 µs … 10 s: 7 decades are 22 bars at 1-2-5, 8 at one per decade.
      const bars = latencyBuckets([1, 10_000_000], [5, 1], 16)
      expect(bars.length).toBe(8)
      expect(bars[0]).toEqual({ fromMs: 0.001, toMs: 0.01, count: 5 })
      expect(bars.at(-1)).toEqual({ fromMs: 10_000, toMs: 100_000, count: 1 })
      expect(bars.reduce((a, b) => a + b.count, 0)).toBe(6)
    })

    it('keeps every count, including values below 1 µs, and gives nothing for no values', () => {
      const bars = latencyBuckets([0, 3, 7], [2, 1, 1])
      expect(bars.map((b) => b.count)).toEqual([2, 1, 1])
      expect(bars[0]?.fromMs).toBe(0.001)
      expect(latencyBuckets([], [])).toEqual([])
      expect(latencyBuckets([5], [0])).toEqual([])
    })
  })

  describe('latencyHistograms', () => {
    it('decodes the HdrHistograms of latency.json into bars per operation', () => {
      const values = [...Array<number>(90).fill(800), ...Array<number>(10).fill(40_000)]
      const r = latencyHistograms({
        schemaVersion: 1,
        unit: 'us',
        operations: {
          insert: summary(values),
          query: { ...summary([]), histogram: undefined },
          flush: { ...summary([]), histogram: 'not a histogram' }
        }
      })
      expect(Object.keys(r ?? {})).toEqual(['insert'])
      const bars = r?.insert ?? []
      expect(bars.reduce((a, b) => a + b.count, 0)).toBe(100)
      expect(bars[0]).toEqual({ fromMs: 0.5, toMs: 1, count: 90 })
      expect(bars.at(-1)).toEqual({ fromMs: 20, toMs: 50, count: 10 })
      expect(latencyHistograms(null)).toBeUndefined()
    })
  })

  describe('cpuSummary', () => {
    it('averages measured CPU and finds its peak within the window', () => {
      const s = (t: number, cpu: number | null) => ({ t, cpuPercent: cpu }) as Sample
      const samples = [s(0, null), s(1, 10), s(2, 30), s(3, 90)]
      expect(cpuSummary(samples)).toEqual({ averagePercent: (10 + 30 + 90) / 3, peakPercent: 90 })
      expect(cpuSummary(samples, { from: 1, to: 2 })).toEqual({
        averagePercent: 20,
        peakPercent: 30
      })
      expect(cpuSummary([s(0, null)])).toBeNull()
    })
  })
})
