import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { checkHealth, watchHealth, type HealthState } from './health'

describe('workload/health', () => {
  describe('checkHealth', () => {
    it('answers ok for a live /health and refused once nothing listens', async () => {
      const server = createServer((_req, res) => res.end('{"status":"healthy"}'))
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      expect(await checkHealth(url)).toBe('ok')
      await new Promise<void>((r) => server.close(() => r()))
      expect(await checkHealth(url)).toBe('refused')
    })
  })

  describe('watchHealth', () => {
    it('calls onGone at once on a refused connection, after three failures otherwise', async () => {
      const seq: HealthState[] = ['ok', 'failed', 'failed', 'failed']
      let i = 0
      const gone = await new Promise<number>((resolve) =>
        watchHealth('http://x', resolve, { intervalMs: 1, check: async () => seq[i++] ?? 'ok' })
      )
      expect(i).toBe(4)
      expect(gone).toBeGreaterThan(0)
      let j = 0
      await new Promise<number>((resolve) =>
        watchHealth('http://x', resolve, {
          intervalMs: 1,
          check: async () => (j++ === 0 ? 'refused' : 'ok')
        })
      )
      expect(j).toBe(1)
    })
  })
})
