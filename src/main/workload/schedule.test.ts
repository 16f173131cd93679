import { describe, expect, it } from 'vitest'
import { OpenSchedule } from './schedule'

describe('workload/schedule', () => {
  describe('OpenSchedule', () => {
    it('lays intended starts on a fixed grid from the start time', () => {
      const s = new OpenSchedule(1000, 100)
      expect(s.takeDue(1000)).toEqual([1000])
      expect(s.takeDue(1035)).toEqual([1010, 1020, 1030])
      expect(s.peek()).toBe(1040)
    })

    it('keeps every intended start when the caller falls behind (no coordinated omission)', () => {
      const s = new OpenSchedule(0, 1000)
      // A 60 s stall: the grid still holds 60,001 starts, none dropped.
      expect(s.takeDue(60_000, 1_000_000)).toHaveLength(60_001)
    })

    it('restarts the grid at the new rate from the change on', () => {
      const s = new OpenSchedule(0, 10)
      s.takeDue(250)
      s.setRate(100, 300)
      expect(s.takeDue(330)).toEqual([300, 310, 320, 330])
      expect(s.ratePerSec).toBeCloseTo(100)
    })

    it('plans nothing at rate 0', () => {
      const s = new OpenSchedule(0, 0)
      expect(s.takeDue(1e9)).toEqual([])
      expect(s.peek()).toBe(Infinity)
    })

    it('caps one take at max, leaving the rest for the next', () => {
      const s = new OpenSchedule(0, 1000)
      expect(s.takeDue(100, 10)).toHaveLength(10)
      expect(s.peek()).toBe(10)
    })
  })
})
