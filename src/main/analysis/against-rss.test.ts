import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import type { SessionData } from '../../shared/session'
import {
  FILE_MAPPED,
  syntheticSession,
  type SyntheticSession
} from '../../../test/fixtures/sessions/build'
import { evaluationCases } from '../../../test/fixtures/sessions/evaluation-cases'
import { checkAgainstRss } from './against-rss'
import { pointsOf } from './growth'
import { analyzeSession } from './index'
import { analyzeMetric, type MetricReport } from './metric'
import { phaseSpans } from './phases'
import * as S from './synthetic'

const MiB = 1024 * 1024

/**
 * Five minutes at 1 s of a flat RSS of 60 MiB under 1 % noise: the heap is RSS less 40 MiB of
 * mapped files, so the same bytes of noise weigh three times as much against its own level.
 */
const spec = { rss: S.flat(60 * MiB), durationMs: 5 * 60_000, noise: 0.01, seed: 3 }

describe('analysis/against-rss', () => {
  it('calls a heap stable when RSS is and its noise hides too little to matter to RSS', () => {
    const session = syntheticSession(spec)
    const heap = session.samples.map((s) => ({ t: s.t, v: s.heapBytes as number }))
    // Against its own 20 MiB the heap's interval reaches past 10 % in 5 minutes.
    expect(analyzeMetric('heapBytes', heap, [])?.analysis).toMatchObject({
      verdict: 'inconclusive',
      reasonCode: 'noisy'
    })
    const a = analyzeSession(session)
    expect(a.metrics.rssBytes).toMatchObject({ verdict: 'stable', reasonCode: 'flat' })
    expect(a.metrics.heapBytes).toMatchObject({ verdict: 'stable', reasonCode: 'within-rss' })
    expect(a.metrics.heapBytes?.slopeCi95[1]).toBeLessThan((0.1 * 60 * MiB) / 5)
    expect(a.metrics.heapBytes?.reason).toMatch(
      /^Heap \(RssAnon\) moved [+-].*\/min \(95% CI .*\) over 4m 30s: too unsteady to judge against its own 20\.0 MiB, but the growth it can still hide stays under 10% of the process's RSS \(60\.0 MiB\) in 5 minutes, the seed's limit, and RSS held steady\.$/
    )
  })

  it("takes back a heap's leak that is under the leak margin of an RSS that does not leak", () => {
    // RSS grows 0.13 %/min of its 60 MiB; the heap is RSS less 40 MiB of files, so the same
    // 80 KiB/min is 0.4 %/min of its 20 MiB: a leak against itself, not against the process.
    const slowSpec = {
      rss: S.linearLeak(60 * MiB, 0.13),
      durationMs: 10 * 60_000,
      noise: 0.001,
      seed: 5
    }
    const slow = syntheticSession(slowSpec)
    const heap = pointsOf(slow.samples, 'heapBytes')
    expect(analyzeMetric('heapBytes', heap, [])?.analysis.verdict).toBe('leak')
    const a = analyzeSession(slow)
    expect(a.metrics.rssBytes?.verdict).not.toBe('leak')
    expect(a.metrics.heapBytes).toMatchObject({
      verdict: 'inconclusive',
      reasonCode: 'small-beside-rss'
    })
    expect(a.metrics.heapBytes?.reason).toMatch(
      /^Heap \(RssAnon\) grew \+8\d\.\d KiB\/min \(95% CI .*\) over 9m 0s: a leak against its own 20\.\d MiB, but under the leak margin of the process's RSS \(60\.\d MiB: \+12\d\.\d KiB\/min\), which does not leak\.$/
    )
    // Four times as fast, the heap's leak is the process's too.
    const fast = analyzeSession(syntheticSession({ ...slowSpec, rss: S.linearLeak(60 * MiB, 0.5) }))
    expect(fast.metrics.heapBytes).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
  })

  it('leaves the heap undecided when RSS is not stable', () => {
    // Files mapped 4 MiB at a time from 200 s on make RSS climb; the heap is as above.
    const filesWander = (ms: number, s: Sample): Sample => {
      const files = FILE_MAPPED + 4 * MiB * Math.max(0, Math.floor((ms - 200_000) / 30_000))
      return { ...s, fileMappedBytes: files, rssBytes: (s.heapBytes as number) + files }
    }
    const a = analyzeSession(syntheticSession({ ...spec, sample: filesWander }))
    expect(a.metrics.rssBytes?.verdict).toBe('leak')
    expect(a.metrics.heapBytes).toMatchObject({ verdict: 'inconclusive', reasonCode: 'noisy' })
  })

  it("judges USS, the process's own pages, the same way when PSS is checked against it", () => {
    // PSS = USS + a shared share rising 1 MiB every 30 s; USS (16 MiB, read every 5th sample)
    // under 2 MiB of noise is undecided against its own level, not against RSS's 60 MiB.
    const g = S.gaussian(S.seededRandom(102))
    const sharesRise = (ms: number, s: Sample): Sample =>
      s.ussBytes === null
        ? s
        : {
            ...s,
            ussBytes: 16 * MiB + Math.round(2 * MiB * g()),
            pssBytes: 21 * MiB + MiB * Math.floor(ms / 30_000) + Math.round(2 * MiB * g())
          }
    const session = syntheticSession({ ...spec, sample: sharesRise })
    const uss = session.samples.flatMap((s) =>
      s.ussBytes === null ? [] : [{ t: s.t, v: s.ussBytes }]
    )
    expect(analyzeMetric('ussBytes', uss, [])?.analysis.reasonCode).toBe('noisy')
    const a = analyzeSession(session)
    expect(a.metrics.pssBytes).toMatchObject({ verdict: 'stable', reasonCode: 'shared-pages' })
    expect(a.metrics.pssBytes?.reason).toMatch(/own pages \(USS\) held steady/)
  })
})

/**
 * Three minutes of an RSS of 200 MiB leaking 2 %/min (4 MiB/min) under 0.2 % noise, each sample
 * then changed by `sample`; every second unless `intervalMs` says otherwise.
 */
function leakingRssSession(
  sample: (ms: number, s: Sample) => Sample,
  extra: Partial<SyntheticSession> = {}
): SessionData {
  return syntheticSession({
    rss: S.linearLeak(200 * MiB, 2),
    durationMs: 3 * 60_000,
    noise: 0.002,
    seed: 1,
    sample,
    ...extra
  })
}

function leakingRss(
  sample: (ms: number, s: Sample) => Sample,
  extra: Partial<SyntheticSession> = {}
) {
  return analyzeSession(leakingRssSession(sample, extra))
}

/** PSS, read every fifth sample, grows `share` of RSS's leak from 150 MiB under `sd` MiB of noise. */
function noisyPssSession(share: number, sd: number, extra: Partial<SyntheticSession> = {}) {
  const g = S.gaussian(S.seededRandom(201))
  const pssNoisy = (ms: number, s: Sample): Sample =>
    s.pssBytes === null
      ? s
      : {
          ...s,
          pssBytes: 150 * MiB + share * 4 * MiB * (ms / 60_000) + Math.round(sd * MiB * g())
        }
  return leakingRssSession(pssNoisy, extra)
}

function leakWithNoisyPss(share: number, sd: number, extra: Partial<SyntheticSession> = {}) {
  return analyzeSession(noisyPssSession(share, sd, extra))
}

describe('analysis/against-rss while RSS leaks', () => {
  it('calls a PSS too noisy to call a leak when the heap leaks and its interval holds that rate', () => {
    const a = leakWithNoisyPss(1, 6)
    expect(a.metrics.rssBytes).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
    expect(a.metrics.heapBytes?.verdict).toBe('leak')
    const pss = a.metrics.pssBytes
    expect(pss).toMatchObject({ verdict: 'leak', reasonCode: 'with-heap' })
    expect(pss?.slopeCi95[0]).toBeLessThan(4 * MiB)
    expect(pss?.reason).toMatch(
      /^PSS grew \+.*\/min \(95% CI .*\) over .*: too unsteady to call a leak on its own, but it counts every page the heap holds, and the heap leaks \+[34]\.\d MiB\/min, a rate its interval holds\.$/
    )
    expect(a.findings.some((f) => f.severity === 'problem' && f.text.startsWith('PSS leaks'))).toBe(
      true
    )
  })

  it('lets PSS follow the heap even when its own interval reaches below zero', () => {
    // PSS under 10 MiB of noise says little by itself, and nothing against the heap's leak.
    const pss = leakWithNoisyPss(1, 10).metrics.pssBytes
    expect(pss?.slopeCi95[0]).toBeLessThan(0)
    expect(pss).toMatchObject({ verdict: 'leak', reasonCode: 'with-heap' })
  })

  it('calls a heap too noisy to call a leak when it surely grows at the rate RSS leaks', () => {
    // Every 10 s for 3 minutes; the heap, RSS less 40 MiB of files, under 3 MiB more noise.
    const g = S.gaussian(S.seededRandom(301))
    const heapNoisy = (_ms: number, s: Sample): Sample => ({
      ...s,
      heapBytes: (s.heapBytes as number) + Math.round(3 * MiB * g())
    })
    const a = leakingRss(heapNoisy, { intervalMs: 10_000 })
    expect(a.metrics.rssBytes).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
    const heap = a.metrics.heapBytes
    expect(heap).toMatchObject({ verdict: 'leak', reasonCode: 'with-rss' })
    expect(heap?.slopeCi95[0]).toBeGreaterThan(0)
    expect(heap?.reason).toMatch(
      /too unsteady to call a leak on its own, but it surely grows, and at a rate that holds RSS's leak \(\+[34]\.\d MiB\/min\)\.$/
    )
  })

  it("leaves PSS undecided when its interval does not hold the heap's slope", () => {
    // PSS grows a quarter as fast, surely: something grows, but not the heap's leak.
    const pss = leakWithNoisyPss(0.25, 2).metrics.pssBytes
    expect(pss?.slopeCi95[0]).toBeGreaterThan(0)
    expect(pss?.slopeCi95[1]).toBeLessThan(4 * MiB)
    expect(pss).toMatchObject({ verdict: 'inconclusive', reasonCode: 'noisy' })
  })

  it('leaves PSS undecided when the heap does not leak (RSS may grow in shared file pages)', () => {
    const a = leakWithNoisyPss(1, 6, { heap: S.flat(150 * MiB) })
    expect(a.metrics.rssBytes?.verdict).toBe('leak')
    expect(a.metrics.heapBytes?.verdict).toBe('stable')
    expect(a.metrics.pssBytes).toMatchObject({ verdict: 'inconclusive', reasonCode: 'noisy' })
  })

  it('follows only a decided RSS: an undecided RSS leaves its heap undecided too', () => {
    // 1 %/min under 2 % noise, every 5 s for 3 minutes: surely rising at 95 %, not at 99.9 %.
    const a = analyzeSession(
      syntheticSession({
        rss: S.linearLeak(200 * MiB, 1),
        durationMs: 3 * 60_000,
        intervalMs: 5000,
        noise: 0.02,
        seed: 1
      })
    )
    expect(a.metrics.rssBytes).toMatchObject({ verdict: 'inconclusive', reasonCode: 'noisy' })
    expect(a.metrics.heapBytes?.slopeCi95[0]).toBeGreaterThan(0)
    expect(a.metrics.heapBytes).toMatchObject({ verdict: 'inconclusive', reasonCode: 'noisy' })
  })

  it('does not call a flat but noisy metric a leak because what it follows leaks', () => {
    // PSS flat under 10 MiB of noise while the heap leaks: its interval holds the heap's
    // 4 MiB/min, but its estimate is nowhere near a leak.
    const pss = leakWithNoisyPss(0, 10).metrics.pssBytes
    expect(pss?.slopeCi95[1]).toBeGreaterThan(4 * MiB)
    expect(pss).toMatchObject({ verdict: 'inconclusive' })
    // A heap flat under 14 MiB of noise, every 10 s, while RSS grows (in files).
    const g = S.gaussian(S.seededRandom(302))
    const flatHeap = (_ms: number, s: Sample): Sample => ({
      ...s,
      heapBytes: 150 * MiB + Math.round(14 * MiB * g())
    })
    const a = leakingRss(flatHeap, { intervalMs: 10_000 })
    expect(a.metrics.rssBytes?.verdict).toBe('leak')
    expect(a.metrics.heapBytes?.slopeCi95[1]).toBeGreaterThan(4 * MiB)
    expect(a.metrics.heapBytes).toMatchObject({ verdict: 'inconclusive' })
  })
})

describe('analysis/against-rss, other questions', () => {
  it('leaves alone a metric undecided for another reason than noise, though what it follows leaks', () => {
    // The session where a noisy PSS follows the leaking heap (above), judged part by part.
    const session = noisyPssSession(1, 6)
    const spans = phaseSpans(session.events, session.samples.at(-1)?.t ?? 0)
    const judge = (field: 'rssBytes' | 'heapBytes' | 'pssBytes'): MetricReport => {
      const r = analyzeMetric(field, pointsOf(session.samples, field), spans)
      if (!r) throw new Error(`no ${field}`)
      return r
    }
    const judged = [judge('rssBytes'), judge('heapBytes')]
    expect(judged.map((r) => r.analysis.verdict)).toEqual(['leak', 'leak'])
    const pss = judge('pssBytes')
    const points = pointsOf(session.samples, 'pssBytes')
    const as = (reasonCode: string): MetricReport => ({
      ...pss,
      analysis: { ...pss.analysis, verdict: 'inconclusive', reasonCode }
    })
    // Undecided for its noise, it follows the heap…
    expect(checkAgainstRss(as('noisy'), points, spans, [], judged).analysis).toMatchObject({
      verdict: 'leak',
      reasonCode: 'with-heap'
    })
    // …but not when its window is too short, no flush showed what comes back, or the line's
    // leak was the flush cycle's phase (flushes.ts): those are not the noise's doing.
    for (const code of ['too-short', 'no-flush', 'flush-phase']) {
      const report = as(code)
      expect(checkAgainstRss(report, points, spans, [], judged)).toBe(report)
    }
  })

  describe('a sparse PSS read steady while the heap is not stable', () => {
    // Evaluation case (seed 12): a 50 s flush sawtooth whose troughs rise 1 %/min under 1 %
    // jitter. PSS, read every fifth sample, has five troughs that read flat; the heap, read at
    // every sample, is undecided at a slope past the leak margin.
    const [c] = evaluationCases([12]).filter((x) =>
      x.name.startsWith('flush sawtooth 50s ±15%, troughs +1%/min, jitter 1%, 1s')
    )
    const session = c!.session
    const spans = phaseSpans(session.events, session.samples.at(-1)?.t ?? 0)
    const judge = (field: 'rssBytes' | 'heapBytes' | 'pssBytes'): MetricReport => {
      const r = analyzeMetric(field, pointsOf(session.samples, field), spans)
      if (!r) throw new Error(`no ${field}`)
      return r
    }
    const heap = judge('heapBytes')
    const pss = judge('pssBytes')
    const points = pointsOf(session.samples, 'pssBytes')
    const check = (judged: MetricReport[]): MetricReport =>
      checkAgainstRss(pss, points, spans, [], judged)

    it('is undecided: too few readings to call it stable alone', () => {
      expect(pss.analysis).toMatchObject({ verdict: 'stable', reasonCode: 'flat' })
      expect(heap.analysis.verdict).toBe('inconclusive')
      expect(heap.trend.slopeBytesPerMin).toBeGreaterThan(heap.trend.leakMarginBytesPerMin)
      expect(check([judge('rssBytes'), heap]).analysis).toMatchObject({
        verdict: 'inconclusive',
        reasonCode: 'sparse-beside-heap'
      })
      expect(analyzeSession(session).metrics.pssBytes?.reason).toMatch(
        /^PSS held steady on only \d+ readings, at [+-].*\/min \(95% CI .*\) over \dm \d+s.*, but the heap, whose pages it mostly counts, was read at every sample and is undecided: too few readings to call it stable alone\.$/
      )
    })

    it('makes a PSS leak on a line undecided beside a heap judged by its troughs', () => {
      // PSS too sparse to see the cycle, reading a leak on a line, while the heap, read at every
      // sample, found the sawtooth and no leak in its troughs (a recorded actor-stability run).
      const leaking: MetricReport = {
        ...pss,
        analysis: { ...pss.analysis, verdict: 'leak' as const, reasonCode: 'growing' },
        trend: { ...pss.trend, sawtooth: null }
      }
      const heapAs = (verdict: MetricReport['analysis']['verdict'], trend = {}): MetricReport => ({
        ...heap,
        analysis: { ...heap.analysis, verdict },
        trend: { ...heap.trend, ...trend }
      })
      const saw = { drops: 4, periodMs: 30_000, dropBytes: MiB, troughs: [] }
      // The server's memtables fell (a flush) in the heap's window.
      const at = heap.trend.window.from + 10_000
      const flush = [
        { t: at, v: 2 * MiB },
        { t: at + 1000, v: 0 }
      ]
      const verdictBeside = (
        h: MetricReport,
        report: MetricReport = leaking,
        memtables = flush
      ): string | undefined =>
        checkAgainstRss(report, points, spans, memtables, [h]).analysis.reasonCode
      expect(verdictBeside(heapAs('inconclusive', { sawtooth: saw }))).toBe('sparse-beside-heap')
      expect(verdictBeside(heapAs('stable', { sawtooth: saw }))).toBe('sparse-beside-heap')
      // Not when the heap leaks, saw no sawtooth, is read no more often, or PSS saw one too; nor
      // without a flush reported in the heap's window (its sawtooth may be wandering noise).
      expect(verdictBeside(heapAs('inconclusive', { sawtooth: saw }), leaking, [])).toBe('growing')
      expect(
        verdictBeside(heapAs('inconclusive', { sawtooth: saw }), leaking, [...flush].reverse())
      ).toBe('growing')
      expect(verdictBeside(heapAs('leak', { sawtooth: saw }))).toBe('growing')
      expect(verdictBeside(heapAs('inconclusive', { sawtooth: null }))).toBe('growing')
      expect(
        verdictBeside(
          heapAs('inconclusive', { sawtooth: saw, samplesUsed: leaking.trend.samplesUsed })
        )
      ).toBe('growing')
      const seen = { ...leaking, trend: { ...leaking.trend, sawtooth: saw } }
      expect(verdictBeside(heapAs('inconclusive', { sawtooth: saw }), seen)).toBe('growing')
    })

    it('makes a PSS leak on a line undecided beside a heap that doubts its end', () => {
      // A clean ws-connection-leak run (200 subscriptions, 20 churn cycles): PSS leaked on 10
      // readings over 42 s; the heap, on 47, grew but could not tell whether it went on.
      const leaking: MetricReport = {
        ...pss,
        analysis: { ...pss.analysis, verdict: 'leak' as const, reasonCode: 'growing' },
        trend: { ...pss.trend, sawtooth: null }
      }
      const heapAs = (reasonCode: string, over: Partial<MetricReport['trend']> = {}) => ({
        ...heap,
        analysis: { ...heap.analysis, verdict: 'inconclusive' as const, reasonCode },
        trend: { ...heap.trend, sawtooth: null, ...over }
      })
      const beside = (h: MetricReport): MetricReport =>
        checkAgainstRss(leaking, points, spans, [], [h])
      const undecided = beside(heapAs('unclear-end'))
      expect(undecided.analysis).toMatchObject({
        verdict: 'inconclusive',
        reasonCode: 'sparse-beside-heap'
      })
      expect(undecided.analysis.reason).toMatch(
        /^PSS grew \+.* on a line through \d+ readings, but the heap, whose pages it mostly counts, was read at every sample and neither clearly grows on nor clearly levels off at the end of its window: PSS's few readings are no surer of that end\.$/
      )
      // Not beside a heap undecided for its noise, nor one read no more often than PSS.
      expect(beside(heapAs('noisy')).analysis.reasonCode).toBe('growing')
      expect(
        beside(heapAs('unclear-end', { samplesUsed: leaking.trend.samplesUsed })).analysis
          .reasonCode
      ).toBe('growing')
    })

    it('makes a sparse PSS release undecided beside a heap that gave back less', () => {
      // A recorded graceful-degradation run leaking 1 KiB per insert: PSS's three baseline
      // readings reached back before a fall and read 97 % given back; the heap, 61 %.
      const released: MetricReport = {
        ...pss,
        analysis: {
          ...pss.analysis,
          verdict: 'stable' as const,
          reasonCode: 'released',
          releasedPercent: 97
        }
      }
      const heapGave = (releasedPercent: number | null, over = {}): MetricReport => ({
        ...heap,
        analysis: { ...heap.analysis, verdict: 'inconclusive' as const, releasedPercent },
        trend: { ...heap.trend, ...over }
      })
      const beside = (h: MetricReport): MetricReport =>
        checkAgainstRss(released, points, spans, [], [h])
      const undecided = beside(heapGave(61))
      expect(undecided.analysis).toMatchObject({
        verdict: 'inconclusive',
        reasonCode: 'sparse-beside-heap'
      })
      expect(undecided.analysis.reason).toMatch(
        /^PSS gave 97% of its growth back after load stopped on its few readings, but the heap, whose pages it mostly counts, read \d+ times, gave back 61%: too few readings to call it released alone\.$/
      )
      // Not beside a heap that gave back three quarters or more, one with no release, or one
      // read no more often than PSS.
      expect(beside(heapGave(75))).toBe(released)
      expect(beside(heapGave(null))).toBe(released)
      expect(beside(heapGave(61, { samplesUsed: pss.trend.samplesUsed }))).toBe(released)
    })

    it('stays stable when the heap is stable, grows under the leak margin, or is read no more often', () => {
      const as = (analysis: Partial<MetricReport['analysis']>, trend = {}): MetricReport => ({
        ...heap,
        analysis: { ...heap.analysis, ...analysis },
        trend: { ...heap.trend, ...trend }
      })
      expect(check([as({ verdict: 'stable', reasonCode: 'flat' })])).toBe(pss)
      expect(check([as({}, { slopeBytesPerMin: heap.trend.leakMarginBytesPerMin / 2 })])).toBe(pss)
      expect(check([as({}, { samplesUsed: pss.trend.samplesUsed })])).toBe(pss)
    })
  })

  describe('a release held to RSS', () => {
    // A 20 MiB heap in a 60 MiB process: 30 s baseline, +10 MiB/min for 2 min, 60 s idle
    // keeping `kept` of the 20 MiB it grew.
    const T0 = 1_700_000_000_000
    const spans = phaseSpans(
      [
        { t: T0, type: 'phase', phase: 'baseline' },
        { t: T0 + 30_000, type: 'phase', phase: 'load' },
        { t: T0 + 150_000, type: 'phase', phase: 'idle' }
      ],
      T0 + 210_000
    )
    const heapKeeping = (kept: number) =>
      S.synthesize(
        (ms) =>
          20 * MiB +
          (ms < 30_000
            ? 0
            : ms <= 150_000
              ? (20 * MiB * (ms - 30_000)) / 120_000
              : 20 * MiB * (kept + (1 - kept) * Math.pow(0.5, (ms - 150_000) / 5000))),
        { durationMs: 210_000, noise: 0.001, t0: T0 }
      )
    const judged = (kept: number) =>
      analyzeMetric('heapBytes', heapKeeping(kept), spans, [], { marginLevelBytes: 60 * MiB })
        ?.analysis

    it("is a release when what it kept is within T224's limit of the process, not its own", () => {
      // 78 % back; the 4.4 MiB kept is 22 % of the heap, 7 % of the process.
      expect(judged(0.22)).toMatchObject({ verdict: 'stable', reasonCode: 'released' })
      expect(judged(0.22)?.reason).toMatch(
        /What it kept, 4\.\d MiB, is within T224's 15% of the process's RSS \(60\.0 MiB\)\.$/
      )
    })

    it('is no verdict when half to three quarters came back, and says what it was held to', () => {
      expect(judged(0.35)).toMatchObject({ verdict: 'inconclusive', reasonCode: 'partly-released' })
      expect(judged(0.35)?.reason).toMatch(
        /What it kept, 7\.\d MiB, is within T224's 15% of the process's RSS \(60\.0 MiB\), but /
      )
      // Beyond T224's limit of the process too: not released.
      expect(judged(0.6)).toMatchObject({ verdict: 'leak', reasonCode: 'not-released' })
    })
  })
})
