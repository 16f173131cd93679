/**
 * The simulator's faults against their ground truth (issue 4), read from outside the way the
 * profiler reads a server: /proc/PID/status of the simulator process and what it answers.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { login, request, rssAnon, sql, sqlOk, TestSocket, waitFor } from '../../sim/testing/client'
import { type RunningSim, SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim'

const MIB = 1024 * 1024
const sims: RunningSim[] = []
const dirs: string[] = []

async function sim(args: string[]): Promise<{ s: RunningSim; token: string }> {
  const s = await startSim({ args: ['--no-rate-limits', ...args] })
  sims.push(s)
  const token = await login(s.url, SIM_USER, SIM_PASSWORD)
  await sqlOk(s.url, token, 'CREATE NAMESPACE IF NOT EXISTS app')
  await sqlOk(
    s.url,
    token,
    "CREATE TABLE app.t (id BIGINT PRIMARY KEY DEFAULT SNOWFLAKE_ID(), v TEXT) WITH (TYPE = 'SHARED', ACCESS_LEVEL = 'PUBLIC')"
  )
  return { s, token }
}

afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** Inserts `rows` rows in multi-row statements; returns RssAnon growth of the simulator. */
async function insertGrowth(s: RunningSim, token: string, rows: number): Promise<number> {
  const batch = 500
  const values = Array.from({ length: batch }, (_, i) => `('row ${i}')`).join(',')
  // Warm up (first flushes, JIT) so the baseline is a running server, not a cold one.
  for (let i = 0; i < 4; i++) await sqlOk(s.url, token, `INSERT INTO app.t (v) VALUES ${values}`)
  const before = rssAnon(s.pid)
  for (let n = 0; n < rows; n += batch)
    await sqlOk(s.url, token, `INSERT INTO app.t (v) VALUES ${values}`)
  return rssAnon(s.pid) - before
}

describe('simulator faults', () => {
  it('--leak-bytes-per-insert 2048: 50,000 inserts grow RssAnon by ≥ 90 MiB; no fault grows far less', async () => {
    const leaky = await sim(['--leak-bytes-per-insert', '2048'])
    const leakGrowth = await insertGrowth(leaky.s, leaky.token, 50_000)
    await leaky.s.stop()
    const clean = await sim([])
    const cleanGrowth = await insertGrowth(clean.s, clean.token, 50_000)
    expect(leakGrowth).toBeGreaterThanOrEqual(90 * MIB)
    expect(cleanGrowth).toBeLessThan(leakGrowth / 3)
    expect((await sqlOk(clean.s.url, clean.token, 'SELECT COUNT(*) FROM app.t'))[0].rows).toEqual([
      ['52000']
    ])
  })

  it('--leak-bytes-per-subscription keeps memory after unsubscribe while the counts return to zero', async () => {
    const { s, token } = await sim(['--leak-bytes-per-subscription', String(MIB)])
    const ws = await TestSocket.authenticated(s.url, token)
    const before = rssAnon(s.pid)
    for (let i = 0; i < 40; i++) {
      ws.send({ type: 'subscribe', subscription: { id: `s${i}`, sql: 'SELECT * FROM app.t' } })
      await ws.next((f) => f.msg.type === 'subscription_ack')
      ws.send({ type: 'unsubscribe', subscription_id: `s${i}` })
    }
    ws.send({ type: 'ping' })
    const [stats] = await sqlOk(
      s.url,
      token,
      "SELECT metric_value FROM system.stats WHERE metric_name = 'active_subscriptions'"
    )
    expect(stats.rows).toEqual([['0']])
    expect(rssAnon(s.pid) - before).toBeGreaterThanOrEqual(36 * MIB)
    await ws.close()
  })

  it('--leak-connections keeps closed sessions counted in system.stats; without it they go', async () => {
    const sessions = async (s: RunningSim, token: string): Promise<string[][]> =>
      (
        await sqlOk(
          s.url,
          token,
          "SELECT metric_name, metric_value FROM system.stats WHERE metric_name IN ('active_connections', 'websocket_sessions')"
        )
      )[0].rows
    for (const [args, expected] of [
      [['--leak-connections'], '5'],
      [[], '0']
    ] as const) {
      const { s, token } = await sim([...args])
      for (let i = 0; i < 5; i++) await (await TestSocket.authenticated(s.url, token)).close()
      await waitFor(async () => (await sessions(s, token))[0]![1] === expected)
      expect(await sessions(s, token)).toEqual([
        ['active_connections', expected],
        ['websocket_sessions', expected]
      ])
    }
  })

  it('--slow-query-ms delays every SQL response and shows in `took`', async () => {
    const { s, token } = await sim(['--slow-query-ms', '300'])
    const t0 = Date.now()
    const r = await sql(s.url, token, 'SELECT 1')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300)
    expect(r.json.took).toBeGreaterThanOrEqual(300)
  })

  it('--max-sql-per-sec answers 429 RATE_LIMIT_EXCEEDED beyond the rate, per user', async () => {
    const s = await startSim({ args: ['--max-sql-per-sec', '20'] })
    sims.push(s)
    const token = await login(s.url, SIM_USER, SIM_PASSWORD)
    const results = await Promise.all(
      Array.from({ length: 100 }, () => sql(s.url, token, 'SELECT 1'))
    )
    const ok = results.filter((r) => r.status === 200).length
    const limited = results.filter((r) => r.status === 429)
    expect(ok).toBeGreaterThanOrEqual(19)
    expect(ok).toBeLessThan(100)
    expect(limited.length).toBe(100 - ok)
    expect(limited[0]!.json).toEqual({
      status: 'error',
      results: [],
      took: expect.any(Number),
      error: {
        code: 'RATE_LIMIT_EXCEEDED',
        message: 'Too many queries per second. Please slow down.'
      }
    })
    // The bucket refills at 20/s: after a second the settings query is within the rate again.
    await new Promise((r) => setTimeout(r, 1100))
    const [settings] = await sqlOk(
      s.url,
      token,
      "SELECT value FROM system.settings WHERE name = 'rate_limit.max_queries_per_sec'"
    )
    expect(settings.rows).toEqual([['20']])
  })

  it('--drop-notifications-ratio 0.25 drops exactly a quarter of the change frames', async () => {
    const { s, token } = await sim(['--drop-notifications-ratio', '0.25'])
    const ws = await TestSocket.authenticated(s.url, token)
    ws.send({ type: 'subscribe', subscription: { id: 'd', sql: 'SELECT * FROM app.t' } })
    await ws.next()
    await sqlOk(
      s.url,
      token,
      `INSERT INTO app.t (v) VALUES ${Array.from({ length: 100 }, () => "('x')").join(',')}`
    )
    await sqlOk(s.url, token, "INSERT INTO app.t (v) VALUES ('marker')")
    await waitFor(() => ws.changes('d').some((f) => f.msg.rows[0].v === 'marker'))
    expect(ws.changes('d')).toHaveLength(76)
    await ws.close()
  })

  it('drops notifications silently, without closing, when a subscriber stops reading (queue of 128)', async () => {
    const { s, token } = await sim([])
    const ws = await TestSocket.authenticated(s.url, token, 'compress=false')
    ws.send({ type: 'subscribe', subscription: { id: 'slow', sql: 'SELECT * FROM app.t' } })
    await ws.next()
    const socket = (ws.ws as unknown as { _socket: Socket })._socket
    socket.pause()
    const payload = 'p'.repeat(4000)
    const total = 3000
    for (let n = 0; n < total; n += 100) {
      await sqlOk(
        s.url,
        token,
        `INSERT INTO app.t (v) VALUES ${Array.from({ length: 100 }, () => `('${payload}')`).join(',')}`
      )
    }
    socket.resume()
    // Once the backlog has drained, new rows arrive again: the connection was never dropped.
    // (A marker inserted while the queue is still full is itself dropped, so retry a few.)
    let delivered = false
    for (let k = 0; k < 20 && !delivered; k++) {
      await sqlOk(s.url, token, `INSERT INTO app.t (v) VALUES ('marker ${k}')`)
      delivered = await waitFor(
        () => ws.changes('slow').some((f) => String(f.msg.rows[0].v).startsWith('marker')),
        1000
      ).then(
        () => true,
        () => false
      )
    }
    expect(delivered).toBe(true)
    const received = ws.changes('slow').length
    expect(received).toBeLessThan(total)
    expect(received).toBeGreaterThan(128)
    expect(ws.ws.readyState).toBe(1)
    await ws.close()
  })

  it('--crash-after dies by itself like a crash: SIGKILL, no graceful shutdown, data left for the next start to clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-sim-crash-'))
    dirs.push(dir)
    const s = await startSim({ args: ['--crash-after', '700ms', '--data-dir', dir] })
    sims.push(s)
    expect((await request(s.url, 'GET', '/health')).status).toBe(200)
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) {
        resolve({ code: s.child.exitCode, signal: s.child.signalCode })
      }
      s.child.once('exit', (code, signal) => resolve({ code, signal }))
    })
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' })
    const left = readdirSync(dir)
    expect(left).toHaveLength(1)
    await expect(request(s.url, 'GET', '/health')).rejects.toThrow()
    // The next simulator removes what a crashed one left behind.
    const next = await startSim({ args: ['--data-dir', dir] })
    sims.push(next)
    expect(readdirSync(dir)).not.toContain(left[0])
    expect(readdirSync(dir)).toHaveLength(1)
  })
})
