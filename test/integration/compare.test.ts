/**
 * `compare` on real runs against simulator "builds" with known ground truth: a build that
 * answers every SQL 20 ms later, or keeps 8 KiB per insert, is a regression in bench results,
 * a build that keeps 64 KiB per insert is a regression in memory-stability sessions, and two
 * runs of one build — each
 * on a fresh server, as two builds would be — are judged equal within noise. Plus the
 * one-line refusals: sessions of different scenarios, a session with a bench result.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CompareResult } from '../../src/shared/compare'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { SIM_PASSWORD, SIM_USER, startSim, type RunningSim } from '../helpers/sim'

const AUTH = ['--user', SIM_USER, '--password', SIM_PASSWORD]
/**
 * The one-at-a-time benchmarks and memory retention: what compare's verdict rests on, and
 * seconds to run.
 */
const ONLY = 'write-latency,read-latency,query-latency,notification-latency,memory-retention'

let dir: string
const sims: RunningSim[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kp-compare-'))
})

afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()))
  rmSync(dir, { recursive: true, force: true })
})

async function cli(args: string[]) {
  const ctx = memoryContext({ cwd: dir })
  const code = await runCli(args, ctx)
  return { code, out: ctx.out(), err: ctx.err() }
}

async function sim(args: string[] = []): Promise<RunningSim> {
  const s = await startSim({ args })
  sims.push(s)
  return s
}

async function benchOn(s: RunningSim, file: string): Promise<string> {
  const r = await cli(['bench', '--url', s.url, ...AUTH, '--quick', '--only', ONLY, '--json'])
  expect(r.code, r.err).toBe(0)
  writeFileSync(join(dir, file), r.out)
  return file
}

async function compareJson(a: string, b: string, flags: string[] = []): Promise<CompareResult> {
  const r = await cli(['compare', a, b, '--json', ...flags])
  expect(r.code, r.err).toBe(0)
  return JSON.parse(r.out) as CompareResult
}

function significant(r: CompareResult): string[] {
  return r.metrics.filter((m) => m.significant).map((m) => `${m.name}: ${m.reason}`)
}

describe('compare (simulator builds)', () => {
  describe('bench results', () => {
    let base: string
    let same: string
    let slow: string
    let leak: string

    beforeAll(async () => {
      const [s1, s2, s3, s4] = await Promise.all([
        sim(),
        sim(),
        sim(['--slow-query-ms', '20']),
        sim(['--leak-bytes-per-insert', '8192'])
      ])
      // One after another: two benchmarks at once would measure each other.
      base = await benchOn(s1!, 'base.json')
      same = await benchOn(s2!, 'same.json')
      slow = await benchOn(s3!, 'slow.json')
      leak = await benchOn(s4!, 'leak.json')
    })

    it('flags a build that answers 20 ms later as a regression', async () => {
      const r = await compareJson(base, slow)
      expect(r.verdict).toBe('regression')
      for (const id of ['write-latency', 'read-latency', 'query-latency']) {
        const m = r.metrics.find((x) => x.id === `bench.${id}.p25`)!
        expect(m, id).toMatchObject({ significant: true, direction: 'worse' })
        expect(m.b! - m.a!, id).toBeGreaterThan(15)
        expect(m.pValue!, id).toBeLessThan(0.001)
      }
      // The reverse is an improvement.
      expect((await compareJson(slow, base)).verdict).toBe('improvement')
    })

    it('flags a build that keeps 8 KiB per insert as a memory regression', async () => {
      const r = await compareJson(base, leak)
      expect(r.verdict).toBe('regression')
      const m = r.metrics.find((x) => x.id === 'bench.memory-retention.median')!
      expect(m).toMatchObject({ significant: true, direction: 'worse', group: 'memory' })
      expect(m.delta!).toBeGreaterThan(4096)
    })

    /**
     * Two fresh servers of one build on the 2-core development VM, machine otherwise quiet:
     * the lower quartile of one-at-a-time latency (≈ 1 ms) came out up to 38% apart (CI up to
     * 43%), a different benchmark each run — waking a process costs 0.06–0.25 ms here, and a
     * round trip wakes two. Inside `npm test`, beside the other test files, query latency p25
     * once came out 95% apart (CI 81–114%). The default 10% band is for steadier machines
     * (README, compare); here the band is 100%, the widest --noise takes, which the 20 ms build
     * (+1,500% or more) still clears by far.
     */
    const VM_NOISE = ['--noise', '100']

    it('judges two runs of one build equal within noise', async () => {
      const r = await compareJson(base, same, VM_NOISE)
      expect(significant(r)).toEqual([])
      expect(r.verdict).toBe('no-significant-difference')
    })

    it('prints the verdict first with a table in units, and exits 1 only when asked to', async () => {
      const r = await cli(['compare', base, slow])
      expect(r.code).toBe(0)
      const lines = r.out.split('\n')
      expect(lines[0]).toMatch(/^REGRESSION — B is worse than A: write latency p25 \+\d+%/)
      expect(lines[1]).toMatch(/^A: base\.json \(bench, KalamDB .+, quick, .+ UTC\)$/)
      expect(lines[2]).toMatch(/^B: slow\.json \(bench, /)
      expect(r.out).toMatch(/^ {2}write latency p25\s+\d+\.\d+ ms\s+2\d\.\d ms\s+\+\d+%\s+WORSE$/m)
      expect((await cli(['compare', base, slow, '--fail-on-regression'])).code).toBe(1)
      expect((await cli(['compare', base, same, ...VM_NOISE, '--fail-on-regression'])).code).toBe(0)
    })

    it('writes Markdown and HTML reports', async () => {
      const md = await cli(['compare', base, slow, '--format', 'md', '--out', 'cmp.md'])
      expect(md.code, md.err).toBe(0)
      expect(md.out).toMatch(/^REGRESSION — .*\nwrote .*cmp\.md\n$/)
      const text = readFileSync(join(dir, 'cmp.md'), 'utf8')
      expect(text.split('\n')[0]).toBe('# KalamDB Profiler compare: REGRESSION')
      expect(text).toContain('| write latency p25 |')
      const html = await cli(['compare', base, slow, '--out', 'cmp.html'])
      expect(html.code, html.err).toBe(0)
      const page = readFileSync(join(dir, 'cmp.html'), 'utf8')
      expect(page).toMatch(/^<!doctype html>/)
      expect(page).toContain('<svg class="forest"')
    })

    it("prints the report for --out '-' instead of writing a file named '-'", async () => {
      const md = await cli(['compare', base, slow, '--format', 'md', '--out', '-'])
      expect(md.code, md.err).toBe(0)
      expect(md.out.split('\n')[0]).toBe('# KalamDB Profiler compare: REGRESSION')
      expect(existsSync(join(dir, '-'))).toBe(false)
    })
  })

  describe('sessions', () => {
    let base: string
    let same: string
    let leak: string

    const runOn = async (s: RunningSim, name: string): Promise<string> => {
      const out = join(dir, name)
      const r = await cli([
        'run',
        'memory-stability',
        '--url',
        s.url,
        '--pid',
        String(s.pid),
        ...AUTH,
        '--quick',
        '--rate',
        '100',
        '--baseline',
        '2s',
        '--duration',
        '8s',
        '--out',
        out
      ])
      // 0 passed, 1 criteria failed (the leaking build may fail T220): both recorded a session.
      expect([0, 1], r.err).toContain(r.code)
      return name
    }

    beforeAll(async () => {
      const [s1, s2, s3] = await Promise.all([
        sim(),
        sim(),
        sim(['--leak-bytes-per-insert', '65536'])
      ])
      // One after another: three load phases at once would measure each other.
      base = await runOn(s1!, 'base-session')
      same = await runOn(s2!, 'same-session')
      leak = await runOn(s3!, 'leak-session')
    })

    it('flags a build that keeps 64 KiB per insert as a memory regression', async () => {
      const r = await compareJson(base, leak)
      expect(r.kind).toBe('sessions')
      expect(r.verdict).toBe('regression')
      expect(r.metrics.find((m) => m.id === 'rssBytes.slope')).toMatchObject({
        significant: true,
        direction: 'worse'
      })
    })

    it('judges two sessions of one build equal within noise', async () => {
      const r = await compareJson(base, same)
      expect(significant(r)).toEqual([])
      expect(r.verdict).toBe('no-significant-difference')
    })

    it('refuses sessions of different scenarios, and a session with a bench result, in one line', async () => {
      const other = join(dir, 'other-scenario')
      cpSync(join(dir, base), other, { recursive: true })
      const meta = JSON.parse(readFileSync(join(other, 'session.json'), 'utf8')) as Record<
        string,
        unknown
      >
      writeFileSync(
        join(other, 'session.json'),
        JSON.stringify({ ...meta, scenario: 'cpu-under-load' })
      )
      const r = await cli(['compare', base, 'other-scenario'])
      expect(r.code).toBe(2)
      expect(r.out).toBe('')
      expect(r.err.trim()).toBe(
        "error: cannot compare sessions of different scenarios: A is 'memory-stability', B is 'cpu-under-load'"
      )
      // base.json: the bench result written by the bench tests above (same folder).
      const mixed = await cli(['compare', base, 'base.json'])
      expect(mixed.code).toBe(2)
      expect(mixed.err.trim()).toMatch(
        /^error: cannot compare a session \(.*base-session\) with a bench result \(.*base\.json\): compare two sessions of one scenario or two bench results$/
      )
      const missing = await cli(['compare', base, 'no-such-dir'])
      expect(missing.code).toBe(2)
      expect(missing.err.trim()).toMatch(/^error: .*no-such-dir does not exist$/)
    })
  })
})
