import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { memoryContext } from './context'
import { runCli } from './run-cli'
import { spawn } from 'node:child_process'
import { cliEntry, runCliProcess } from '../../../test/helpers/cli'

describe('cli', () => {
  describe('runCli', () => {
    it('prints help for the program and exits 0', async () => {
      const ctx = memoryContext()
      expect(await runCli(['--help'], ctx)).toBe(0)
      expect(ctx.out()).toMatch(/Usage: kalam-profiler/)
      for (const c of ['targets', 'probe', 'sample', 'snapshot', 'analyze', 'sim', 'ui']) {
        expect(ctx.out()).toContain(c)
      }
    })

    it('rejects an unknown option with one line and exit 2', async () => {
      const ctx = memoryContext()
      expect(await runCli(['targets', '--bogus'], ctx)).toBe(2)
      expect(ctx.err().split('\n')[0]).toBe("error: unknown option '--bogus'")
    })

    it('prints no stack for a bad pid, and the stack with --verbose', async () => {
      const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim())
      const plain = memoryContext()
      expect(await runCli(['snapshot', '--pid', String(pidMax)], plain)).toBe(2)
      expect(plain.err().split('\n')[0]).toBe(`error: no process with pid ${pidMax}`)
      expect(plain.err()).not.toMatch(/\n\s+at /)
      const verbose = memoryContext()
      expect(await runCli(['snapshot', '--pid', String(pidMax), '--verbose'], verbose)).toBe(2)
      expect(verbose.err().split('\n')[0]).toBe(`error: no process with pid ${pidMax}`)
      expect(verbose.err()).toMatch(/\n\s+at /)
    })

    it('rejects an unknown command with exit 2', async () => {
      const ctx = memoryContext()
      expect(await runCli(['frobnicate'], ctx)).toBe(2)
      expect(ctx.err()).toMatch(/unknown command 'frobnicate'/)
    })
  })

  describe('bin', () => {
    it('runs the built CLI as a process', async () => {
      const r = await runCliProcess(['--version'])
      expect(r.code).toBe(0)
      expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
    })

    it('stops quietly when the reader of its output goes away (sample --json | head)', async () => {
      const child = spawn(
        process.execPath,
        [cliEntry(), 'sample', '--pid', String(process.pid), '--interval', '100ms', '--json'],
        { stdio: ['ignore', 'pipe', 'pipe'] }
      )
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.stdout.once('data', () => child.stdout.destroy())
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
      clearTimeout(timer)
      expect(stderr).not.toMatch(/EPIPE|Unhandled/)
      expect(code).toBe(0)
    })
  })
})
