import { describe, expect, it } from 'vitest'
import type { KalamClient } from '../target/types'
import { FakeKalamServer } from './testing/fake-kalam'
import { testSink, until } from './testing/sink'
import { startSubscribers } from './subscribers'
import { startWriters } from './writers'

async function setup(options: ConstructorParameters<typeof FakeKalamServer>[0] = {}): Promise<{
  server: FakeKalamServer
  client: KalamClient
}> {
  const server = new FakeKalamServer(options)
  const client = await server.connect({
    url: 'http://127.0.0.1:1',
    credentials: { user: 'admin', password: 'x' }
  })
  return { server, client }
}

describe('workload/subscribers', () => {
  describe('startSubscribers', () => {
    it('counts every row against its notification and records notification latency', async () => {
      const { client } = await setup()
      const sink = testSink()
      const signal = new AbortController().signal
      const subs = startSubscribers({
        slots: [0, 1, 2].map(() => ({ opener: client, user: 'admin' })),
        table: 'kp_t.stress',
        sink,
        signal,
        openPerSec: 1000
      })
      await subs.ready
      expect(subs.open).toBe(3)
      expect(sink.counters).toMatchObject({ subscriptionsOpen: 3, connectionsOpen: 3 })
      const pool = startWriters({
        writers: [{ runner: client, user: 'admin' }],
        table: 'kp_t.stress',
        ratePerSec: 500,
        batchSize: 2,
        sink,
        signal,
        onInsert: (o) => subs.observeInsert(o)
      })
      await until(() => sink.counters.inserts >= 40)
      await pool.stop()
      expect(await subs.drain(200, 2000)).toBe(0)
      const s = subs.stats
      expect(
        s.every((x) => x.expected === sink.counters.inserts && x.received === x.expected)
      ).toBe(true)
      expect(sink.counters.notifications).toBe(3 * sink.counters.inserts)
      expect(sink.latency.count('notification')).toBe(3 * sink.counters.inserts)
      await subs.stop()
      expect(sink.counters).toMatchObject({
        subscriptionsOpen: 0,
        connectionsOpen: 0,
        disconnects: 0
      })
      expect(sink.events.filter((e) => e.type === 'disconnect' && e.expected)).toHaveLength(3)
    })

    it('reports rows that never arrived as dropped, per subscriber', async () => {
      const { client } = await setup({ deliverRatio: 0.5 })
      const sink = testSink()
      const signal = new AbortController().signal
      const subs = startSubscribers({
        slots: [0, 1].map(() => ({ opener: client, user: 'admin' })),
        table: 't.t',
        sink,
        signal,
        openPerSec: 1000
      })
      await subs.ready
      const pool = startWriters({
        writers: [{ runner: client, user: 'admin' }],
        table: 't.t',
        ratePerSec: 1000,
        batchSize: 10,
        sink,
        signal,
        onInsert: (o) => subs.observeInsert(o)
      })
      await until(() => sink.counters.inserts >= 400)
      await pool.stop()
      const dropped = await subs.drain(200, 2000)
      const expected = 2 * sink.counters.inserts
      // Half of the rows are dropped by the fake server; allow the coin's noise.
      expect(dropped).toBeGreaterThan(expected * 0.3)
      expect(dropped).toBeLessThan(expected * 0.7)
      expect(sink.counters.droppedNotifications).toBe(dropped)
      for (const st of subs.stats) expect(st.expected - st.received).toBeGreaterThan(0)
      await subs.stop()
    })

    it('records an unexpected close with its code and does not reconnect', async () => {
      const { server, client } = await setup()
      const sink = testSink()
      const subs = startSubscribers({
        slots: [{ opener: client, user: 'admin' }],
        table: 't.t',
        sink,
        signal: new AbortController().signal,
        openPerSec: 1000
      })
      await subs.ready
      server.crash()
      expect(sink.counters.disconnects).toBe(1)
      expect(subs.stats[0]!.state).toBe('disconnected')
      expect(sink.events).toContainEqual(
        expect.objectContaining({ type: 'disconnect', code: 1006, expected: false })
      )
      await new Promise((r) => setTimeout(r, 50))
      expect(sink.counters.connectionsOpened).toBe(1)
      await subs.stop()
    })

    it('closes the last n subscribers as expected closes', async () => {
      const { server, client } = await setup()
      const sink = testSink()
      const subs = startSubscribers({
        slots: Array.from({ length: 6 }, () => ({ opener: client, user: 'admin' })),
        table: 't.t',
        sink,
        signal: new AbortController().signal,
        openPerSec: 1000
      })
      await subs.ready
      await subs.close(4)
      expect(subs.open).toBe(2)
      expect(server.sessions).toBe(2)
      expect(sink.counters.disconnects).toBe(0)
      expect(subs.stats.slice(2).every((s) => s.state === 'closed')).toBe(true)
      await subs.stop()
    })

    it('marks a subscriber whose open fails and counts the error', async () => {
      const sink = testSink()
      const subs = startSubscribers({
        slots: [
          {
            opener: {
              openLive: () =>
                Promise.reject(Object.assign(new Error('limit'), { code: 'RATE_LIMITED' }))
            },
            user: 'u'
          }
        ],
        table: 't.t',
        sink,
        signal: new AbortController().signal
      })
      await subs.ready
      expect(subs.stats[0]).toMatchObject({ state: 'failed', error: 'limit' })
      expect(sink.counters.errors).toBe(1)
      await subs.stop()
    })
  })
})
