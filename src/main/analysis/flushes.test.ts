import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import type { SessionEvent } from '../../shared/session'
import {
  countersEvents,
  phase,
  syntheticSamples,
  syntheticSession,
  T0,
  type SyntheticSession
} from '../../../test/fixtures/sessions/build'
import { FEW_FLUSHES_MARGIN_FACTOR, memtablesOnlyGrew } from './flushes'
import { analyzeMetric } from './metric'
import { analyzeSession } from './index'
import { renderAnalysisText } from './render-text'
import * as S from './synthetic'

const L = 200 * 1024 * 1024

/** Memtables polled every 3 s, filling 10 kB a second, emptied every `flushEveryS` (0 = never). */
const withMemtables =
  (flushEveryS: number) =>
  (ms: number, s: Sample): Sample => {
    const polledAt = Math.floor(ms / 3000) * 3000
    const since = flushEveryS > 0 ? polledAt % (flushEveryS * 1000) : polledAt
    return { ...s, server: { polledAt: T0 + polledAt, memtableBytes: 10 * since } }
  }

const leak = (sample?: SyntheticSession['sample']): ReturnType<typeof syntheticSession> =>
  syntheticSession({
    rss: S.linearLeak(L, 2),
    durationMs: 5 * 60_000,
    noise: 0.002,
    ...(sample ? { sample } : {})
  })

describe('analysis/flushes', () => {
  describe('checkLeakAgainstFlushes (through analyzeSession)', () => {
    it('makes a leak inconclusive when the server flushed nothing from the window on, saying why', () => {
      const a = analyzeSession(leak(withMemtables(0)))
      for (const field of ['rssBytes', 'heapBytes', 'pssBytes'] as const) {
        expect(a.metrics[field]).toMatchObject({ verdict: 'inconclusive', reasonCode: 'no-flush' })
      }
      expect(a.metrics.heapBytes?.reason).toMatch(
        /^Heap \(RssAnon\) grew \+.*\/min, but the server flushed no rows meanwhile \(its memtables only grew, .* to .*\): .* cannot be told from a leak\. Run until a flush happens/
      )
      expect(a.findings.some((f) => f.severity === 'problem')).toBe(false)
    })

    it('keeps the leak when a flush emptied the memtables and memory still grew', () => {
      const a = analyzeSession(leak(withMemtables(50)))
      expect(a.metrics.rssBytes).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
    })

    it('keeps the leak when a flush the profiler asked for completed in the window', () => {
      const session = leak(withMemtables(0))
      const flush = {
        t: T0 + 200_000,
        type: 'flush' as const,
        table: 'kp.rows',
        jobId: 'FL-0123456789ab',
        status: 'completed' as const,
        durationMs: 800,
        rows: 12_000
      }
      const a = analyzeSession({ ...session, events: [flush] })
      expect(a.metrics.rssBytes).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
      const failed = analyzeSession({ ...session, events: [{ ...flush, status: 'failed' }] })
      expect(failed.metrics.rssBytes?.reasonCode).toBe('no-flush')
    })

    it('keeps the leak when the server does not report its memtables', () => {
      expect(analyzeSession(leak()).metrics.rssBytes?.verdict).toBe('leak')
    })
  })

  describe('a load flushed only after it ends (T228, through analyzeSession)', () => {
    const MiB = 1024 * 1024
    // 30 s baseline, a 60 s load growing `grownMiB` with memtables only filling, then a flush
    // and 40 s of quiet that keep `keptMiB` of it. Polls stop with the load (the quiet polls
    // nothing), as a run's cooldown does.
    const ramp = (base: number, grownMiB: number, keptMiB: number): S.Shape => {
      return (ms) =>
        ms < 30_000
          ? base
          : ms <= 90_000
            ? base + (grownMiB * MiB * (ms - 30_000)) / 60_000
            : base + keptMiB * MiB
    }
    const memtablesInLoad = (ms: number, s: Sample): Sample => {
      if (ms < 30_000 || ms > 90_000) return s
      const polledAt = Math.floor(ms / 3000) * 3000
      return { ...s, server: { polledAt: T0 + polledAt, memtableBytes: 20 * (polledAt - 27_000) } }
    }
    const flush: SessionEvent = {
      t: T0 + 91_500,
      type: 'flush',
      table: 'kp.rows',
      jobId: 'FL-0123456789ab',
      status: 'completed',
      durationMs: 80,
      rows: 6000
    }
    const session = (rss: S.Shape, heap: S.Shape, events: SessionEvent[] = [flush]) =>
      analyzeSession(
        syntheticSession({
          rss,
          heap,
          durationMs: 130_000,
          noise: 0.001,
          sample: memtablesInLoad,
          events: [
            phase(0, 'baseline'),
            phase(30_000, 'load'),
            phase(90_000, 'cooldown'),
            ...events
          ]
        })
      )

    it('keeps a leak whose growth stayed through the quiet, beyond T224 limit', () => {
      const a = session(ramp(80 * MiB, 20, 16), ramp(30 * MiB, 20, 16))
      expect(a.metrics.rssBytes).toMatchObject({ verdict: 'leak', reasonCode: 'not-released' })
      expect(a.metrics.rssBytes?.reason).toMatch(
        /The flush after load wrote out the rows it held, and memory stayed \+20\.\d% above the 80\.0 MiB load started from \(T224 allows 15%\)\.$/
      )
    })

    it('calls none when the quiet kept less than T224 allows, its heap held to RSS', () => {
      // RSS keeps 8 of 130 MiB (6 %); the heap the same 8 MiB, 27 % of its own 30 MiB.
      const a = session(ramp(130 * MiB, 13, 8), ramp(30 * MiB, 13, 8))
      for (const field of ['rssBytes', 'heapBytes'] as const) {
        expect(a.metrics[field], field).toMatchObject({
          verdict: 'inconclusive',
          reasonCode: 'no-flush'
        })
      }
      expect(a.metrics.rssBytes?.reason).toMatch(
        /under a load the server flushed no rows in \(its memtables only grew, .* to .*\)\. After the flush that followed it gave 3\d% of it back\. What it kept, 8\.\d MiB, is within T224's 15% of the 130\.0 MiB load started from: rows held until a flush, caches and a leak that size look alike here\./
      )
      expect(a.metrics.heapBytes?.reason).toMatch(/within T224's 15% of the process's RSS/)
      expect(a.findings.some((f) => f.severity === 'problem')).toBe(false)
    })

    it('says to run until a flush when the flush after the load failed', () => {
      const a = session(ramp(80 * MiB, 20, 16), ramp(30 * MiB, 20, 16), [
        { ...flush, status: 'failed', rows: null }
      ])
      expect(a.metrics.rssBytes).toMatchObject({ verdict: 'inconclusive', reasonCode: 'no-flush' })
      expect(a.metrics.rssBytes?.reason).toMatch(/Run until a flush happens/)
    })
  })

  describe('attribution before a flush (through analyzeSession)', () => {
    // 2 %/min of 200 MiB over 5 minutes at 100 inserts/s: ~700 B per insert.
    const attributed = (sample: SyntheticSession['sample'], events: SessionEvent[] = []) =>
      analyzeSession({
        ...leak(sample),
        events: [...countersEvents(300_000, (ms) => ms / 10), ...events]
      }).attribution.filter((a) => a.per === 'insert')

    it('says the bytes per insert include rows awaiting a flush when the server flushed none', () => {
      const a = attributed(withMemtables(0))
      expect(a.length).toBeGreaterThan(0)
      for (const x of a) expect(x.beforeFlush).toBe(true)
      const session = analyzeSession({
        ...leak(withMemtables(0)),
        events: countersEvents(300_000, (ms) => ms / 10)
      })
      expect(session.findings.map((f) => f.text).join('\n')).toMatch(
        /per insert \(95% CI .*\), no flush in the window: includes the rows the server holds until one/
      )
      expect(renderAnalysisText(leak().meta, session)).toMatch(
        /per insert \(no flush in the window\)/
      )
    })

    it('still says so when the only flush came after the load (T228 flushes after its ramp)', () => {
      const flush: SessionEvent = {
        t: T0 + 242_000,
        type: 'flush',
        table: 'kp.rows',
        jobId: 'FL-0123456789ab',
        status: 'completed',
        durationMs: 800,
        rows: 24_000
      }
      const a = attributed(withMemtables(0), [phase(0, 'load'), phase(240_000, 'cooldown'), flush])
      expect(a.length).toBeGreaterThan(0)
      for (const x of a) expect(x.beforeFlush).toBe(true)
    })

    it('says nothing of it after a flush, or when the server does not report memtables', () => {
      for (const a of [attributed(withMemtables(50)), attributed(undefined)]) {
        expect(a.length).toBeGreaterThan(0)
        for (const x of a) expect(x.beforeFlush).toBeUndefined()
      }
    })
  })

  describe('memtablesOnlyGrew', () => {
    const samples = syntheticSamples({
      rss: S.flat(L),
      durationMs: 60_000,
      sample: withMemtables(0)
    })

    it('counts each poll once, from `from` on', () => {
      // Polls every 3 s over a minute, each repeated on three samples: 21 polls, 7 after 40 s.
      expect(memtablesOnlyGrew(samples, T0)).toEqual({ fromBytes: 0, toBytes: 600_000, polls: 21 })
      expect(memtablesOnlyGrew(samples, T0 + 40_000)?.polls).toBe(7)
      expect(memtablesOnlyGrew(samples, T0, T0 + 30_000)).toEqual({
        fromBytes: 0,
        toBytes: 300_000,
        polls: 11
      })
    })

    it('says nothing on too few polls, on memtables that did not grow, or after a flush', () => {
      expect(memtablesOnlyGrew(samples, T0 + 55_000)).toBeNull()
      const flat = samples.map((s) => ({ ...s, server: { ...s.server!, memtableBytes: 5000 } }))
      expect(memtablesOnlyGrew(flat, T0)).toBeNull()
      const flushed = syntheticSamples({
        rss: S.flat(L),
        durationMs: 60_000,
        sample: withMemtables(30)
      })
      expect(memtablesOnlyGrew(flushed, T0)).toBeNull()
      // Until `to`, before the flush at 30 s, they only grew.
      expect(memtablesOnlyGrew(flushed, T0, T0 + 29_000)?.toBytes).toBe(270_000)
    })
  })

  describe('checkLeakAgainstFlushPhase (through analyzeSession)', () => {
    const MiB = 1024 * 1024
    /**
     * 4.8 minutes at 1 s of 56 MiB that rises 2.3 bytes per byte in memtables, which fill to
     * 1.5 MiB and flush every 100 s (polled every 2 s): two drops in the judged window, too few
     * to judge troughs. The first cycle sits `warm` MiB low (still warming up), and memory
     * leaks `leak` MiB a minute.
     */
    const fewCycles = (warm: number, leak: number): ReturnType<typeof syntheticSession> => {
      const memtables = (ms: number): number => ((ms % 100_000) / 100_000) * 1.5 * MiB
      const sample = (ms: number, s: Sample): Sample => {
        const polled = Math.floor(ms / 2000) * 2000
        const m = memtables(polled)
        const v = Math.round(
          s.rssBytes + 2.3 * m - (ms < 100_000 ? warm * MiB : 0) + leak * MiB * (ms / 60_000)
        )
        return {
          ...s,
          rssBytes: v,
          heapBytes: v - 40 * MiB,
          server: { polledAt: T0 + polled, memtableBytes: m }
        }
      }
      return syntheticSession({
        rss: S.flat(56 * MiB),
        durationMs: 288_000,
        noise: 0.001,
        seed: 4,
        sample
      })
    }

    it('makes a leak inconclusive when memory read beside the memtables stopped growing', () => {
      // The line starts low in the first cycle and ends high in the last: it reads a leak.
      const session = fewCycles(1.4, 0)
      const rss = session.samples.map((s) => ({ t: s.t, v: s.rssBytes }))
      expect(analyzeMetric('rssBytes', rss, [])?.analysis).toMatchObject({
        verdict: 'leak',
        reasonCode: 'growing'
      })
      const a = analyzeSession(session)
      for (const field of ['rssBytes', 'heapBytes'] as const) {
        expect(a.metrics[field]).toMatchObject({
          verdict: 'inconclusive',
          reasonCode: 'flush-phase'
        })
      }
      expect(a.metrics.rssBytes?.reason).toMatch(
        /^RSS grew \+.*\/min over .*, but the server flushed its memtables once in the last 2m 10s and memory rose and fell with them: read beside them, it grows [+-].*\/min there, not surely a leak\. A window of few flush cycles that starts low in one and ends high in another reads as growth; a longer run sees more cycles\.$/
      )
    })

    it('keeps a leak that goes on beside the memtables', () => {
      const a = analyzeSession(fewCycles(1.4, 1))
      expect(a.metrics.rssBytes).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
    })

    it('asks twice the leak margin beside the memtables of a leak across one or two flushes', () => {
      // Each flush leaves memory higher by a step surely over the leak margin, but under twice
      // it: what an allocator keeping a flush's pages does on its own.
      const rss = (a: ReturnType<typeof analyzeSession>) => a.metrics.rssBytes
      const small = analyzeSession(fewCycles(1.4, 0.18))
      const margin = rss(small)?.leakMarginBytesPerMin ?? NaN
      expect(0.18 * MiB).toBeGreaterThan(margin)
      expect(0.18 * MiB).toBeLessThan(FEW_FLUSHES_MARGIN_FACTOR * margin)
      expect(rss(small)).toMatchObject({ verdict: 'inconclusive', reasonCode: 'flush-phase' })
      expect(rss(small)?.reason).toMatch(
        /read beside them, it grows \+.*\/min there, under the \+.*\/min a leak must reach across so few flushes, as a flush can leave memory a little higher by itself\./
      )
      // At three times the margin it is a leak.
      const three = analyzeSession(fewCycles(1.4, (3 * margin) / MiB))
      expect(rss(three)).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
    })
  })
})
