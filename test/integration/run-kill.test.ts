/**
 * `kill -9` of a running `kalam-profiler run` (a real separate process) leaves a session
 * directory that the reader and `analyze` read: status interrupted, every sample up to the
 * last flush (≤ 200 ms before the kill) intact.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { readSession } from '../../src/main/session/reader'
import { cliEntry } from '../helpers/cli'
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim'
import { removeTempDirs, tempDir } from './scenario-helpers'

afterAll(removeTempDirs)

function lines(file: string): number {
  if (!existsSync(file)) return 0
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).length
}

describe('run killed with SIGKILL', () => {
  it('leaves a session that the reader and analyze read as interrupted', async () => {
    const sim = await startSim()
    try {
      const out = join(tempDir(), 'session')
      const child = spawn(
        process.execPath,
        [
          cliEntry(),
          'run',
          'T220',
          '--url',
          sim.url,
          '--pid',
          String(sim.pid),
          '--quick',
          '--out',
          out
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: { ...process.env, KALAMDB_USER: SIM_USER, KALAMDB_PASSWORD: SIM_PASSWORD }
        }
      )
      let stderr = ''
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_code, signal) => resolve(signal))
      )
      // Kill it in the middle of the load phase: once inserts are being counted.
      const deadline = Date.now() + 30_000
      const loadStarted = (): boolean =>
        existsSync(join(out, 'events.ndjson')) &&
        readFileSync(join(out, 'events.ndjson'), 'utf8').includes('"phase":"load"')
      while (!loadStarted() && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(loadStarted(), stderr).toBe(true)
      await new Promise((r) => setTimeout(r, 1500))
      const before = lines(join(out, 'samples.ndjson'))
      child.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')

      const session = await readSession(out)
      expect(session.meta.status).toBe('interrupted')
      expect(session.meta.endedAt).toBeNull()
      expect(session.samples.length).toBeGreaterThanOrEqual(before)
      expect(session.samples.length).toBeGreaterThan(5)
      expect(session.events.some((e) => e.type === 'phase' && e.phase === 'load')).toBe(true)
      expect(session.events.some((e) => e.type === 'counters' && e.inserts > 0)).toBe(true)

      const ctx = memoryContext()
      expect(await runCli(['analyze', out, '--json'], ctx), ctx.err()).toBe(0)
      const analysis = JSON.parse(ctx.out()) as { status: string; metrics: Record<string, unknown> }
      expect(analysis.status).toBe('interrupted')
      expect(analysis.metrics['rssBytes']).toBeDefined()
    } finally {
      await sim.stop()
    }
  })
})
