import { describe, expect, it } from 'vitest'
import { memoryContext } from './context'
import { runCli } from './run-cli'
import { runCliProcess } from '../../../test/helpers/cli'

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
  })
})
