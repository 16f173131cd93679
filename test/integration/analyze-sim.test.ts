/**
 * Ground truth from the simulator (DESIGN.md "Testing"): two sessions recorded by the real
 * engine (`kalam-profiler run memory-stability --quick`) against simulators with and without
 * an injected leak of LEAK bytes per insert, recorded side by side, then analysed by
 * `kalam-profiler analyze --json`. The simulator itself holds some memory per insert (its
 * rows, V8's heap), so the leak's share is the difference of the two runs' bytes per insert:
 * it must match the injected leak within 20%. The runs are short, so no trend verdict may
 * say "leak" on either (too short is inconclusive, never a guess).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AnalysisResult, Attribution } from '../../src/shared/analysis'
import { runCliProcess, type CliResult } from '../helpers/cli'
import { SIM_PASSWORD, SIM_USER, startSim, type RunningSim } from '../helpers/sim'

/** 128 KiB per insert: large next to what the simulator itself holds per row (a few KiB). */
const LEAK = 128 * 1024

let root: string
const sims: RunningSim[] = []
const runs: { leak: CliResult; clean: CliResult } = {} as never
const analyses: { leak?: AnalysisResult; clean?: AnalysisResult } = {}

async function record(sim: RunningSim, dir: string): Promise<CliResult> {
  return runCliProcess(
    [
      'run',
      'memory-stability',
      '--quick',
      '--url',
      sim.url,
      '--pid',
      String(sim.pid),
      '--user',
      SIM_USER,
      '--password',
      SIM_PASSWORD,
      '--out',
      dir,
      // 50 rows/s for 12 s of load (3 s warm-up), sampled every 500 ms.
      '--rate',
      '50',
      '--baseline',
      '2s',
      '--warmup',
      '3s',
      '--duration',
      '15s',
      '--interval',
      '500ms'
    ],
    { timeoutMs: 60_000 }
  )
}

async function analyze(dir: string): Promise<AnalysisResult> {
  const r = await runCliProcess(['analyze', dir, '--json'])
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout) as AnalysisResult
}

function perInsert(a: AnalysisResult | undefined, metric: string): Attribution | undefined {
  return a?.attribution.find((x) => x.metric === metric && x.per === 'insert')
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kp-analyze-sim-'))
  const [leaky, clean] = await Promise.all([
    startSim({ args: ['--leak-bytes-per-insert', String(LEAK), '--no-rate-limits'] }),
    startSim({ args: ['--no-rate-limits'] })
  ])
  sims.push(leaky, clean)
  ;[runs.leak, runs.clean] = await Promise.all([
    record(leaky, join(root, 'leak')),
    record(clean, join(root, 'clean'))
  ])
  analyses.leak = await analyze(join(root, 'leak'))
  analyses.clean = await analyze(join(root, 'clean'))
}, 90_000)

afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()))
  await rm(root, { recursive: true, force: true })
})

describe('analyze on simulator sessions', () => {
  it('recorded both sessions (exit 0 pass or 1 criteria failed, never 2)', () => {
    expect([0, 1]).toContain(runs.leak.code)
    expect([0, 1]).toContain(runs.clean.code)
  })

  it('attributes the injected leak per insert within 20%', () => {
    for (const metric of ['heapBytes', 'rssBytes']) {
      const leak = perInsert(analyses.leak, metric)
      const clean = perInsert(analyses.clean, metric)
      expect(leak, `${metric} attribution in the leak run`).toBeDefined()
      expect(leak?.r2).toBeGreaterThan(0.9)
      const injected = (leak?.bytesPerUnit ?? 0) - (clean?.bytesPerUnit ?? 0)
      console.info(
        `${metric}: leak run ${Math.round(leak?.bytesPerUnit ?? 0)} B/insert (R² ${leak?.r2.toFixed(3)}), ` +
          `clean run ${Math.round(clean?.bytesPerUnit ?? 0)} B/insert, difference ${Math.round(injected)} B vs ${LEAK} injected`
      )
      expect(injected / LEAK, `${metric}: ${injected} B per insert`).toBeGreaterThan(0.8)
      expect(injected / LEAK, `${metric}: ${injected} B per insert`).toBeLessThan(1.2)
    }
  })

  it('does not blame the simulator without a leak for it', () => {
    const clean = perInsert(analyses.clean, 'heapBytes')
    expect(clean?.bytesPerUnit ?? 0).toBeLessThan(LEAK / 4)
    for (const m of Object.values(analyses.clean?.metrics ?? {})) expect(m.verdict).not.toBe('leak')
  })

  it('answers a short load phase with inconclusive, never a guess', () => {
    expect(analyses.leak?.metrics.rssBytes?.verdict).toBe('inconclusive')
    expect(analyses.leak?.metrics.rssBytes?.reason).toMatch(/too short to tell a leak from noise/)
  })
})
