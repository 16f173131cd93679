/**
 * Shared by the scenario integration tests: one fresh simulator per run (memory verdicts must
 * not inherit another run's heap), `kalam-profiler run … --json` in-process, temp dirs removed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunResult } from '../../src/shared/run'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim'

export interface ScenarioRun {
  code: number
  result: RunResult
  stderr: string
  stdout: string
}

const dirs: string[] = []

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kp-scenario-'))
  dirs.push(d)
  return d
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
}

/** Runs one scenario in --quick mode against its own simulator started with `simArgs`. */
export async function runQuick(
  scenario: string,
  simArgs: string[] = [],
  runArgs: string[] = []
): Promise<ScenarioRun> {
  const sim = await startSim({ args: simArgs })
  try {
    const out = join(tempDir(), 'session')
    const ctx = memoryContext()
    const code = await runCli(
      [
        'run',
        scenario,
        '--url',
        sim.url,
        '--pid',
        String(sim.pid),
        '--user',
        SIM_USER,
        '--password',
        SIM_PASSWORD,
        '--quick',
        '--json',
        '--out',
        out,
        ...runArgs
      ],
      ctx
    )
    const stdout = ctx.out()
    if (!stdout.trim().startsWith('{')) {
      throw new Error(
        `run ${scenario} printed no RunResult (exit ${code}): ${ctx.err()}\n${sim.stderr()}`
      )
    }
    return { code, result: JSON.parse(stdout) as RunResult, stderr: ctx.err(), stdout }
  } finally {
    await sim.stop()
  }
}

/** A readable summary for assertion messages. */
export function describeRun(r: ScenarioRun): string {
  return `${r.result.scenario} ${r.result.status} (exit ${r.code}):\n${r.result.verdicts
    .map(
      (v) =>
        `  ${String(v.pass)} ${v.name} ${v.threshold} measured ${v.measured}: ${v.reason ?? ''}`
    )
    .join('\n')}\n${r.stderr}`
}
