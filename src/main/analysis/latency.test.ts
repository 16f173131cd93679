import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import { cpuSummary, latencyPercentiles } from './latency'

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
