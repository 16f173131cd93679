/**
 * `bench` against the simulator: --quick produces every figure of the seed's list (and ours),
 * judges every target, keeps raw samples, saves into the history folder, and leaves nothing
 * behind on the server; progress and bad input behave as the CLI contract says.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BENCHMARK_IDS, type BenchResult } from '../../src/shared/bench'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { connectKalam } from '../../src/main/target/client'
import { SIM_PASSWORD, SIM_USER, startSim, type RunningSim } from '../helpers/sim'

const AUTH = ['--user', SIM_USER, '--password', SIM_PASSWORD]

let sim: RunningSim
let dir: string

beforeAll(async () => {
  sim = await startSim()
  dir = mkdtempSync(join(tmpdir(), 'kp-bench-'))
})

afterAll(async () => {
  await sim?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function bench(args: string[], env: Record<string, string> = {}) {
  const ctx = memoryContext({ env, cwd: dir })
  const code = await runCli(['bench', ...args], ctx)
  return { code, out: ctx.out(), err: ctx.err() }
}

function errorLine(err: string): string {
  const lines = err.split('\n').filter((l) => l.startsWith('error: '))
  expect(lines, err).toHaveLength(1)
  return lines[0]!
}

const FIGURES = [
  'write-latency',
  'read-latency',
  'query-latency',
  'flush-throughput',
  'notification-latency',
  'sustained-write.throughput',
  'sustained-write.latency',
  ...[1, 2, 4, 8, 16].flatMap((n) => [
    `concurrent-writes.${n}.throughput`,
    `concurrent-writes.${n}.latency`
  ]),
  'memory-retention'
]

describe('bench (simulator)', () => {
  it('produces every figure and target with --quick, saves it, and cleans up', async () => {
    const r = await bench(['--url', sim.url, ...AUTH, '--quick', '--json', '--save', 'hist'])
    expect(r.code, r.err).toBe(0)
    const result = JSON.parse(r.out) as BenchResult
    expect(result.kind).toBe('kalam-profiler-bench')
    expect(result.quick).toBe(true)
    expect(result.target.version).toBeTruthy()
    expect(result.benchmarks.map((b) => b.id)).toEqual([...BENCHMARK_IDS])
    for (const b of result.benchmarks) {
      expect(b.status, `${b.id}: ${b.error ?? ''}`).toBe('ok')
      expect(b.environment).toBeDefined()
    }
    const figures = new Map(result.benchmarks.flatMap((b) => b.figures.map((f) => [f.id, f])))
    expect([...figures.keys()].sort()).toEqual([...FIGURES].sort())
    for (const f of figures.values()) {
      expect(f.stats.n, f.id).toBeGreaterThan(0)
      expect(f.samples.length, f.id).toBeGreaterThan(0)
      expect(Number.isFinite(f.stats.median), f.id).toBe(true)
      expect(f.stats.medianCi95[0], f.id).toBeLessThanOrEqual(f.stats.median)
      expect(f.stats.medianCi95[1], f.id).toBeGreaterThanOrEqual(f.stats.median)
      const o = f.stats.outliers
      expect(o.lowMild + o.lowSevere + o.highMild + o.highSevere).toBeLessThanOrEqual(f.stats.n)
    }
    // The simulator keeps KalamDB's 100 SQL/s per user: writers went to workload users,
    // and the one-writer level is paced under that limit and says so.
    expect(result.limits?.maxQueriesPerSec).toBe(100)
    expect(result.workloadUsers).toBeGreaterThan(0)
    expect(figures.get('concurrent-writes.1.throughput')!.limitBound).toMatch(/100 SQL\/s per user/)
    expect(result.targets.map((t) => t.name)).toEqual([
      'Write latency',
      'Read latency',
      'Query latency (simple)',
      'Notification latency',
      'Flush throughput',
      'Sustained write rate'
    ])
    for (const t of result.targets) {
      expect(typeof t.pass, t.name).toBe('boolean')
      expect(t.measured, t.name).not.toBeNull()
      expect(t.threshold).toMatch(/^(p95|median|≥) /)
    }
    expect(result.memory?.source).toBe('proc')
    expect(result.memory?.pid).toBe(sim.pid)

    // Saved under hist/<version>[+<build>]/<date>-<time>.json, the same JSON as printed.
    const versions = readdirSync(join(dir, 'hist'))
    expect(versions).toHaveLength(1)
    expect(versions[0]!.startsWith(result.target.version!)).toBe(true)
    const files = readdirSync(join(dir, 'hist', versions[0]!))
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/^\d{4}-\d{2}-\d{2}-\d{6}\.json$/)
    expect(JSON.parse(readFileSync(join(dir, 'hist', versions[0]!, files[0]!), 'utf8'))).toEqual(
      result
    )
    expect(r.err).toMatch(/^saved to .*\.json$/m)

    // Nothing left behind: no kp_ namespace, no workload user.
    const admin = await connectKalam({
      url: sim.url,
      credentials: { user: SIM_USER, password: SIM_PASSWORD }
    })
    try {
      const ns = await admin.sql('SELECT namespace_id FROM system.namespaces LIMIT 1000')
      expect(ns.results[0]!.rows.map((row) => String(row[0]))).not.toContainEqual(
        expect.stringMatching(/^kp_/)
      )
      const users = await admin.sql('SELECT user_id FROM system.users LIMIT 1000')
      expect(users.results[0]!.rows.map((row) => String(row[0]))).not.toContainEqual(
        expect.stringMatching(/^kp_/)
      )
    } finally {
      await admin.close()
    }
  })

  it('prints targets first, then figures, with plain progress lines when not on a terminal', async () => {
    const r = await bench([
      '--url',
      sim.url,
      ...AUTH,
      '--quick',
      '--only',
      'write-latency,query-latency'
    ])
    expect(r.code, r.err).toBe(0)
    const lines = r.out.split('\n')
    expect(lines[0]).toMatch(
      /^(All 2 targets met|[12] of 2 targets missed) — 2 benchmarks against /
    )
    expect(r.out.indexOf('Targets')).toBeLessThan(r.out.indexOf('Figures'))
    expect(r.out).toMatch(/ {2}(PASS|FAIL) {2}Write latency\s+p95 < 1\.00 ms\s+\d/)
    expect(r.out).toMatch(/write latency\s+\d+\.\d+ ms\s+\d+\.\d+ ms … \d+\.\d+ ms/)
    expect(r.err).toMatch(/^bench 1\/2 write-latency: running$/m)
    expect(r.err).toMatch(/^bench 2\/2 query-latency: done, query latency median .* \(n=30\)/m)
    expect(r.err).not.toContain('\r')
  })

  it('refuses bad input in one line, exit 2, before touching the server', async () => {
    const cases: [string[], RegExp][] = [
      [['--quick', ...AUTH], /missing --url/],
      [
        ['--url', sim.url, ...AUTH, '--only', 'write-latency,nope'],
        /unknown benchmark 'nope': use one or more of write-latency, /
      ],
      [['--url', sim.url, ...AUTH, '--duration', '5'], /--duration: invalid duration '5'/],
      [['--url', 'http://192.0.2.1:8080', ...AUTH], /is not a loopback address/],
      [['--url', sim.url], /no credentials/],
      [['--url', sim.url, '--user', SIM_USER, '--password', 'wrong-password'], /./]
    ]
    for (const [args, want] of cases) {
      const r = await bench(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(errorLine(r.err)).toMatch(want)
      expect(r.out).toBe('')
    }
  })
})
