/**
 * The KalamDB client against the simulator (`kalam-profiler sim`), feature by feature: auth
 * and setup, SQL shapes and errors, 429s, live queries with paging and gzip, stats, limits,
 * flush, and the server closing sockets (heartbeat timeout, crash).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connectKalam } from '../../src/main/target/client'
import { MIN_STATS_POLL_INTERVAL_MS } from '../../src/main/target/stats'
import type { KalamClient, LiveChange, LiveClose } from '../../src/main/target/types'
import { type RunningSim, SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim'
import { until } from '../helpers/until'

const ADMIN = { user: SIM_USER, password: SIM_PASSWORD }

/** Resources a test opened, closed after it whatever happens. */
const opened: { close(): Promise<void> }[] = []
const sims: RunningSim[] = []

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()))
})

afterAll(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()))
})

async function sim(args: string[] = [], configured = true): Promise<RunningSim> {
  const s = await startSim({ configured, args })
  sims.push(s)
  return s
}

async function connect(
  url: string,
  extra: Partial<Parameters<typeof connectKalam>[0]> = {}
): Promise<KalamClient> {
  const c = await connectKalam({ url, credentials: ADMIN, ...extra })
  opened.push(c)
  return c
}

describe('client against the simulator', () => {
  let main: RunningSim
  let c: KalamClient

  beforeAll(async () => {
    main = await sim(['--no-rate-limits'])
  })

  beforeAll(async () => {
    c = await connectKalam({ url: main.url, credentials: ADMIN })
    await c.sql('CREATE NAMESPACE IF NOT EXISTS it')
  })

  afterAll(async () => {
    await c?.close()
  })

  describe('auth', () => {
    it('logs in as the configured dba user', () => {
      expect(c.user).toBe('admin')
      expect(c.role).toBe('dba')
    })

    it('reads /health', async () => {
      expect(await c.health()).toMatchObject({ status: 'healthy', apiVersion: 'v1' })
    })

    it('fails with AUTH_FAILED on a wrong password', async () => {
      await expect(
        connectKalam({ url: main.url, credentials: { user: 'admin', password: 'wrong' } })
      ).rejects.toMatchObject({
        code: 'AUTH_FAILED',
        httpStatus: 401
      })
    })

    it('fails with AUTH_FAILED for a token the server never issued', async () => {
      const bogus = await connect(main.url, { credentials: { token: 'not-a-real-token' } })
      await expect(bogus.sql('SELECT 1')).rejects.toMatchObject({
        code: 'AUTH_FAILED',
        httpStatus: 401
      })
    })
  })

  describe('sql', () => {
    it('creates, inserts with params, and reads back typed rows with exact BIGINTs', async () => {
      await c.sql("CREATE TABLE it.rows (id BIGINT PRIMARY KEY, body TEXT) WITH (TYPE = 'SHARED')")
      const ins = await c.sql('INSERT INTO it.rows (id, body) VALUES ($1, $2)', {
        params: [1, 'one']
      })
      expect(ins.results[0]).toMatchObject({ rowCount: 1 })
      await c.sql("INSERT INTO it.rows (id, body) VALUES (9007199254740993, 'big'), (2, 'two')")
      const res = await c.sql('SELECT id, body FROM it.rows ORDER BY id')
      const set = res.results[0]!
      expect(set.schema.map((col) => [col.name, col.dataType])).toEqual([
        ['id', 'BigInt'],
        ['body', 'Text']
      ])
      expect(set.rows).toEqual([
        ['1', 'one'],
        ['2', 'two'],
        ['9007199254740993', 'big']
      ])
      expect(res.tookMs).toBeGreaterThanOrEqual(0)
      const count = await c.sql('SELECT COUNT(*) AS cnt FROM it.rows')
      expect(count.results[0]!.rows).toEqual([['3']])
    })

    it('uses namespace_id for unqualified names', async () => {
      await c.sql("CREATE TABLE it.ns (k TEXT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')")
      await c.sql("INSERT INTO ns (k, v) VALUES ('a', 'b')", { namespace: 'it' })
      expect((await c.sql('SELECT v FROM it.ns')).results[0]!.rows).toEqual([['b']])
    })

    it('turns an error envelope into SERVER_ERROR with status and code', async () => {
      const err = await c.sql('SELECT * FROM it.missing').catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'SERVER_ERROR', httpStatus: 400 })
      expect((err as { serverCode: string }).serverCode).toMatch(
        /^(SQL_EXECUTION_ERROR|TABLE_NOT_FOUND)$/
      )
    })

    it('applies the implicit 50-row limit', async () => {
      await c.sql("CREATE TABLE it.many (id BIGINT PRIMARY KEY, v INT) WITH (TYPE = 'SHARED')")
      const values = Array.from({ length: 60 }, (_, i) => `(${i + 1}, ${i})`).join(', ')
      await c.sql(`INSERT INTO it.many (id, v) VALUES ${values}`)
      expect((await c.sql('SELECT id FROM it.many')).results[0]!.rows).toHaveLength(50)
      expect((await c.sql('SELECT id FROM it.many LIMIT 1000')).results[0]!.rows).toHaveLength(60)
    })
  })

  describe('live', () => {
    it('pages the initial load with next_batch and delivers insert, update and delete', async () => {
      await c.sql("CREATE TABLE it.live (id BIGINT PRIMARY KEY, body TEXT) WITH (TYPE = 'SHARED')")
      await c.sql("INSERT INTO it.live (id, body) VALUES (1, 'a'), (2, 'b'), (3, 'c')")
      const changes: LiveChange[] = []
      const live = await c.openLive({ onChange: (ch) => changes.push(ch) })
      opened.push(live)
      const ack = await live.subscribe('s1', 'SELECT * FROM it.live', { batchSize: 1 })
      expect(ack.initialRows.map((r) => r.id)).toEqual(['1', '2', '3'])
      expect(ack.lastSeqId).toMatch(/^\d+$/)
      expect(ack.schema.map((s) => s.name)).toContain('body')
      await c.sql("INSERT INTO it.live (id, body) VALUES (4, 'd')")
      await c.sql("UPDATE it.live SET body = 'e' WHERE id = 4")
      await c.sql('DELETE FROM it.live WHERE id = 4')
      await until('3 change frames', () => (changes.length >= 3 ? true : undefined))
      expect(changes.map((ch) => ch.changeType)).toEqual(['insert', 'update', 'delete'])
      expect(changes[0]!.rows[0]).toMatchObject({ id: '4', body: 'd' })
      expect(typeof changes[0]!.rows[0]!._seq).toBe('string')
      expect(changes[1]!.rows[0]).toMatchObject({ id: '4', body: 'e' })
      expect(changes[2]!.oldValues?.[0]).toMatchObject({ id: '4' })
    })

    it('reads gzip frames for payloads over 512 bytes, and text with compress=false', async () => {
      await c.sql("CREATE TABLE it.big (id BIGINT PRIMARY KEY, body TEXT) WITH (TYPE = 'SHARED')")
      const body = 'x'.repeat(2000)
      await c.sql('INSERT INTO it.big (id, body) VALUES (1, $1)', { params: [body] })
      for (const compress of [true, false]) {
        const live = await c.openLive({}, { compress })
        opened.push(live)
        const ack = await live.subscribe('big', 'SELECT * FROM it.big')
        expect(ack.initialRows[0]!.body).toBe(body)
        expect(live.protocolErrors).toBe(0)
      }
    })

    it('skips the initial load with noInitialData', async () => {
      const live = await c.openLive()
      opened.push(live)
      const ack = await live.subscribe('none', 'SELECT * FROM it.live', { noInitialData: true })
      expect(ack.initialRows).toEqual([])
    })

    it('rejects a subscription the server refuses, with its code', async () => {
      const errors: unknown[] = []
      const live = await c.openLive({ onError: (e) => errors.push(e) })
      opened.push(live)
      await expect(
        live.subscribe('bad', 'SELECT * FROM it.live ORDER BY id')
      ).rejects.toMatchObject({
        code: 'SERVER_ERROR',
        serverCode: 'INVALID_SQL'
      })
      expect(errors).toMatchObject([{ subscriptionId: 'bad', code: 'INVALID_SQL' }])
    })

    it('reports its own close as expected', async () => {
      const closes: LiveClose[] = []
      const live = await c.openLive({ onClose: (cl) => closes.push(cl) })
      await live.close()
      expect(closes).toEqual([{ code: 1000, reason: expect.any(String), expected: true }])
    })
  })

  describe('stats and limits', () => {
    it('reads typed figures that see our WebSocket session and subscription', async () => {
      const live = await c.openLive()
      opened.push(live)
      await live.subscribe('st', 'SELECT * FROM it.live', { noInitialData: true })
      const s = await c.stats()
      expect(s.version).toBe('0.4.3-rc.4')
      expect(s.pid).toBe(main.pid)
      expect(s.memoryBytes).toBeGreaterThan(1024 * 1024)
      expect(s.threads).toBeGreaterThan(0)
      expect(s.websocketSessions).toBeGreaterThanOrEqual(1)
      expect(s.activeSubscriptions).toBeGreaterThanOrEqual(1)
      expect(s.raw.memory_usage_bytes).toMatch(/^\d+$/)
      expect(MIN_STATS_POLL_INTERVAL_MS).toBe(2000)
    })

    it('reads the limits (the simulator runs with rate limits lifted here)', async () => {
      const l = await c.limits()
      expect(l).toMatchObject({ defaultQueryLimit: 50, maxQueryLimit: 1000, clientTimeoutSecs: 10 })
      expect(l.maxQueriesPerSec).toBeGreaterThanOrEqual(1_000_000)
      expect(Object.keys(await c.settings())).toContain('rate_limit.max_queries_per_sec')
    })
  })

  describe('flush', () => {
    it('flushes to a completed job, then reports a flush with nothing pending as skipped', async () => {
      await c.sql("CREATE TABLE it.fl (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')")
      await c.sql("INSERT INTO it.fl (id, v) VALUES (1, 'a'), (2, 'b')")
      const done = await c.flushTable('it.fl', { timeoutMs: 10_000 })
      expect(done.status).toBe('completed')
      expect(done.jobId).toMatch(/^FL-[0-9a-f]{12}$/)
      const again = await c.flushTable('it.fl', { timeoutMs: 10_000 })
      expect(again).toMatchObject({ status: 'skipped', jobId: null })
      expect(again.message).toMatch(/^Storage flush skipped/)
    })
  })
})

describe('client against a fresh simulator (needs setup)', () => {
  it('fails with SETUP_REQUIRED, then sets up when asked and logs in', async () => {
    const fresh = await sim([], false)
    await expect(connectKalam({ url: fresh.url, credentials: ADMIN })).rejects.toMatchObject({
      code: 'SETUP_REQUIRED'
    })
    const c = await connect(fresh.url, { setup: true })
    expect(c.role).toBe('dba')
    const again = await connect(fresh.url)
    expect(again.user).toBe('admin')
  })
})

describe('client against a simulator holding subscriptions (system.live)', () => {
  it('counts N open subscriptions as N, by user and status, and in ServerStats', async () => {
    // Its own simulator: no other test's subscriptions in system.live.
    const s = await sim()
    const c = await connect(s.url)
    await c.sql('CREATE NAMESPACE IF NOT EXISTS lq')
    await c.sql("CREATE TABLE lq.t (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')")
    expect(await c.liveQueries!()).toMatchObject({ total: 0, byUser: {}, truncated: false })
    const n = 3
    const sockets = [await c.openLive(), await c.openLive()]
    opened.push(...sockets)
    for (let i = 0; i < n; i++) {
      await sockets[i % 2]!.subscribe(`q${i}`, 'SELECT * FROM lq.t', { noInitialData: true })
    }
    const live = await c.liveQueries!()
    expect(live).toMatchObject({
      total: n,
      byUser: { admin: n },
      byStatus: { active: n },
      truncated: false
    })
    const stats = await c.stats(undefined, { liveQueries: true })
    expect(stats.liveQueries).toBe(n)
    expect(stats.activeSubscriptions).toBe(n)
    // An unsubscribe has no acknowledgement: wait (bounded) for the server to drop the row.
    sockets[0]!.unsubscribe('q0')
    let total = n
    for (let i = 0; i < 100 && total !== n - 1; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 20))
      total = (await c.liveQueries!()).total
    }
    expect(total).toBe(n - 1)
  })
})

describe('client against a rate-limited simulator', () => {
  it('counts a storm of 429s as RATE_LIMITED outcomes without throwing', async () => {
    const limited = await sim(['--max-sql-per-sec', '20'])
    const c = await connect(limited.url, { maxSockets: 8 })
    const outcomes = await Promise.all(
      Array.from({ length: 120 }, () => c.trySql('SELECT COUNT(*) AS n FROM system.stats'))
    )
    const rateLimited = outcomes.filter((o) => !o.ok && o.error.code === 'RATE_LIMITED')
    expect(rateLimited.length).toBeGreaterThan(0)
    expect(outcomes.filter((o) => !o.ok && o.error.code !== 'RATE_LIMITED')).toEqual([])
    const first = rateLimited[0]!
    expect(!first.ok && first.error).toMatchObject({
      httpStatus: 429,
      serverCode: 'RATE_LIMIT_EXCEEDED'
    })
  })
})

describe('client against a simulator with short timeouts', () => {
  let s: RunningSim
  beforeAll(async () => {
    s = await sim(['--no-rate-limits', '--ws-client-timeout', '1s', '--token-ttl', '2s'])
  })

  it('keeps a WebSocket open past the server timeout by pinging', async () => {
    const c = await connect(s.url)
    const closes: LiveClose[] = []
    const live = await c.openLive({ onClose: (cl) => closes.push(cl) }, { pingIntervalMs: 300 })
    opened.push(live)
    await new Promise((r) => setTimeout(r, 2000))
    expect(live.open).toBe(true)
    expect(closes).toEqual([])
  })

  it('reports a socket the server closes for silence, with code, reason and DISCONNECTED', async () => {
    const c = await connect(s.url)
    const closes: LiveClose[] = []
    await c.openLive({ onClose: (cl) => closes.push(cl) }, { pingIntervalMs: 60_000 })
    const close = await until('the server to close the socket', () => closes[0], 8000)
    expect(close).toMatchObject({ code: 1000, reason: 'Heartbeat timeout', expected: false })
    expect(close.error).toMatchObject({ code: 'DISCONNECTED' })
  })

  it('refreshes its token across expiry', async () => {
    const c = await connect(s.url)
    await c.sql('SELECT COUNT(*) AS n FROM system.stats')
    await new Promise((r) => setTimeout(r, 2300))
    await expect(c.sql('SELECT COUNT(*) AS n FROM system.stats')).resolves.toMatchObject({
      results: [{ rowCount: 1 }]
    })
  })

  it('fails with TOKEN_EXPIRED once a user-given token has expired', async () => {
    const login = await fetch(`${s.url}/v1/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(ADMIN)
    })
    const { access_token: token } = (await login.json()) as { access_token: string }
    const c = await connect(s.url, { credentials: { token } })
    await new Promise((r) => setTimeout(r, 2300))
    await expect(c.sql('SELECT COUNT(*) AS n FROM system.stats')).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED'
    })
  })
})

describe('client against a simulator that crashes', () => {
  it('reports the WebSocket closed mid-run and then the server unreachable', async () => {
    const s = await sim(['--crash-after', '1500ms'])
    const c = await connect(s.url)
    const closes: LiveClose[] = []
    await c.openLive({ onClose: (cl) => closes.push(cl) })
    const close = await until('the crash to close the socket', () => closes[0], 8000)
    expect(close.expected).toBe(false)
    expect(close.error).toMatchObject({ code: 'DISCONNECTED' })
    await expect(c.sql('SELECT COUNT(*) AS n FROM system.stats')).rejects.toMatchObject({
      code: 'UNREACHABLE'
    })
  })
})
