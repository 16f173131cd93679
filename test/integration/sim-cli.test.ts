/** `kalam-profiler sim` as users run it: output, process name, bad flags. */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { cliEntry } from '../helpers/cli'
import { type RunningSim, startSim } from '../helpers/sim'

const sims: RunningSim[] = []
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()))
})

describe('kalam-profiler sim', () => {
  it('prints one JSON line and is discoverable as kalamdb-server', async () => {
    const s = await startSim()
    sims.push(s)
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(readFileSync(`/proc/${s.pid}/comm`, 'utf8').trim()).toBe('kalamdb-server')
    expect(readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0')[0]!.trim()).toBe(
      'kalamdb-server'
    )
  })

  it('prints a friendly line with URL and pid without --json, and exits 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [cliEntry(), 'sim'], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout }).once('line', resolve)
    )
    expect(line).toMatch(
      new RegExp(
        `^KalamDB simulator \\(as kalamdb-server 0\\.4\\.3-rc\\.4\\) listening on http://127\\.0\\.0\\.1:\\d+ \\(pid ${child.pid}\\)$`
      )
    )
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    child.kill('SIGINT')
    expect(await exit).toBe(0)
  })

  it('says in one line when the port is taken', async () => {
    const taken = await startSim()
    sims.push(taken)
    const ctx = memoryContext()
    expect(await runCli(['sim', '--port', new URL(taken.url).port], ctx)).toBe(2)
    expect(ctx.err().split('\n')[0]).toBe(
      `error: port ${new URL(taken.url).port} on 127.0.0.1 is already in use`
    )
  })

  it.each([
    [
      ['--configured', 'admin'],
      /^error: --configured: invalid credentials: expected USER:PASSWORD, e\.g\. admin:kalamdb123$/
    ],
    [
      ['--configured', 'admin:short'],
      /^error: --configured: invalid password: at least 8 characters$/
    ],
    [
      ['--drop-notifications-ratio', '2'],
      /^error: --drop-notifications-ratio: invalid ratio '2': expected a number from 0 to 1$/
    ],
    [['--crash-after', '5'], /^error: --crash-after: invalid duration '5'/],
    [['--leak-bytes-per-insert', '-1'], /^error: --leak-bytes-per-insert: invalid byte count '-1'/]
  ])('rejects %j with one line and exit 2', async (args, message) => {
    const ctx = memoryContext()
    expect(await runCli(['sim', ...args], ctx)).toBe(2)
    expect(ctx.err().trim().split('\n')[0]).toMatch(message)
    expect(ctx.out()).toBe('')
  })
})
