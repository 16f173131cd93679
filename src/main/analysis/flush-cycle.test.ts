import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import { syntheticSession, T0 } from '../../../test/fixtures/sessions/build'
import {
  fitFlushCycle,
  lessFlushCycle,
  memtablesOf,
  MAX_LEFT_OUT_SHARE_PER_SAMPLE,
  MIN_PAIRED_POINTS,
  samplesWithoutFlushCycle,
  withoutFlushCycle
} from './flush-cycle'
import type { Point } from './growth'
import { analyzeSession } from './index'
import * as S from './synthetic'
import { judgeTrend, MIN_TREND_POINTS } from './trend'
import { flushCycleClause } from './words'

const MiB = 1024 * 1024
const MIN = 60_000
const PERIOD = 50_000
/** Memtables filling to 2 MiB over each 50 s flush period, as the server reports them. */
const memtableAt = (ms: number): number => ((ms % PERIOD) / PERIOD) * 2 * MiB

interface Coarse {
  /** Memory per memtable byte (the cycle's weight). */
  weight?: number
  leakPerMin?: number
  /** Memtables as reported, by ms since start (default: the 50 s cycle). */
  memtables?: (ms: number) => number
  intervalMs?: number
  durationMs?: number
  seed?: number
}

/** Memory sampled every 30 s (by default) for 5 minutes, riding a 50 s flush cycle. */
function coarse(c: Coarse = {}): { points: Point[]; memtables: Point[] } {
  const normal = S.gaussian(S.seededRandom(c.seed ?? 7))
  const interval = c.intervalMs ?? 30_000
  const points: Point[] = []
  const memtables: Point[] = []
  for (let ms = 0; ms <= (c.durationMs ?? 5 * MIN); ms += interval) {
    const m = (c.memtables ?? memtableAt)(ms)
    const v =
      150 * MiB + ((c.leakPerMin ?? 0) * ms) / MIN + (c.weight ?? 10) * m + 0.3 * MiB * normal()
    points.push({ t: T0 + ms, v })
    memtables.push({ t: T0 + ms, v: m })
  }
  return { points, memtables }
}

const whole = (points: readonly Point[]): { from: number; to: number } => ({
  from: (points[0] as Point).t,
  to: (points[points.length - 1] as Point).t
})

describe('analysis/flush-cycle', () => {
  it('fits how much memory rides on the memtables, with the time trend beside it', () => {
    const { points, memtables } = coarse({ weight: 10, leakPerMin: 6 * MiB })
    const cycle = fitFlushCycle(points, memtables, whole(points))
    expect(cycle?.bytesPerMemtableByte).toBeGreaterThan(9)
    expect(cycle?.bytesPerMemtableByte).toBeLessThan(11)
    expect(cycle?.partialR2).toBeGreaterThan(0.9)
    expect(cycle?.meanMemtableBytes).toBeCloseTo(
      memtables.reduce((a, p) => a + p.v, 0) / memtables.length
    )
  })

  it('pairs each sample only with the memtable reading taken with it', () => {
    // Every third poll missing (a timeout): those samples have no place in the cycle. Paired
    // with the next reading instead, they would read the wrong phase and blur the weight.
    const { points, memtables } = coarse({
      weight: 10,
      leakPerMin: 6 * MiB,
      intervalMs: 20_000,
      durationMs: 10 * MIN
    })
    const polled = memtables.filter((_, i) => i % 3 !== 1)
    const cycle = fitFlushCycle(points, polled, whole(points))
    expect(cycle?.samplesUsed).toBe(polled.length)
    expect(cycle?.bytesPerMemtableByte).toBeGreaterThan(9)
    expect(cycle?.bytesPerMemtableByte).toBeLessThan(11)
  })

  it('turns an aliased sawtooth sampled every 30 s into a series whose leak shows', () => {
    const { points, memtables } = coarse({ weight: 10, leakPerMin: 6 * MiB })
    // As measured, the ±10 MiB of the cycle hides the leak.
    expect(judgeTrend(points).verdict).toBe('inconclusive')
    const cycle = fitFlushCycle(points, memtables, whole(points))!
    const judged = judgeTrend(withoutFlushCycle(points, memtables, cycle))
    expect(judged.verdict).toBe('leak')
    expect(judged.slopeBytesPerMin).toBeGreaterThan(0.85 * 6 * MiB)
    expect(judged.slopeBytesPerMin).toBeLessThan(1.15 * 6 * MiB)
  })

  it('and a flat one stable', () => {
    const { points, memtables } = coarse({ weight: 10 })
    const cycle = fitFlushCycle(points, memtables, whole(points))!
    const judged = judgeTrend(withoutFlushCycle(points, memtables, cycle))
    expect(judged.verdict).toBe('stable')
    // Far surer of it than the series as measured.
    const width = ([lo, hi]: [number, number]): number => hi - lo
    expect(width(judged.slopeCi95)).toBeLessThan(width(judgeTrend(points).slopeCi95) / 3)
  })

  it('takes nothing out when the memtables only fill (no flush): they would take the trend', () => {
    // Rows awaiting their first flush, filling ever slower: memory follows them exactly, but
    // no flush showed that it comes back (flushes.ts says so); taken out, it would read flat.
    const filling = (ms: number): number => 2 * MiB * Math.sqrt(ms / (5 * MIN))
    const { points, memtables } = coarse({ weight: 10, memtables: filling })
    expect(fitFlushCycle(points, memtables, whole(points))).toBeNull()
  })

  it('takes nothing out when memory does not follow the memtables', () => {
    const { points, memtables } = coarse({ weight: 0, leakPerMin: MiB })
    expect(fitFlushCycle(points, memtables, whole(points))).toBeNull()
  })

  it('takes nothing out when memory falls as the memtables fill', () => {
    const { points, memtables } = coarse({ weight: -10 })
    expect(fitFlushCycle(points, memtables, whole(points))).toBeNull()
  })

  it(`needs ${MIN_PAIRED_POINTS} samples with a memtable reading inside the window`, () => {
    // Every 40 s for 4 minutes: seven samples over five cycles.
    const { points, memtables } = coarse({ weight: 10, intervalMs: 40_000, durationMs: 240_000 })
    expect(points.length).toBe(7)
    expect(fitFlushCycle(points, memtables, whole(points))).not.toBeNull()
    // Readings missing for two samples leave five pairs.
    const fewer = memtables.filter((_, i) => i !== 2 && i !== 4)
    expect(fitFlushCycle(points, fewer, whole(points))).toBeNull()
    // And only the window counts.
    expect(fitFlushCycle(points, memtables, { ...whole(points), from: T0 + 60_000 })).toBeNull()
  })

  it(`needs ${MIN_TREND_POINTS} flush cycles: each is one point of the trend`, () => {
    // Every 30 s for 3 minutes: seven samples, but over four cycles.
    const { points, memtables } = coarse({ weight: 10, durationMs: 3 * MIN })
    expect(points.length).toBe(7)
    expect(fitFlushCycle(points, memtables, whole(points))).toBeNull()
  })

  it('takes nothing out where the sampler sees each cycle, unless asked to', () => {
    const every = (intervalMs: number): ReturnType<typeof coarse> =>
      coarse({ weight: 10, leakPerMin: 6 * MiB, intervalMs })
    // 50 s cycles: every 20 s is 2.5 samples a cycle, every 10 s five.
    const sparse = every(20_000)
    expect(fitFlushCycle(sparse.points, sparse.memtables, whole(sparse.points))?.perCycle).toBe(
      true
    )
    const dense = every(10_000)
    const window = whole(dense.points)
    expect(fitFlushCycle(dense.points, dense.memtables, window)).toBeNull()
    // Asked (samples too uneven to call, no sawtooth to judge): taken out, and the series
    // less it judged sample by sample.
    const cycle = fitFlushCycle(dense.points, dense.memtables, window, { perSample: true })
    expect(cycle?.perCycle).toBe(false)
    expect(cycle?.bytesPerMemtableByte).toBeGreaterThan(9)
    expect(cycle?.bytesPerMemtableByte).toBeLessThan(11)
  })

  it('judges a few long cycles seen by the sampler sample by sample, less the cycle', () => {
    // Two flushes of a 100 s cycle in 4.5 minutes sampled every second (a recorded
    // writers-and-listeners run): as measured, the climbs and drops hide a leak of
    // 1.5 MiB/min; less the cycle it is plain, and a clean twin stays stable.
    const long = (ms: number): number => ((ms % 100_000) / 100_000) * 2 * MiB
    const run = (leakPerMin: number): ReturnType<typeof coarse> =>
      coarse({ weight: 2, leakPerMin, memtables: long, intervalMs: 1000, durationMs: 270_000 })
    const measured = judgeTrend(run(1.5 * MiB).points)
    expect(measured).toMatchObject({ verdict: 'inconclusive', code: 'noisy', sawtooth: null })
    for (const [leakPerMin, verdict] of [
      [1.5 * MiB, 'leak'],
      [0, 'stable']
    ] as const) {
      const { points, memtables } = run(leakPerMin)
      const cycle = fitFlushCycle(points, memtables, whole(points), { perSample: true })!
      expect(cycle.perCycle).toBe(false)
      const less = lessFlushCycle(points, memtables, cycle)
      expect(less).toHaveLength(points.length - cycle.leftOut.length)
      const judged = judgeTrend(less, {}, { warmedUp: true })
      expect(judged.verdict).toBe(verdict)
      expect(judged.slopeBytesPerMin).toBeGreaterThan(leakPerMin - 0.2 * MiB)
      expect(judged.slopeBytesPerMin).toBeLessThan(leakPerMin + 0.2 * MiB)
      expect(flushCycleClause('rssBytes', cycle)).toMatch(
        /^ \(Judged with the flush cycle taken out, its cycles too few to judge by their troughs: RSS rose and fell by 2\.0 bytes per byte/
      )
    }
  })

  it(`judged sample by sample, leaves out at most ${MAX_LEFT_OUT_SHARE_PER_SAMPLE * 100}% of the samples`, () => {
    // Memory that gives a flush back 12 s late (the simulator's V8): right after each 50 s
    // flush it still reads full while the memtables read empty. One point a cycle would
    // average that away; single samples would carry it into the trend.
    const lag = (lagMs: number): ReturnType<typeof coarse> => {
      const c = coarse({ weight: 2, intervalMs: 1000, durationMs: 270_000 })
      const points = c.points.map((p) => {
        const ms = p.t - T0
        const late = ms % PERIOD < lagMs && ms >= PERIOD
        return late ? { ...p, v: p.v + 2 * (2 * MiB - memtableAt(ms)) } : p
      })
      return { points, memtables: c.memtables }
    }
    const prompt = lag(2_000)
    const cycle = fitFlushCycle(prompt.points, prompt.memtables, whole(prompt.points), {
      perSample: true
    })
    expect(cycle?.leftOut.length).toBeGreaterThan(0)
    const slow = lag(12_000)
    expect(
      fitFlushCycle(slow.points, slow.memtables, whole(slow.points), { perSample: true })
    ).toBeNull()
  })

  it('leaves out a sample whose poll came just before a flush it was taken after', () => {
    // Polled 1 s before each sample; the samples 1 s after a flush read the full memtables
    // of the poll over emptied memory, twice in twelve (every 150 s the same phase returns).
    const lagged = (ms: number): number => memtableAt(ms - 1000)
    const { points, memtables } = coarse({
      weight: 10,
      leakPerMin: 6 * MiB,
      memtables: lagged,
      durationMs: 5.5 * MIN
    })
    const shifted = points.map((p) => ({ ...p, t: p.t + 500 }))
    const readings = memtables.map((p) => ({ ...p, t: p.t + 500 }))
    // Memory as the samples saw it, 0.5 s into each 30 s step (two land just after a flush).
    const truth = shifted.map((p, i) => ({
      t: p.t,
      v: (points[i] as Point).v - 10 * (memtables[i] as Point).v + 10 * memtableAt(p.t - T0)
    }))
    const straddled = readings.filter((p, i) => p.v > memtableAt(truth[i]!.t - T0) + MiB)
    expect(straddled.length).toBe(2)
    const cycle = fitFlushCycle(truth, readings, whole(truth))!
    expect(cycle.leftOut).toEqual(straddled.map((p) => p.t))
    expect(cycle.bytesPerMemtableByte).toBeGreaterThan(9)
    expect(cycle.bytesPerMemtableByte).toBeLessThan(11)
    expect(judgeTrend(withoutFlushCycle(truth, readings, cycle)).verdict).toBe('leak')
    expect(flushCycleClause('rssBytes', cycle)).toMatch(
      / 2 samples taken across a flush from their memtable poll were left out\.\)$/
    )
  })

  it('leaves out no sample that is merely noisy', () => {
    // A trimmed fit of eight points picked from ten fits them closer than their noise: judged
    // by its spread alone, ordinary samples fell outside four of it.
    for (let seed = 1; seed <= 20; seed++) {
      const { points, memtables } = coarse({ weight: 10, leakPerMin: MiB, seed })
      expect(fitFlushCycle(points, memtables, whole(points))?.leftOut, `seed ${seed}`).toEqual([])
    }
  })

  it('judges one point per flush cycle, as each cycle leaves its own level', () => {
    const { points, memtables } = coarse({ weight: 10 })
    const cycle = fitFlushCycle(points, memtables, whole(points))!
    const out = withoutFlushCycle(points, memtables, cycle)
    // A cycle ends where the memtables fall: eleven samples over six 50 s cycles.
    const falls = memtables.filter((p, i) => i > 0 && p.v < (memtables[i - 1] as Point).v)
    expect(out).toHaveLength(falls.length + 1)
    // The first cycle's samples (0 s and 30 s), less the cycle, averaged.
    const less = (i: number): number =>
      (points[i] as Point).v -
      cycle.bytesPerMemtableByte * ((memtables[i] as Point).v - cycle.meanMemtableBytes)
    expect(out[0]?.t).toBe(T0 + 15_000)
    expect(out[0]?.v).toBeCloseTo((less(0) + less(1)) / 2)
    // Without a reading, or left out by the fit, a sample is not judged.
    const some = withoutFlushCycle(points, memtables.slice(2), cycle)
    expect(some[0]?.t).toBe(T0 + 75_000) // the samples at 60 s and 90 s
    const without = withoutFlushCycle(points, memtables, { ...cycle, leftOut: [T0 + 30_000] })
    expect(without[0]).toEqual({ t: T0, v: less(0) })
  })

  it('gives attribution the samples less the cycle, with a reading and not left out', () => {
    const { points, memtables } = coarse({ weight: 10 })
    const cycle = fitFlushCycle(points, memtables, whole(points))!
    const samples = syntheticSession({ rss: S.flat(150 * MiB), durationMs: 10_000 }).samples
    const some = samples.map((s, i): Sample =>
      i < 4 ? { ...s, server: { polledAt: s.t, memtableBytes: MiB } } : s
    )
    const adjusted = samplesWithoutFlushCycle(some, 'heapBytes', {
      ...cycle,
      leftOut: [(some[3] as Sample).t]
    })
    expect(adjusted).toHaveLength(3)
    expect(adjusted[0]?.heapBytes).toBeCloseTo(
      (some[0] as Sample).heapBytes - cycle.bytesPerMemtableByte * (MiB - cycle.meanMemtableBytes)
    )
    expect(adjusted[0]?.rssBytes).toBe((some[0] as Sample).rssBytes)
    expect(memtablesOf(some)).toEqual(some.slice(0, 4).map((s) => ({ t: s.t, v: MiB })))
  })

  describe('through analyzeSession', () => {
    /** A 30 s sampler's session on a 50 s flush cycle; the server's memtables polled 1 s before. */
    const session = (leakPerMin: number): ReturnType<typeof syntheticSession> => {
      const normal = S.gaussian(S.seededRandom(3))
      return syntheticSession({
        rss: (ms) => 150 * MiB + (leakPerMin * ms) / MIN + 10 * memtableAt(ms - 1000),
        durationMs: 6 * MIN,
        intervalMs: 30_000,
        sample: (ms, s) => {
          const noise = 0.3 * MiB * normal()
          return {
            ...s,
            rssBytes: s.rssBytes + noise,
            heapBytes: s.heapBytes + noise,
            server: { polledAt: T0 + ms - 1000, memtableBytes: memtableAt(ms - 1000) }
          }
        }
      })
    }

    it('calls the aliased leak a leak and says the cycle was taken out', () => {
      const a = analyzeSession(session(6 * MiB))
      for (const field of ['rssBytes', 'heapBytes'] as const) {
        const m = a.metrics[field]
        expect(m).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
        expect(m?.bytesPerMemtableByte).toBeGreaterThan(9)
        expect(m?.bytesPerMemtableByte).toBeLessThan(11)
        expect(m?.reason).toMatch(
          /\(Judged one point per flush cycle, with the cycle taken out: .* rose and fell by \d+ bytes per byte the server held in memtables, which explains \d+% of its spread about the trend\.\)$/
        )
      }
    })

    it('reports growth as measured: only the trend is judged without the cycle', () => {
      const s = session(6 * MiB)
      const a = analyzeSession(s)
      const b = analyzeSession({
        ...s,
        samples: s.samples.map(({ server: _server, ...rest }) => rest)
      })
      expect(b.metrics.rssBytes?.bytesPerMemtableByte).toBeNull()
      for (const key of ['baselineBytes', 'finalBytes', 'growthPercent'] as const) {
        expect(a.metrics.rssBytes?.[key]).toBe(b.metrics.rssBytes?.[key])
      }
    })

    it('calls its clean twin stable', () => {
      const a = analyzeSession(session(0))
      expect(a.metrics.rssBytes?.verdict).toBe('stable')
      expect(a.metrics.heapBytes?.verdict).toBe('stable')
    })

    it('reports no weight where nothing was taken out', () => {
      const a = analyzeSession(syntheticSession({ rss: S.flat(150 * MiB), durationMs: 5 * MIN }))
      expect(a.metrics.rssBytes?.bytesPerMemtableByte).toBeNull()
    })
  })
})
