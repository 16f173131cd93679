import { afterEach, describe, expect, it } from 'vitest'
import type { SqlOutcome } from '../target/types'
import { ProfilerError } from '../../shared/errors'
import { FakeKalamServer } from './testing/fake-kalam'
import { testSink, until } from './testing/sink'
import type { SqlRunner } from './types'
import { IdAllocator, startWriters, type InsertObservation, type WriterPool } from './writers'

const pools: WriterPool[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.stop()))
})

async function adminOf(server: FakeKalamServer): Promise<SqlRunner> {
  return server.connect({
    url: 'http://127.0.0.1:1',
    credentials: { user: 'admin', password: 'x' }
  })
}

describe('workload/writers', () => {
  describe('startWriters', () => {
    it('inserts batches with unique ids, the writer index and a send time in µs', async () => {
      const server = new FakeKalamServer()
      const runner = await adminOf(server)
      const sink = testSink()
      const seen: InsertObservation[] = []
      const pool = startWriters({
        writers: [
          { runner, user: 'a' },
          { runner, user: 'b' }
        ],
        table: 'kp_t.stress',
        ratePerSec: 400,
        batchSize: 4,
        sink,
        signal: new AbortController().signal,
        onInsert: (o) => seen.push(o)
      })
      pools.push(pool)
      await until(() => sink.counters.inserts >= 40)
      await pool.stop()
      const inserts = server.sqlLog.filter((s) => s.startsWith('INSERT'))
      const ids = inserts.flatMap((s) =>
        [...s.matchAll(/\((\d+), (\d), (\d+), 'x+'\)/g)].map((m) => Number(m[1]))
      )
      expect(ids.length).toBe(inserts.length * 4)
      expect(new Set(ids).size).toBe(ids.length)
      expect(inserts[0]).toMatch(
        /^INSERT INTO kp_t\.stress \(id, writer, sent_us, payload\) VALUES \(1, 0, \d{16}, 'x{100}'\)/
      )
      expect(inserts[1]).toMatch(/\(5, 1, /)
      expect(sink.counters.requests).toBe(inserts.length)
      expect(sink.counters.inserts).toBe(server.rows)
      expect(seen.every((o) => o.ok && o.rows === 4)).toBe(true)
      expect(sink.latency.count('insert')).toBe(inserts.length)
    })

    it('measures latency from the intended start, so a stalled server shows as latency', async () => {
      let release: () => void = () => {}
      const gate = new Promise<void>((r) => (release = r))
      let calls = 0
      const runner: SqlRunner = {
        async trySql(): Promise<SqlOutcome> {
          calls++
          if (calls === 1) await gate
          return { ok: true, response: { results: [], tookMs: 0, elapsedMs: 0 } }
        }
      }
      const sink = testSink()
      const pool = startWriters({
        writers: [{ runner, user: 'a' }],
        table: 't.t',
        ratePerSec: 200,
        batchSize: 1,
        sink,
        signal: new AbortController().signal
      })
      pools.push(pool)
      // While the first request hangs, intended starts pile up behind it.
      await new Promise((r) => setTimeout(r, 300))
      release()
      await until(() => sink.counters.inserts >= 20)
      await pool.stop()
      // The second request was meant to start 5 ms in; it could not start before ~300 ms.
      expect(sink.latency.percentileUs('insert', 100)).toBeGreaterThanOrEqual(250_000)
      expect(sink.latency.count('insert')).toBeGreaterThanOrEqual(20)
    })

    it('counts 429, 503 and other failures apart and goes on', async () => {
      const outcomes: SqlOutcome[] = [
        {
          ok: false,
          error: Object.assign(new ProfilerError('RATE_LIMITED', 'slow down'), {
            httpStatus: 429,
            serverCode: 'RATE_LIMIT_EXCEEDED'
          })
        },
        {
          ok: false,
          error: Object.assign(new ProfilerError('SERVER_ERROR', 'busy'), {
            httpStatus: 503,
            serverCode: null
          })
        },
        {
          ok: false,
          error: Object.assign(new ProfilerError('SERVER_ERROR', 'boom'), {
            httpStatus: 500,
            serverCode: null
          })
        }
      ]
      let i = 0
      const runner: SqlRunner = {
        async trySql(): Promise<SqlOutcome> {
          const o = outcomes[i++]
          return o ?? { ok: true, response: { results: [], tookMs: 0, elapsedMs: 0 } }
        }
      }
      const sink = testSink()
      const pool = startWriters({
        writers: [{ runner, user: 'a' }],
        table: 't.t',
        ratePerSec: 500,
        batchSize: 1,
        sink,
        signal: new AbortController().signal
      })
      pools.push(pool)
      await until(() => sink.counters.inserts >= 5)
      await pool.stop()
      expect(sink.counters).toMatchObject({ rateLimited: 1, unavailable: 1, errors: 1 })
      const events = sink.errors.drain(1)
      // One event per source and code per drain, with a count.
      expect(
        events.map((e) => (e.type === 'error' ? [e.source, e.code, e.httpStatus, e.count] : null))
      ).toEqual([
        ['writer', 'RATE_LIMITED', 429, 1],
        ['writer', 'SERVER_ERROR', 503, 2]
      ])
      expect(sink.errors.total('SERVER_ERROR')).toBe(2)
    })

    it('stops at once on abort and counts the intended starts never sent', async () => {
      const runner: SqlRunner = {
        trySql: (_sql, o) =>
          new Promise((resolve) => {
            o?.signal?.addEventListener('abort', () =>
              resolve({
                ok: false,
                error: Object.assign(new ProfilerError('CANCELLED', 'aborted'), {
                  httpStatus: null,
                  serverCode: null
                })
              })
            )
          })
      }
      const ctl = new AbortController()
      const sink = testSink()
      const pool = startWriters({
        writers: [{ runner, user: 'a' }],
        table: 't.t',
        ratePerSec: 1000,
        batchSize: 1,
        sink,
        signal: ctl.signal
      })
      await new Promise((r) => setTimeout(r, 100))
      ctl.abort()
      await pool.stop()
      expect(pool.unsent).toBeGreaterThan(10)
      // An aborted request is neither an insert nor an error.
      expect(sink.counters.errors).toBe(0)
      expect(sink.counters.inserts).toBe(0)
    })

    it('keeps the never-sent requests in the run counters too (overflow and stop)', async () => {
      // A server that never answers: the one writer holds one request, the rest queue up.
      const runner: SqlRunner = {
        trySql: (_sql, o) =>
          new Promise((resolve) => {
            o?.signal?.addEventListener('abort', () =>
              resolve({
                ok: false,
                error: Object.assign(new ProfilerError('CANCELLED', 'aborted'), {
                  httpStatus: null,
                  serverCode: null
                })
              })
            )
          })
      }
      const ctl = new AbortController()
      const sink = testSink()
      const pool = startWriters({
        writers: [{ runner, user: 'a' }],
        table: 't.t',
        ratePerSec: 1000,
        batchSize: 1,
        sink,
        signal: ctl.signal,
        maxBacklogPerWriter: 3
      })
      pools.push(pool)
      await until(() => (sink.counters.unsent ?? 0) >= 5)
      ctl.abort()
      await pool.stop()
      expect(pool.unsent).toBeGreaterThanOrEqual(5 + 3)
      expect(sink.counters.unsent).toBe(pool.unsent)
    })

    it('follows a rate change', async () => {
      const server = new FakeKalamServer()
      const runner = await adminOf(server)
      const sink = testSink()
      const pool = startWriters({
        writers: [{ runner, user: 'a' }],
        table: 't.t',
        ratePerSec: 0,
        batchSize: 1,
        sink,
        signal: new AbortController().signal,
        ids: new IdAllocator()
      })
      pools.push(pool)
      await new Promise((r) => setTimeout(r, 50))
      expect(sink.counters.requests).toBe(0)
      pool.setRate(500)
      expect(pool.ratePerSec).toBe(500)
      await until(() => sink.counters.inserts >= 10)
    })
  })
})
