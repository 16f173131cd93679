import { describe, expect, it } from 'vitest'
import { despike, detectSawtooth, MAX_CLIMB_POINTS } from './sawtooth'
import * as S from './synthetic'

const L = 100 * 1024 * 1024

describe('analysis/sawtooth', () => {
  describe('detectSawtooth', () => {
    it('finds the drops and the trough after each', () => {
      const pts = S.synthesize(S.sawtooth(L, 0.1 * L, 20_000), {
        durationMs: 200_000,
        noise: 0.001
      })
      const saw = detectSawtooth(pts)
      expect(saw?.drops).toBe(10)
      expect(saw?.periodMs).toBe(20_000)
      for (const t of saw?.troughs ?? []) expect(Math.abs(t.v - L) / L).toBeLessThan(0.005)
    })

    it('holds a drop to a share of the part that moves, when told it', () => {
      // 0.8 MiB drops every 30 s: under 1 % of a 100 MiB RSS, over 1 % of a 50 MiB heap.
      const pts = S.synthesize(S.sawtooth(L, 0.008 * L, 30_000), {
        durationMs: 180_000,
        noise: 0.0002
      })
      expect(detectSawtooth(pts)).toBeNull()
      expect(detectSawtooth(pts, { dropLevelBytes: L / 2 })?.drops).toBe(6)
    })

    it('sees rising troughs under a sawtooth', () => {
      const pts = S.synthesize(S.sawtooth(L, 0.1 * L, 20_000, 1), { durationMs: 200_000 })
      const troughs = detectSawtooth(pts)?.troughs ?? []
      expect((troughs[troughs.length - 1]?.v ?? 0) - (troughs[0]?.v ?? 0)).toBeGreaterThan(
        0.025 * L
      )
    })

    it('fits climbs of an hour at 10 Hz on a bounded number of their samples', () => {
      // Four hourly cycles sampled every 100 ms: 36,000 samples a climb, whose every pair
      // would take 5 GiB. Troughs rise 0.01 %/min, 0.6 % of the level an hour.
      const pts = S.synthesize(S.sawtooth(L, 0.1 * L, 3_600_000, 0.01), {
        durationMs: 4 * 3_600_000,
        intervalMs: 100,
        noise: 0.0005
      })
      expect(pts.length).toBeGreaterThan(4 * MAX_CLIMB_POINTS * 18)
      const troughs = detectSawtooth(pts)?.troughs ?? []
      expect(troughs).toHaveLength(3)
      troughs.forEach((t, i) => {
        expect(Math.abs(t.v - L * (1 + 0.006 * (i + 1))) / L).toBeLessThan(0.001)
      })
    })

    it('reads a trough from a last climb cut short when it has a third of a climb', () => {
      // 12 samples a 60 s cycle; the window ends 20 s (5 samples) or 5 s (2 samples) into
      // the last climb, which keeps its trough with 4 samples or more.
      const troughsUntil = (ms: number, intervalMs = 5000): number =>
        detectSawtooth(S.synthesize(S.sawtooth(L, 0.1 * L, 60_000), { durationMs: ms, intervalMs }))
          ?.troughs.length ?? 0
      expect(troughsUntil(4 * 60_000 + 20_000)).toBe(4)
      expect(troughsUntil(4 * 60_000 + 5_000)).toBe(3)
      // Every 10 s (6 samples a cycle) a third of a climb is two samples: three are asked.
      expect(troughsUntil(4 * 60_000 + 20_000, 10_000)).toBe(4)
      expect(troughsUntil(4 * 60_000 + 10_000, 10_000)).toBe(3)
    })

    it('counts the first fall when the window opens part way up a climb', () => {
      // The judged window starts after the warm-up, here 30 s into a 50 s cycle: only 40 %
      // of the first climb is seen before it drops. Its trough is a trough like the others.
      const cycle = S.sawtooth(L, 0.1 * L, 50_000, 2)
      const pts = S.synthesize((ms) => cycle(ms + 30_000), {
        durationMs: 250_000,
        intervalMs: 2000,
        noise: 0.001
      })
      const troughs = detectSawtooth(pts)?.troughs ?? []
      const t0 = (pts[0] as { t: number }).t
      expect(troughs.map((p) => Math.round((p.t - t0) / 1000))).toEqual([19, 69, 119, 169, 219])
      for (const [i, p] of troughs.entries()) {
        expect(Math.abs(p.v - L * (1 + 0.02 * ((30 + 20 + 50 * i) / 60))) / L).toBeLessThan(0.005)
      }
      // …but a fall from a flat stretch (memory given back before the flushes start) is no
      // sawtooth's drop: nothing climbed to it.
      const flatThenSaw = S.synthesize(
        (ms) => (ms < 30_000 ? 1.1 * L : cycle(ms - 30_000 + 1000)),
        { durationMs: 250_000, intervalMs: 1000, noise: 0.001 }
      )
      const first = detectSawtooth(flatThenSaw)?.troughs[0]
      expect(Math.round(((first?.t ?? 0) - (flatThenSaw[0] as { t: number }).t) / 1000)).toBe(79)
      // …and a window opening on a fall has seen no climb: a decay stays no sawtooth.
      const decay = S.growthThenRelease(L, 5, 1, 10_000)
      expect(detectSawtooth(S.synthesize(decay, { durationMs: 180_000, noise: 0.002 }))).toBeNull()
    })

    it('is null for noise, for a decay that never climbs back, and for spikes', () => {
      expect(
        detectSawtooth(S.synthesize(S.flat(L), { durationMs: 300_000, noise: 0.01 }))
      ).toBeNull()
      const release = S.growthThenRelease(L, 5, 60_000, 10_000)
      expect(
        detectSawtooth(S.synthesize(release, { durationMs: 180_000, noise: 0.002 }))
      ).toBeNull()
      const random = S.seededRandom(5)
      const spiky: S.Shape = () => L * (random() < 0.05 ? 1.3 : 1)
      expect(detectSawtooth(S.synthesize(spiky, { durationMs: 300_000 }))).toBeNull()
    })
  })

  describe('despike', () => {
    it('removes spikes one and two samples wide and keeps the corners of a sawtooth', () => {
      expect(despike([10, 10, 50, 10, 10, 10, 60, 60, 10, 10])).toEqual([
        10, 10, 10, 10, 10, 10, 10, 10, 10, 10
      ])
      const saw = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0]
      expect(despike(saw)).toEqual(saw)
    })
  })
})
