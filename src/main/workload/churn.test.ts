import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { runChurn } from './churn'
import { FakeKalamServer } from './testing/fake-kalam'
import { testSink } from './testing/sink'

describe('workload/churn', () => {
  describe('runChurn', () => {
    it('opens and closes the connections every cycle, all as expected closes', async () => {
      const server = new FakeKalamServer()
      const client = await server.connect({
        url: 'http://127.0.0.1:1',
        credentials: { user: 'admin', password: 'x' }
      })
      const sink = testSink()
      const run = new AbortController()
      const result = await runChurn({
        slots: [0, 1, 2].map(() => ({ opener: client, user: 'admin' })),
        table: 't.t',
        cycles: 3,
        holdMs: 5,
        pauseMs: 5,
        openPerSec: 1000,
        sink,
        signal: run.signal
      })
      expect(result).toEqual({ cycles: 3, opened: 9, failed: 0 })
      // Each cycle's group let go of the run's signal when it stopped (none piles up).
      expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)
      expect(server.sessions).toBe(0)
      expect(sink.counters).toMatchObject({
        connectionsOpened: 9,
        connectionsClosed: 9,
        connectionsOpen: 0,
        subscriptionsOpened: 9,
        disconnects: 0
      })
    })
  })
})
