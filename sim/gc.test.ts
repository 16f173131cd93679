import { describe, expect, it } from 'vitest'
import {
  BUSY_WINDOW_MS,
  GcPolicy,
  QUIET_COLLECTIONS_MS,
  YOUNG_TARGET_BYTES,
  type YoungGeneration
} from './gc'

const MiB = 1024 * 1024

/** A policy on a fake clock, its collections counted. */
function policy(intervalMs = 5000, young: YoungGeneration | null = null) {
  let now = 1_000_000
  let last = now
  let gcs = 0
  const p = new GcPolicy({
    gc: () => gcs++,
    intervalMs,
    lastActivity: () => last,
    now: () => now,
    young
  })
  return {
    p,
    advance: (ms: number) => (now += ms),
    activity: () => (last = now),
    gcs: () => gcs
  }
}

describe('sim/gc', () => {
  describe('GcPolicy', () => {
    it('collects every interval while requests arrive, not more often', () => {
      const s = policy(5000)
      const collected: boolean[] = []
      for (let t = 0; t < 20_000; t += 250) {
        s.activity()
        collected.push(s.p.tick())
        s.advance(250)
      }
      expect(s.gcs()).toBe(4) // at 0, 5, 10 and 15 s
      expect(collected.filter(Boolean)).toHaveLength(4)
    })

    it('collects once per quiet delay after the last request, then stops', () => {
      const s = policy(60_000)
      s.activity()
      s.p.tick() // the busy collection
      const busy = s.gcs()
      for (let t = 0; t < 30_000; t += 250) {
        s.advance(250)
        s.p.tick()
      }
      expect(s.gcs() - busy).toBe(QUIET_COLLECTIONS_MS.length)
      expect(BUSY_WINDOW_MS).toBeLessThan(QUIET_COLLECTIONS_MS[0]! + 1)
    })

    it('does nothing on an idle simulator that never saw a request', () => {
      const s = policy(1000)
      s.advance(10 * 60_000)
      for (let i = 0; i < 100; i++) {
        s.advance(250)
        s.p.tick()
      }
      // Only the quiet collections owed to the start (activity at t0), never a busy one.
      expect(s.gcs()).toBe(QUIET_COLLECTIONS_MS.length)
    })

    it('lets the young generation grow up to the target and stops it there', () => {
      let capacity = 4 * MiB
      const calls: boolean[] = []
      const s = policy(1000, {
        capacityBytes: () => capacity,
        allowGrowth: (allow) => calls.push(allow)
      })
      s.p.pinYoung()
      capacity = YOUNG_TARGET_BYTES
      s.p.pinYoung()
      s.p.pinYoung() // unchanged: no second call
      capacity = 2 * MiB // V8 shrank it in a quiet spell
      s.p.pinYoung()
      expect(calls).toEqual([true, false, true])
    })
  })
})
