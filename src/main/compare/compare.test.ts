import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { AnalysisResult } from '../../shared/analysis'
import type { CompareResult } from '../../shared/compare'
import { analyzeSession } from '../analysis'
import { compareBench } from './bench'
import { compareComparables, loadComparable, parseBenchResult } from './load'
import { compareSessions } from './sessions'
import { judge } from './significance'
import { benchResult, figure, latencySamples, mixedLatency, session } from './testing/factories'
import { renderCompareText } from './render-text'
import { renderCompareMarkdown } from './render-markdown'
import { renderCompareHtml } from './render-html'
import { overlayCharts } from './charts'

const metric = (r: CompareResult, id: string) => {
  const m = r.metrics.find((x) => x.id === id)
  if (!m) throw new Error(`no metric ${id} in ${r.metrics.map((x) => x.id).join(', ')}`)
  return m
}

describe('compare', () => {
  describe('judge', () => {
    const base = { better: 'lower' as const, alpha: 0.05 }

    it('calls a change significant only when p < alpha and the CI clears the noise band', () => {
      const j = judge({ ...base, a: 1, b: 2, pValue: 0.001, changeCi: [0.8, 1.2], noise: 0.1 })
      expect(j).toMatchObject({
        significant: true,
        direction: 'worse',
        change: 1,
        why: 'significant'
      })
    })

    it('does not call a statistically clear change that stays inside the noise band', () => {
      const j = judge({
        ...base,
        a: 1,
        b: 1.05,
        pValue: 0.0001,
        changeCi: [0.02, 0.08],
        noise: 0.1
      })
      expect(j).toMatchObject({ significant: false, direction: 'same', why: 'within-noise' })
    })

    it('does not call a large change the test finds to be chance', () => {
      const j = judge({ ...base, a: 1, b: 3, pValue: 0.4, changeCi: [-0.5, 4], noise: 0.1 })
      expect(j.why).toBe('chance')
      expect(j.significant).toBe(false)
    })

    it('does not call a change whose CI straddles the band edge', () => {
      const j = judge({ ...base, a: 1, b: 1.3, pValue: 0.01, changeCi: [0.05, 0.6], noise: 0.1 })
      expect(j.significant).toBe(false)
    })

    it('respects the absolute floor and which way is better', () => {
      expect(judge({ ...base, a: 0.1, b: 0.13, pValue: 0.001, noise: 0.1, floor: 0.05 }).why).toBe(
        'below-floor'
      )
      const j = judge({ better: 'higher', alpha: 0.05, a: 1000, b: 600, pValue: 0.001, noise: 0.1 })
      expect(j).toMatchObject({ significant: true, direction: 'worse' })
      expect(judge({ ...base, a: 10, b: 5, pValue: 0.001, noise: 0.1 }).direction).toBe('better')
    })

    it('keeps the band symmetric in ratio: a 20× drop clears even a ±100% band', () => {
      const j = judge({ ...base, a: 21, b: 1, pValue: 0.001, changeCi: [-0.96, -0.94], noise: 1 })
      expect(j).toMatchObject({ significant: true, direction: 'better' })
      // −40% is inside a ±100% band (its mirror of +100% is −50%).
      expect(
        judge({ ...base, a: 1, b: 0.6, pValue: 0.001, changeCi: [-0.45, -0.35], noise: 1 }).why
      ).toBe('within-noise')
    })

    it('says not-measured when a side is missing', () => {
      expect(judge({ ...base, a: null, b: 2, pValue: null, noise: 0.1 }).why).toBe('not-measured')
    })
  })

  describe('compareBench', () => {
    it('flags a slowed-down build as a regression naming the slower figures', () => {
      const r = compareBench(benchResult(1), benchResult(2, { medianMs: 21 }))
      expect(r.verdict).toBe('regression')
      const w = metric(r, 'bench.write-latency.p25')
      expect(w).toMatchObject({ significant: true, direction: 'worse' })
      expect(w.change!).toBeGreaterThan(10)
      expect(w.pValue!).toBeLessThan(0.001)
      expect(r.summary).toMatch(/write latency p25/)
    })

    it('judges two runs of the same build equal within noise', () => {
      for (let seed = 10; seed < 30; seed += 2) {
        const r = compareBench(benchResult(seed), benchResult(seed + 1))
        expect(r.verdict, `seeds ${seed}/${seed + 1}`).toBe('no-significant-difference')
        expect(r.metrics.every((m) => m.direction === 'same')).toBe(true)
      }
    })

    it('calls a faster build an improvement, and a lower throughput a regression', () => {
      expect(
        compareBench(benchResult(3, { medianMs: 2 }), benchResult(4, { medianMs: 1 })).verdict
      ).toBe('improvement')
      const r = compareBench(benchResult(5), benchResult(6, { rate: 600 }))
      expect(r.verdict).toBe('regression')
      expect(metric(r, 'bench.sustained-write.throughput.median').direction).toBe('worse')
    })

    it('has at least the contract fields on every metric', () => {
      const r = compareBench(benchResult(7), benchResult(8, { medianMs: 5 }))
      for (const m of r.metrics) {
        expect(m).toHaveProperty('name')
        expect(m).toHaveProperty('a')
        expect(m).toHaveProperty('b')
        expect(m).toHaveProperty('change')
        expect(typeof m.significant).toBe('boolean')
        expect(['worse', 'better', 'same']).toContain(m.direction)
      }
      expect(JSON.parse(JSON.stringify(r)).verdict).toBe('regression')
    })

    it('notes figures only one side has, a version change and a target that flipped', () => {
      const a = benchResult(9)
      const b = benchResult(10, { medianMs: 30, version: '0.4.4' })
      b.benchmarks.push({
        id: 'flush-throughput',
        title: 'Flush',
        status: 'ok',
        warmup: { operations: 0, ms: 0 },
        durationMs: 1,
        figures: [figure('flush-throughput', [1, 2, 3], { unit: 'rows/s' })],
        notes: []
      })
      a.targets[0]!.pass = true
      const r = compareBench(a, b)
      expect(r.notes.join('\n')).toMatch(/Only in B.*flush-throughput/)
      expect(r.notes.join('\n')).toMatch(/0\.4\.3-rc\.4.*0\.4\.4/)
      expect(r.notes.join('\n')).toMatch(/Target Write latency.*passed in A.*FAILED in B/)
    })

    it('refuses two results with no figure in common', () => {
      const a = benchResult(11)
      const b = benchResult(12)
      b.benchmarks = [b.benchmarks[0]!]
      a.benchmarks = [a.benchmarks[1]!]
      expect(() => compareBench(a, b)).toThrow(/no figure in common/)
    })

    it('falls back to the medians’ intervals when raw samples are missing', () => {
      const a = benchResult(13)
      const b = benchResult(14, { medianMs: 10 })
      for (const r of [a, b])
        for (const bm of r.benchmarks) for (const f of bm.figures) f.samples = []
      const r = compareBench(a, b)
      expect(metric(r, 'bench.write-latency.p25')).toMatchObject({
        significant: true,
        pValue: null
      })
      expect(metric(r, 'bench.write-latency.p25').test).toMatch(/no raw samples/)
    })
  })

  describe('compareSessions', () => {
    it('flags a leaking build: slope worse (growth shown as context), verdict regression', () => {
      const a = session({ seed: 1 })
      const b = session({ seed: 2, leakBytesPerSec: 400 * 1024 })
      const r = compareSessions(a, b)
      expect(r.verdict).toBe('regression')
      expect(metric(r, 'rssBytes.slope')).toMatchObject({ significant: true, direction: 'worse' })
      expect(metric(r, 'rssBytes.growth')).toMatchObject({
        counts: false,
        significant: false,
        direction: 'same',
        contextDirection: 'worse'
      })
      expect(r.summary).toMatch(/RSS slope/)
    })

    it('fits the slope itself where the analysis could not bound it (±MAX_VALUE), not reads p = 1', () => {
      const a = session({ seed: 1 })
      const b = session({ seed: 2, leakBytesPerSec: 400 * 1024 })
      const [anA, anB] = [analyzeSession(a), analyzeSession(b)]
      const unbounded = (an: AnalysisResult, ci: [number, number]): AnalysisResult => ({
        ...an,
        metrics: {
          ...an.metrics,
          rssBytes: { ...an.metrics.rssBytes!, slopeBytesPerMin: 1, slopeCi95: ci }
        }
      })
      const wide: [number, number] = [-Number.MAX_VALUE, Number.MAX_VALUE]
      const own = metric(
        compareSessions(a, b, { analyses: [unbounded(anA, wide), unbounded(anB, wide)] }),
        'rssBytes.slope'
      )
      expect(own).toMatchObject({ significant: true, direction: 'worse' })
      expect(own.b).toBeGreaterThan(300 * 1024 * 60)
      // A bounded interval is the analysis's own, taken as it is.
      const kept = metric(
        compareSessions(a, b, { analyses: [unbounded(anA, [0, 2]), unbounded(anB, [0, 2])] }),
        'rssBytes.slope'
      )
      expect(kept).toMatchObject({ a: 1, b: 1, significant: false })
    })

    it('judges two sessions of the same build equal within noise', () => {
      for (let seed = 20; seed < 40; seed += 2) {
        const r = compareSessions(session({ seed }), session({ seed: seed + 1 }))
        const called = r.metrics.filter((m) => m.significant).map((m) => `${m.id}: ${m.reason}`)
        expect(called, `seeds ${seed}/${seed + 1}`).toEqual([])
        expect(r.verdict).toBe('no-significant-difference')
      }
    })

    it('flags slower inserts from the latency histograms and lower throughput', () => {
      const r = compareSessions(
        session({ seed: 3 }),
        session({ seed: 4, insertLatencyMs: 21, insertRate: 120 })
      )
      expect(metric(r, 'latency.insert.p10')).toMatchObject({
        significant: true,
        direction: 'worse'
      })
      expect(metric(r, 'latency.insert.p50')).toMatchObject({
        counts: false,
        contextDirection: 'worse'
      })
      expect(metric(r, 'latency.insert.p50').pValue!).toBeLessThan(0.001)
      expect(metric(r, 'throughput.inserts')).toMatchObject({
        significant: true,
        direction: 'worse'
      })
    })

    it('flags a CPU increase beyond the noise', () => {
      const r = compareSessions(session({ seed: 5, cpu: 20 }), session({ seed: 6, cpu: 60 }))
      expect(metric(r, 'cpu.percent')).toMatchObject({ significant: true, direction: 'worse' })
    })

    it('refuses sessions of different scenarios in one line', () => {
      expect(() =>
        compareSessions(session({ seed: 7 }), session({ seed: 8, scenario: 'cpu-under-load' }))
      ).toThrow(
        "cannot compare sessions of different scenarios: A is 'memory-stability', B is 'cpu-under-load'"
      )
    })

    it('keeps a p10 that held as no difference while the median exploded (a stalled machine)', () => {
      // Same build; in B most requests waited on a backlog, the quickest 30% did not.
      const a = session({ seed: 13 })
      const b = session({ seed: 14 })
      b.latency = mixedLatency(16, 0.3)
      const r = compareSessions(a, b)
      expect(metric(r, 'latency.insert.p50').contextDirection).toBe('worse')
      expect(metric(r, 'latency.insert.p10').significant).toBe(false)
      expect(r.verdict).toBe('no-significant-difference')
    })

    it('shows criteria flips as context: a real move is marked, one at the edge is not', () => {
      const c = (measured: number, pass: boolean) => ({
        name: 'RSS growth',
        threshold: '< 10%',
        measured,
        unit: 'percent' as const,
        pass
      })
      const edge = compareSessions(
        session({ seed: 9, verdicts: [c(9.8, true)] }),
        session({ seed: 10, verdicts: [c(10.2, false)] })
      )
      expect(metric(edge, 'criterion.RSS growth')).toMatchObject({
        significant: false,
        contextDirection: 'same'
      })
      const real = compareSessions(
        session({ seed: 9, verdicts: [c(3, true)] }),
        session({ seed: 10, verdicts: [c(25, false)] })
      )
      expect(metric(real, 'criterion.RSS growth')).toMatchObject({
        counts: false,
        significant: false,
        contextDirection: 'worse'
      })
      expect(real.verdict).toBe('no-significant-difference')
    })

    describe('release after load', () => {
      // The factory's sessions have no release phase: each side's analysis is given the share
      // of its load growth that came back, the way the UI passes analyses it already has.
      const released = (seed: number, rss: number | null): AnalysisResult => {
        const an = analyzeSession(session({ seed }))
        for (const m of Object.values(an.metrics)) if (m) m.releasedPercent = null
        an.metrics.rssBytes!.releasedPercent = rss
        return an
      }
      const compareReleased = (ra: number | null, rb: number | null) =>
        compareSessions(session({ seed: 15 }), session({ seed: 16 }), {
          analyses: [released(15, ra), released(16, rb)]
        })

      it('flags B giving back much less than A as worse, and as a regression', () => {
        const r = compareReleased(90, 10)
        expect(metric(r, 'rssBytes.released')).toMatchObject({
          group: 'release',
          a: 90,
          b: 10,
          significant: true,
          direction: 'worse'
        })
        expect(r.verdict).toBe('regression')
        expect(r.summary).toMatch(/released after load/)
        expect(compareReleased(10, 90).verdict).toBe('improvement')
      })

      it('does not call equal releases, or a move inside the 15-point band', () => {
        for (const [ra, rb] of [
          [60, 60],
          [60, 50]
        ] as const) {
          const r = compareReleased(ra, rb)
          expect(metric(r, 'rssBytes.released'), `${ra} vs ${rb}`).toMatchObject({
            significant: false,
            direction: 'same'
          })
          expect(r.verdict).toBe('no-significant-difference')
        }
      })

      it('has no release row when neither run had a release phase', () => {
        const r = compareReleased(null, null)
        expect(r.metrics.some((m) => m.group === 'release')).toBe(false)
      })
    })

    it('notes differing parameters', () => {
      const r = compareSessions(
        session({ seed: 11, parameters: { ratePerSec: 200 } }),
        session({ seed: 12, parameters: { ratePerSec: 500 } })
      )
      expect(r.notes.join(' ')).toMatch(/Parameters differ \(ratePerSec 200 vs 500\)/)
    })
  })

  describe('renderers', () => {
    const r = compareBench(benchResult(1), benchResult(2, { medianMs: 21 }), {
      labels: ['a.json', 'b.json']
    })

    it('prints the verdict first, then a table with units', () => {
      const text = renderCompareText(r)
      expect(text.split('\n')[0]).toMatch(/^REGRESSION — B is worse than A/)
      expect(text).toMatch(/write latency p25\s+\d\.\d+ ms\s+\d\d\.\d ms\s+\+\d+%\s+WORSE/)
      expect(text).toMatch(/write latency median\s+.*\(worse\)/)
      expect(text).toMatch(/Differences outside the noise:/)
    })

    it('renders Markdown and self-contained HTML with the verdict and every metric', () => {
      const md = renderCompareMarkdown(r)
      expect(md.split('\n')[0]).toBe('# KalamDB Profiler compare: REGRESSION')
      for (const m of r.metrics) expect(md).toContain(m.name)
      const html = renderCompareHtml(r)
      expect(html).toContain('REGRESSION')
      expect(html).toContain('<svg class="forest"')
      expect(html).not.toMatch(/<script(?! type="application\/json")/)
      const json =
        /<script type="application\/json" id="kalam-profiler-compare">([^<]*)<\/script>/.exec(html)
      expect(JSON.parse(json![1]!).verdict).toBe('regression')
    })

    it('draws A and B memory over elapsed time for sessions', () => {
      const a = { kind: 'session' as const, path: 'a', session: session({ seed: 1 }) }
      const b = {
        kind: 'session' as const,
        path: 'b',
        session: session({ seed: 2, leakBytesPerSec: 1e5 })
      }
      const charts = overlayCharts(a, b)
      expect(charts.map((c) => c.id)).toEqual(['rssBytes', 'heapBytes'])
      const cmp = compareComparables(a, b)
      expect(renderCompareHtml(cmp, charts)).toContain('<svg class="chart"')
      const md = renderCompareMarkdown(cmp, charts)
      expect(md.match(/```mermaid/g)).toHaveLength(2)
      expect(md).toMatch(/ {2}line \[.*\]\n {2}line \[/)
    })
  })

  describe('loadComparable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-compare-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('reads a bench file, a history folder (newest) and a session directory', async () => {
      const hist = join(dir, 'hist')
      mkdirSync(hist)
      writeFileSync(join(hist, '2024-01-01-120000.json'), JSON.stringify(benchResult(1)))
      writeFileSync(join(hist, '2024-01-02-120000.json'), JSON.stringify(benchResult(2)))
      const file = await loadComparable(join(hist, '2024-01-01-120000.json'))
      expect(file.kind).toBe('bench')
      const newest = await loadComparable(hist)
      expect(newest.path).toMatch(/2024-01-02/)
      const sdir = join(dir, 'session')
      mkdirSync(sdir)
      const s = session({ seed: 3 })
      writeFileSync(join(sdir, 'session.json'), JSON.stringify(s.meta))
      writeFileSync(
        join(sdir, 'samples.ndjson'),
        s.samples.map((x) => JSON.stringify(x)).join('\n')
      )
      const loaded = await loadComparable(sdir)
      expect(loaded.kind).toBe('session')
      expect((await loadComparable(join(sdir, 'session.json'))).kind).toBe('session')
      expect(() => compareComparables(loaded, file)).toThrow(
        /cannot compare a session .* with a bench result .*: compare two sessions of one scenario or two bench results/
      )
    })

    it('says in one line what is wrong with a bad input', async () => {
      await expect(loadComparable(join(dir, 'nope'))).rejects.toThrow(/nope does not exist/)
      writeFileSync(join(dir, 'x.json'), '{"hello": 1}')
      await expect(loadComparable(join(dir, 'x.json'))).rejects.toThrow(/is not a bench result/)
      writeFileSync(join(dir, 'y.json'), 'not json')
      await expect(loadComparable(join(dir, 'y.json'))).rejects.toThrow(/is not JSON/)
      mkdirSync(join(dir, 'empty'))
      await expect(loadComparable(join(dir, 'empty'))).rejects.toThrow(
        /neither a session directory .* nor a folder of bench results/
      )
      // `run all --out` writes a folder of sessions: name one of them.
      const all = join(dir, 'all')
      mkdirSync(join(all, 'memory-stability'), { recursive: true })
      writeFileSync(join(all, 'memory-stability', 'session.json'), '{"startedAt": 1}')
      await expect(loadComparable(all)).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: `${all} is not a session directory but a folder of one session: name one, e.g. ${join(all, 'memory-stability')}`
      })
      expect(() =>
        parseBenchResult({ kind: 'kalam-profiler-bench', startedAt: 1 }, 'z.json')
      ).toThrow(/z\.json is not a readable bench result: quick/)
    })
  })

  describe('latencySamples', () => {
    it('is deterministic (fixtures stay fixed)', () => {
      expect(latencySamples(1, 3, 1)).toEqual(latencySamples(1, 3, 1))
    })
  })
})
