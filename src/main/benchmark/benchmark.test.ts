import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BenchmarkOutcome, BenchResult } from '../../shared/bench'
import { benchResult, figure } from '../compare/testing/factories'
import { windowRates } from './context'
import { parseMachineBusyTicks } from './environment'
import { saveResult, stamp, versionKey } from './history'
import { Pacer, pacerFor } from './pacer'
import { parseOnly } from './plan'
import { renderBenchText } from './render'
import { checkTargets } from './targets'

function outcome(
  id: BenchmarkOutcome['id'],
  figures: BenchmarkOutcome['figures']
): BenchmarkOutcome {
  return {
    id,
    title: id,
    status: 'ok',
    warmup: { operations: 0, ms: 0 },
    durationMs: 1,
    figures,
    notes: []
  }
}

describe('benchmark', () => {
  describe('parseOnly', () => {
    it('keeps the seed’s order whatever the order given', () => {
      expect(parseOnly('read-latency, write-latency')).toEqual(['write-latency', 'read-latency'])
    })

    it('names the valid benchmarks when one is unknown', () => {
      expect(() => parseOnly('write-latency,fast')).toThrow(
        /unknown benchmark 'fast': use one or more of write-latency, read-latency, .*memory-retention/
      )
      expect(() => parseOnly(' , ')).toThrow(/name benchmarks/)
    })
  })

  describe('checkTargets', () => {
    it('judges each target on its statistic, and no data never passes', () => {
      const checks = checkTargets(
        [
          outcome('write-latency', [figure('write-latency', [0.2, 0.3, 0.4, 0.5, 3])]),
          outcome('flush-throughput', [
            figure('flush-throughput', [20_000, 25_000, 30_000], { unit: 'rows/s' })
          ]),
          outcome('read-latency', []),
          outcome('sustained-write', [])
        ],
        { achievedPerSec: 990, failed: 0, targetRate: 1000 }
      )
      const by = Object.fromEntries(checks.map((c) => [c.name, c]))
      expect(by['Write latency']).toMatchObject({ threshold: 'p95 < 1.00 ms', pass: false })
      expect(by['Write latency']!.measured).toBeGreaterThan(2)
      expect(by['Flush throughput']).toMatchObject({
        threshold: 'median > 10,000 rows/s',
        pass: true,
        measured: 25_000
      })
      expect(by['Read latency']).toMatchObject({ pass: null, measured: null })
      expect(by['Sustained write rate']).toMatchObject({
        pass: true,
        threshold: '≥ 980 rows/s held, 0 failed'
      })
      expect(checks.map((c) => c.name)).not.toContain('Query latency (simple)')
    })

    it('fails the sustained target on a failed insert even at full rate', () => {
      const [c] = checkTargets([outcome('sustained-write', [])], {
        achievedPerSec: 1000,
        failed: 3,
        targetRate: 1000
      })
      expect(c).toMatchObject({ pass: false, reason: '1000.0 rows/s of 1000 asked, 3 failed.' })
    })
  })

  describe('Pacer', () => {
    it('spaces slots 1/rate apart and counts the wait', async () => {
      const p = new Pacer(100)
      // Five callers at once: slots at +0, +10, +20, +30, +40 ms (aborted: nobody really waits).
      const gone = AbortSignal.abort()
      await Promise.all(Array.from({ length: 5 }, () => p.slot(gone)))
      expect(p.granted).toBe(5)
      expect(p.waitedMs).toBeGreaterThan(95)
      expect(p.waitedMs).toBeLessThanOrEqual(100)
      p.reset()
      expect([p.waitedMs, p.granted]).toEqual([0, 0])
    })

    it('runs under the server’s per-user rate: 80% of it, KalamDB’s 100 when unknown', () => {
      expect(pacerFor(100).ratePerSec).toBe(80)
      expect(pacerFor(null).ratePerSec).toBe(80)
      expect(pacerFor(100_000).ratePerSec).toBe(80_000)
    })
  })

  describe('windowRates', () => {
    it('turns acknowledgement times into rows per second per window', () => {
      const acks = [
        { t: 1000, rows: 1 },
        { t: 1050, rows: 1 },
        { t: 1150, rows: 2 },
        { t: 999, rows: 5 },
        { t: 1200, rows: 9 }
      ]
      expect(windowRates(acks, 1000, 1200, 100)).toEqual([20, 20])
    })
  })

  describe('parseMachineBusyTicks', () => {
    it('sums everything but idle and iowait from /proc/stat', () => {
      const text = 'cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n'
      expect(parseMachineBusyTicks(text)).toBe(161)
      expect(parseMachineBusyTicks('nonsense')).toBeNull()
    })
  })

  describe('history', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-bench-hist-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    const withTarget = (t: Partial<BenchResult['target']>): BenchResult => {
      const r = benchResult(1)
      r.target = { ...r.target, ...t }
      return r
    }

    it('keys results by version and build', () => {
      expect(versionKey(withTarget({ version: '0.4.3-rc.4', gitCommit: '66dc492b0a1b2c3d' }))).toBe(
        '0.4.3-rc.4+66dc492b'
      )
      expect(versionKey(withTarget({ version: '0.4.3', gitCommit: 'simulator' }))).toBe(
        '0.4.3+simulator'
      )
      expect(
        versionKey(
          withTarget({ version: '0.4.3', gitCommit: null, buildDate: '2026-04-30 12:00:00 UTC' })
        )
      ).toBe('0.4.3+2026-04-30-12-00-00-UTC')
      expect(
        versionKey(withTarget({ version: '../../etc', gitCommit: null, buildDate: null }))
      ).toBe('etc')
      expect(versionKey(withTarget({ version: null, gitCommit: null, buildDate: null }))).toBe(
        'unknown'
      )
    })

    it('writes <dir>/<version>/<date>-<time>.json and never overwrites', async () => {
      const r = withTarget({ version: '1.0', gitCommit: null, buildDate: null })
      r.startedAt = Date.UTC(2026, 4, 1, 12, 3, 4)
      expect(stamp(r.startedAt)).toBe('2026-05-01-120304')
      const first = await saveResult(dir, r)
      const second = await saveResult(dir, r)
      expect(first).toBe(join(dir, '1.0', '2026-05-01-120304.json'))
      expect(second).toBe(join(dir, '1.0', '2026-05-01-120304-2.json'))
      expect(JSON.parse(readFileSync(first, 'utf8'))).toEqual(r)
    })
  })

  describe('renderBenchText', () => {
    it('puts the targets first and marks limit-bound figures', () => {
      const r = benchResult(3)
      r.benchmarks[0]!.figures[0]!.limitBound = 'paced under 100 SQL/s per user'
      const text = renderBenchText(r, '/tmp/x.json')
      expect(text.split('\n')[0]).toMatch(
        /^(1 of 1 targets missed|All 1 targets met) — 3 benchmarks against http:\/\/127\.0\.0\.1:8080 \(KalamDB 0\.4\.3-rc\.4, quick/
      )
      expect(text.indexOf('Targets')).toBeLessThan(text.indexOf('Figures'))
      expect(text).toMatch(/write latency \*\s+\d\.\d+ ms/)
      expect(text).toContain('write-latency: limit-bound — paced under 100 SQL/s per user')
      expect(text).toMatch(/Saved to \/tmp\/x\.json\n$/)
    })

    it('says INCOMPLETE first when a benchmark failed', () => {
      const r = benchResult(4)
      r.benchmarks[1] = { ...r.benchmarks[1]!, status: 'failed', error: 'boom', figures: [] }
      expect(renderBenchText(r).split('\n')[0]).toMatch(
        /^INCOMPLETE — 1 benchmark could not finish/
      )
      expect(renderBenchText(r)).toContain('  read-latency: FAILED — boom')
    })
  })
})
