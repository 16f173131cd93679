import { describe, expect, it } from 'vitest'
import { analysis, sample, sessionView, T0 } from '../../test/factories'
import { growthSpec, headline, latencyRows, trendLine } from './Investigation.utils'

const MiB = 1024 * 1024

describe('Investigation.utils', () => {
  describe('headline', () => {
    it('says the leak first: rate, where, per what', () => {
      expect(headline(analysis())).toBe('Leaks ≈ 38.0 MiB/min in heap, ≈ 1.9 KiB per insert.')
    })

    it('says there is no leak when every metric is stable', () => {
      const a = analysis({
        metrics: {
          rssBytes: { ...analysis().metrics.heapBytes!, verdict: 'stable', growthPercent: 1.234 }
        },
        attribution: []
      })
      expect(headline(a)).toBe('No leak: RSS stable (+1.2% over the run).')
    })

    it('gives the reason when it cannot say', () => {
      const a = analysis({
        metrics: {
          rssBytes: {
            ...analysis().metrics.heapBytes!,
            verdict: 'inconclusive',
            reason: 'too short.'
          }
        }
      })
      expect(headline(a)).toBe('Not enough to say: too short.')
    })
  })

  describe('trendLine', () => {
    it('draws the reported slope through the median point of the window', () => {
      const samples = [0, 1, 2, 3, 4].map((i) =>
        sample({ t: T0 + i * 60_000, heapBytes: (10 + i) * MiB })
      )
      const m = {
        ...analysis().metrics.heapBytes!,
        slopeBytesPerMin: MiB,
        window: { from: T0, to: T0 + 240_000 }
      }
      expect(trendLine(samples, 'heapBytes', m, T0)).toEqual([
        { x: 0, y: 10 * MiB },
        { x: 240, y: 14 * MiB }
      ])
    })
  })

  describe('growthSpec', () => {
    it('adds a dashed trend for each judged metric, none for inconclusive ones', () => {
      const v = sessionView()
      const ids = growthSpec(v, analysis()).datasets.map((d) => d.id)
      expect(ids).toContain('trend-heapBytes')
      const inconclusive = analysis({
        metrics: { heapBytes: { ...analysis().metrics.heapBytes!, verdict: 'inconclusive' } }
      })
      expect(growthSpec(v, inconclusive).datasets.map((d) => d.id)).not.toContain('trend-heapBytes')
    })
  })

  describe('latencyRows', () => {
    it('takes the analysis’ percentiles, else converts latency.json from µs', () => {
      expect(
        latencyRows(
          analysis({ latency: { query: { count: 3, p50Ms: 1, p95Ms: 2, p99Ms: 3, maxMs: 4 } } }),
          null
        )
      ).toEqual([{ operation: 'query', count: 3, p50Ms: 1, p95Ms: 2, p99Ms: 3, maxMs: 4 }])
      const file = {
        schemaVersion: 1 as const,
        unit: 'us' as const,
        operations: {
          insert: {
            count: 9,
            minUs: 1,
            maxUs: 9000,
            meanUs: 5,
            p50Us: 1500,
            p90Us: 1,
            p95Us: 2000,
            p99Us: 3000,
            p999Us: 1
          }
        }
      }
      expect(latencyRows(analysis(), file)).toEqual([
        { operation: 'insert', count: 9, p50Ms: 1.5, p95Ms: 2, p99Ms: 3, maxMs: 9 }
      ])
    })
  })
})
