import { describe, expect, it } from 'vitest'
import { formatSlope } from './format'

describe('format', () => {
  describe('formatSlope', () => {
    it('signs a slope and prints an unbounded interval end as ∞', () => {
      expect(formatSlope(38 * 1024 * 1024)).toBe('+38.0 MiB/min')
      expect(formatSlope(-1536)).toBe('-1.5 KiB/min')
      expect(formatSlope(Number.MAX_VALUE)).toBe('+∞/min')
      expect(formatSlope(-Number.MAX_VALUE)).toBe('-∞/min')
    })
  })
})
