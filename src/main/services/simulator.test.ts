import { describe, expect, it } from 'vitest'
import { cliEntry } from '../../../test/helpers/cli'
import { startSimulator } from './simulator'

describe('simulator', () => {
  describe('startSimulator', () => {
    it('starts the CLI simulator as its own process on a free port and stops it with SIGINT', async () => {
      const sim = await startSimulator({ execPath: process.execPath, cliEntry: cliEntry() })
      try {
        expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        expect(sim.pid).not.toBe(process.pid)
        const health = await fetch(`${sim.url}/health`)
        expect(health.status).toBe(200)
        expect(sim.credentials.user).toBe('admin')
        expect(sim.credentials.password.length).toBeGreaterThanOrEqual(16)
      } finally {
        await sim.stop()
      }
      await sim.exited
      await expect(fetch(`${sim.url}/health`)).rejects.toThrow()
    })

    it('fails in one line when the entry cannot start', async () => {
      await expect(
        startSimulator({
          execPath: process.execPath,
          cliEntry: '/nonexistent/cli.js',
          startTimeoutMs: 10_000
        })
      ).rejects.toThrow(/^the simulator exited with 1 before it started/)
    })
  })
})
