import { decodeFromCompressedBase64 } from 'hdr-histogram-js'
import { describe, expect, it } from 'vitest'
import { LatencyRecorder, clampUs } from './latency'

describe('workload/latency', () => {
  describe('LatencyRecorder', () => {
    it('summarises each operation in µs with percentiles and an exact histogram', () => {
      const r = new LatencyRecorder()
      for (let i = 1; i <= 1000; i++) r.record('insert', i * 100)
      r.recordMs('query', 5)
      const file = r.toFile()
      expect(file.unit).toBe('us')
      const insert = file.operations['insert']!
      expect(insert.count).toBe(1000)
      expect(insert.p50Us).toBeGreaterThanOrEqual(49_900)
      expect(insert.p50Us).toBeLessThanOrEqual(50_100)
      expect(insert.p99Us).toBeGreaterThanOrEqual(98_900)
      expect(insert.maxUs).toBeGreaterThanOrEqual(99_900)
      expect(file.operations['query']!.p50Us).toBeGreaterThanOrEqual(4990)
      const back = decodeFromCompressedBase64(insert.histogram!)
      expect(back.totalCount).toBe(1000)
      r.destroy()
    })

    it('answers null percentiles and leaves out operations with nothing recorded', () => {
      const r = new LatencyRecorder()
      expect(r.percentileUs('flush', 50)).toBeNull()
      expect(r.toFile().operations).toEqual({})
    })
  })

  describe('clampUs', () => {
    it('keeps extreme values in range instead of dropping them', () => {
      expect(clampUs(-5)).toBe(1)
      expect(clampUs(Number.NaN)).toBe(1)
      expect(clampUs(1e15)).toBe(3_600_000_000)
    })
  })
})
