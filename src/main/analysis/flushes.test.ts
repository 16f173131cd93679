import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import type { SessionEvent } from '../../shared/session'
import {
  countersEvents,
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
