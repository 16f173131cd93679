import { describe, expect, it } from 'vitest'
import { phaseSpans } from './phases'
import {
  analyzeRelease,
  gaveBackEnough,
  keptMostOf,
  releasedEnough,
  type ReleaseResult
} from './release'
import * as S from './synthetic'

const L = 100 * 1024 * 1024
const T0 = 1_700_000_000_000
const MIN = 60_000
// baseline 0–30 s, load 30–150 s, idle 150–270 s
const events = [
  { t: T0, type: 'phase' as const, phase: 'baseline' },
  { t: T0 + 30_000, type: 'phase' as const, phase: 'load' },
  { t: T0 + 150_000, type: 'phase' as const, phase: 'idle' }
]
const grow = (keptShare: number, halfLifeMs = 10_000): S.Shape => {
  const inner = S.growthThenRelease(L, 10, 120_000, halfLifeMs, keptShare)
  return (ms) => (ms < 30_000 ? L : inner(ms - 30_000))
}

function release(shape: S.Shape, noise = 0.001) {
  const pts = S.synthesize(shape, { durationMs: 270_000, noise, t0: T0 })
  return analyzeRelease(pts, phaseSpans(events, T0 + 270_000))
}

describe('analysis/release', () => {
  describe('analyzeRelease', () => {
    it('measures a full release and its half-life', () => {
      const r = release(grow(0, 10_000))
      expect(r?.releasedPercent).toBeGreaterThan(95)
      expect(r?.halfLifeSec).toBeGreaterThanOrEqual(8)
      expect(r?.halfLifeSec).toBeLessThanOrEqual(14)
      expect((r?.grownBytes ?? 0) / L).toBeCloseTo(0.2, 1)
    })

    it('measures memory that is kept', () => {
      expect(release(grow(1))?.releasedPercent).toBeLessThan(5)
      expect(release(grow(1))?.halfLifeSec).toBeNull()
      const half = release(grow(0.6))?.releasedPercent ?? 0
      expect(half).toBeGreaterThan(35)
      expect(half).toBeLessThan(45)
    })

    it('has no release percentage when nothing grew under load', () => {
      expect(release(S.flat(L))?.releasedPercent).toBeNull()
    })

    it('is null without a load phase or without samples after it', () => {
      const pts = S.synthesize(S.flat(L), { durationMs: 100_000, t0: T0 })
      expect(analyzeRelease(pts, [])).toBeNull()
      expect(
        analyzeRelease(pts, phaseSpans([{ t: T0, type: 'phase', phase: 'load' }], T0 + 100_000))
      ).toBeNull()
    })

    it('ignores a teardown after load: it is not a release phase', () => {
      const teardown = [
        ...events.slice(0, 2),
        { t: T0 + 150_000, type: 'phase' as const, phase: 'teardown' }
      ]
      const pts = S.synthesize(grow(0), { durationMs: 270_000, t0: T0 })
      expect(analyzeRelease(pts, phaseSpans(teardown, T0 + 270_000))).toBeNull()
    })

    it('reads the baseline before load when there is no baseline phase', () => {
      const spans = phaseSpans(events.slice(1), T0 + 270_000)
      const pts = S.synthesize(grow(0), { durationMs: 270_000, noise: 0.001, t0: T0 })
      expect(analyzeRelease(pts, spans)?.baselineBytes).toBeCloseTo(L, -6)
      void MIN
    })

    it('measures from the level load started at when the baseline phase settled lower', () => {
      // 10 % above for the first 18 s of the 30 s baseline (the setup's garbage, collected),
      // then a load that grows 20 % and keeps all of it.
      const settling: S.Shape = (ms) => (ms < 18_000 ? 1.1 * L : grow(1)(ms))
      const r = release(settling)
      expect((r?.baselineBytes ?? 0) / L).toBeCloseTo(1, 2)
      expect(r && keptMostOf(r)).toBe(true)
      // Steady, the later half is the phase: the same level.
      expect((release(grow(1))?.baselineBytes ?? 0) / L).toBeCloseTo(1, 2)
    })
  })

  describe('gaveBackEnough', () => {
    it('takes most of the growth back, or half and the rest within 15 % of the base', () => {
      expect(gaveBackEnough(null, 100, 100)).toBe(false)
      expect(gaveBackEnough(80, 100, 140)).toBe(true)
      expect(gaveBackEnough(60, 100, 115)).toBe(true)
      expect(gaveBackEnough(60, 100, 116)).toBe(false)
      expect(gaveBackEnough(49, 100, 101)).toBe(false)
      // A part of the process (the heap) may be held to the whole's level (RSS).
      expect(gaveBackEnough(60, 100, 130, 200)).toBe(true)
    })
  })

  describe('releasedEnough and keptMostOf, held to another level', () => {
    // A heap of 30 MiB in a 100 MiB process gave back 64 % of its growth and kept 8 MiB:
    // 27 % of its own baseline, 8 % of the process's RSS.
    const heap: ReleaseResult = {
      loadEnd: T0,
      baselineBytes: 30,
      peakBytes: 52,
      finalBytes: 38,
      grownBytes: 22,
      releasedPercent: 64,
      halfLifeSec: 6,
      quietMs: 30_000
    }
    it('is held to its own baseline unless told otherwise', () => {
      expect(releasedEnough(heap)).toBe(false)
      expect(releasedEnough(heap, 100)).toBe(true)
    })
    it('keeps "most" to the same base', () => {
      const stayed = { ...heap, releasedPercent: 30, finalBytes: 45 }
      expect(keptMostOf(stayed)).toBe(true)
      expect(keptMostOf(stayed, 100)).toBe(false)
    })
  })

  describe('keptMostOf', () => {
    const kept = (releasedPercent: number | null, finalBytes: number): boolean =>
      keptMostOf({
        loadEnd: T0,
        baselineBytes: 100,
        peakBytes: 150,
        finalBytes,
        grownBytes: 50,
        releasedPercent,
        halfLifeSec: null,
        quietMs: 30_000
      })

    it('takes under half given back and an end beyond 15 % of the base for growth that stayed', () => {
      expect(kept(40, 130)).toBe(true)
      expect(kept(-5, 152)).toBe(true)
      // Half given back, or an end within T224's limit, or nothing grown: not kept.
      expect(kept(50, 125)).toBe(false)
      expect(kept(40, 115)).toBe(false)
      expect(kept(null, 130)).toBe(false)
      expect(
        keptMostOf({
          loadEnd: T0,
          baselineBytes: 0,
          peakBytes: 50,
          finalBytes: 50,
          grownBytes: 50,
          releasedPercent: 0,
          halfLifeSec: null,
          quietMs: 30_000
        })
      ).toBe(false)
      // Never both kept and given back enough.
      for (const [p, end] of [
        [40, 130],
        [60, 115],
        [50, 116],
        [80, 140]
      ] as const) {
        expect(kept(p, end) && gaveBackEnough(p, 100, end)).toBe(false)
      }
    })
  })
})
