import { describe, expect, it } from 'vitest'
import { analysis, sample, sessionView, T0 } from '../../test/factories'
import {
  connectionsVerdict,
  growthSpec,
  headline,
  latencyRows,
  missingConnections,
  thinnedNote,
  trendLine
} from './Investigation.utils'

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

  describe('thinnedNote', () => {
    it('says what a thinned chart is drawn from, and nothing when every sample is drawn', () => {
      expect(thinnedNote(sessionView())).toBeNull()
      expect(thinnedNote(sessionView({ sampleCount: 288_000 }))).toBe(
        "Drawn from 4 of 288,000 samples: each span of time's highest and lowest RSS. " +
          'The analysis reads all 288,000.'
      )
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

  describe('connectionsVerdict', () => {
    const judged = { stale: false, missing: false, graceMs: 30_000, judgedFrom: T0 }

    it('says they agree only when every measured count is the same', () => {
      expect(connectionsVerdict({ ...judged, expected: 25, sockets: 25, serverReported: 25 })).toBe(
        'They agree: 25 connections.'
      )
      expect(connectionsVerdict({ ...judged, expected: 0, sockets: 4, serverReported: 0 })).toBe(
        'They differ: 0 expected, 4 sockets on the port, 0 reported by the server. ' +
          "The server's own session count matches what the profiler has open, so no stale connections are flagged."
      )
    })

    it('says it was not judged, and why, when the run ended within the grace period', () => {
      const verdict = connectionsVerdict({
        ...judged,
        judgedFrom: null,
        expected: 0,
        sockets: 0,
        serverReported: 0
      })
      expect(verdict).toMatch(/^Not judged: the run ended within the 30 s grace period/)
      expect(verdict).not.toMatch(/agree/)
      expect(
        connectionsVerdict({ ...judged, expected: 5, sockets: null, serverReported: null })
      ).toBe("Not judged: the server's side was not measured.")
    })

    it('names stale and missing connections with their number', () => {
      expect(
        connectionsVerdict({
          ...judged,
          stale: true,
          expected: 25,
          sockets: 40,
          serverReported: 40
        })
      ).toBe(
        'They disagree after the grace period: the server keeps stale connections (15 more than the profiler has open).'
      )
      const missing = { ...judged, missing: true, expected: 10, sockets: 7, serverReported: 7 }
      expect(missingConnections(missing)).toBe(3)
      expect(missingConnections({ ...missing, missing: false })).toBeNull()
      expect(connectionsVerdict(missing)).toBe(
        'They disagree after the grace period: 3 connections the profiler has open are missing on the server (dropped).'
      )
    })
  })
})
