/**
 * Conformance of the simulator's WebSocket (PROTOCOL.md §6): authentication both ways,
 * subscribe rules and texts, batches with lossless last_seq_id, one change frame per row,
 * gzip framing, timeouts, limits and close codes.
 */
import WebSocket from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { login, sqlOk, TestSocket, waitFor } from '../../sim/testing/client'
import { type RunningSim, SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim'

type Figures = Record<
  | 'websocket_sessions'
  | 'websocket_sessions_peak'
  | 'active_subscriptions'
  | 'active_connections'
  | 'total_live_queries',
  number
>

const sims: RunningSim[] = []
const sockets: TestSocket[] = []

async function sim(args: string[] = []): Promise<RunningSim> {
  const s = await startSim({ args })
  sims.push(s)
  return s
}

async function open(url: string, token: string, query?: string): Promise<TestSocket> {
  const s = await TestSocket.authenticated(url, token, query)
  sockets.push(s)
  return s
}

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()))
})

afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()))
})

describe('simulator conformance: WebSocket (PROTOCOL.md §6)', () => {
  let s: RunningSim
  let token: string

  beforeAll(async () => {
    s = await sim(['--no-rate-limits'])
    token = await login(s.url, SIM_USER, SIM_PASSWORD)
    await sqlOk(s.url, token, 'CREATE NAMESPACE IF NOT EXISTS app')
    await sqlOk(
      s.url,
      token,
      "CREATE TABLE app.msgs (id BIGINT PRIMARY KEY, body TEXT) WITH (TYPE = 'USER')"
    )
    await sqlOk(
      s.url,
      token,
      "CREATE TABLE app.shared (id INT PRIMARY KEY, value TEXT) WITH (TYPE = 'SHARED', ACCESS_LEVEL = 'PUBLIC')"
    )
  })

  it('authenticates by header: auth_success is the first frame, the client sends nothing', async () => {
    const ws = await TestSocket.open(s.url, { token, header: true })
    sockets.push(ws)
    const f = await ws.next()
    expect(f.msg).toEqual({
      type: 'auth_success',
      user: 'admin',
      role: 'dba',
      protocol: { serialization: 'json', compression: 'gzip' }
    })
  })

  it('authenticates with the documented first message', async () => {
    const ws = await TestSocket.open(s.url)
    sockets.push(ws)
    ws.send({
      type: 'authenticate',
      method: 'jwt',
      token,
      protocol: { serialization: 'json', compression: 'gzip' }
    })
    expect((await ws.next()).msg).toEqual({
      type: 'auth_success',
      user: 'admin',
      role: 'dba',
      protocol: { serialization: 'json', compression: 'gzip' }
    })
  })

  it('re-sends auth_success to an authenticate on an authenticated connection', async () => {
    const ws = await open(s.url, token)
    ws.send({
      type: 'authenticate',
      method: 'jwt',
      token: 'not-checked-again',
      protocol: { serialization: 'json', compression: 'gzip' }
    })
    expect((await ws.next()).msg).toMatchObject({ type: 'auth_success', user: 'admin' })
  })

  it('closes with 1011 when authenticate lacks the required protocol field (the docs example)', async () => {
    const ws = await TestSocket.open(s.url)
    sockets.push(ws)
    ws.send({ type: 'authenticate', method: 'jwt', token })
    const closed = await ws.closed
    expect(closed.code).toBe(1011)
    expect(closed.reason).toMatch(/^Invalid message: missing field `protocol`/)
  })

  it('answers a bad token with auth_error and closes 1008 "Authentication failed"', async () => {
    const ws = await TestSocket.open(s.url)
    sockets.push(ws)
    ws.send({
      type: 'authenticate',
      method: 'jwt',
      token: 'x.y.z',
      protocol: { serialization: 'json', compression: 'gzip' }
    })
    expect((await ws.next()).msg).toEqual({ type: 'auth_error', message: 'Invalid credentials' })
    expect(await ws.closed).toEqual({ code: 1008, reason: 'Authentication failed' })
  })

  it('refuses subscribe before authentication with AUTH_REQUIRED', async () => {
    const ws = await TestSocket.open(s.url)
    sockets.push(ws)
    ws.send({ type: 'subscribe', subscription: { id: 's1', sql: 'SELECT * FROM app.msgs' } })
    expect((await ws.next()).msg).toMatchObject({
      type: 'error',
      subscription_id: 'subscribe',
      code: 'AUTH_REQUIRED'
    })
  })

  it('closes an unknown message type with 1011', async () => {
    const ws = await open(s.url, token)
    ws.send({ type: 'bogus' })
    const closed = await ws.closed
    expect(closed.code).toBe(1011)
    expect(closed.reason).toMatch(/^Invalid message: unknown variant `bogus`/)
  })

  it('rejects binary client frames with UNSUPPORTED_DATA and keeps the connection', async () => {
    const ws = await open(s.url, token)
    ws.ws.send(Buffer.from([1, 2, 3]))
    expect((await ws.next()).msg).toEqual({
      type: 'error',
      subscription_id: 'protocol',
      code: 'UNSUPPORTED_DATA',
      message: 'Binary not supported'
    })
    ws.send({ type: 'subscribe', subscription: { id: 'after', sql: 'SELECT * FROM app.msgs' } })
    expect((await ws.next()).msg.type).toBe('subscription_ack')
  })

  it('survives malformed frames and bodies: errors answered, server still up', async () => {
    const ws = await open(s.url, token)
    const junk: unknown[] = [
      { type: 'subscribe', subscription: 5 },
      { type: 'subscribe', subscription: { id: 'j1', sql: 42, options: 'x' } },
      {
        type: 'subscribe',
        subscription: { id: 'j2', sql: 'SELECT * FROM app.msgs', options: [1, 2] }
      },
      { type: 'next_batch', subscription_id: { x: 1 }, last_seq_id: 'abc' },
      { type: 'unsubscribe' }
    ]
    for (const j of junk) ws.send(j)
    await waitFor(() => ws.frames.length >= 4)
    expect(ws.ws.readyState).toBe(WebSocket.OPEN)
    for (const body of ['{"sql": 5}', '{"sql": "SELECT 1", "params": {"a": 1}}', '[]', 'null']) {
      const r = await fetch(`${s.url}/v1/api/sql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body
      })
      expect(r.status).toBe(400)
    }
    expect((await fetch(`${s.url}/health`)).status).toBe(200)
  })

  it('acks without initial data when options are omitted', async () => {
    const ws = await open(s.url, token)
    ws.send({ type: 'subscribe', subscription: { id: 's1', sql: 'SELECT * FROM app.msgs' } })
    const ack = await ws.next()
    expect(ack.msg).toEqual({
      type: 'subscription_ack',
      subscription_id: 's1',
      total_rows: 0,
      batch_control: { batch_num: 0, has_more: false, status: 'ready', last_seq_id: null },
      schema: [
        { name: 'id', data_type: 'BigInt', index: 0, flags: ['pk', 'nn', 'uq'] },
        { name: 'body', data_type: 'Text', index: 1 }
      ]
    })
    await new Promise((r) => setTimeout(r, 100))
    expect(ws.frames).toHaveLength(2)
  })

  it('pages the initial load with batch_control and a raw last_seq_id above 2^53 echoed by next_batch', async () => {
    await sqlOk(
      s.url,
      token,
      "CREATE TABLE app.pages (id INT PRIMARY KEY, v TEXT) WITH (TYPE = 'USER')"
    )
    await sqlOk(
      s.url,
      token,
      `INSERT INTO app.pages (id, v) VALUES ${[1, 2, 3, 4, 5].map((i) => `(${i}, 'v${i}')`).join(',')}`
    )
    const ws = await open(s.url, token)
    ws.send({
      type: 'subscribe',
      subscription: { id: 'p', sql: 'SELECT * FROM app.pages', options: { batch_size: 2 } }
    })
    const ack = await ws.next()
    expect(ack.msg.batch_control).toMatchObject({ batch_num: 0, has_more: true, status: 'loading' })
    const b0 = await ws.next()
    expect(b0.msg.type).toBe('initial_data_batch')
    expect(b0.msg.rows).toEqual([
      { id: 1, v: 'v1', _seq: expect.stringMatching(/^\d+$/), _deleted: false },
      { id: 2, v: 'v2', _seq: expect.stringMatching(/^\d+$/), _deleted: false }
    ])
    const last0 = b0.msg.batch_control.last_seq_id
    expect(typeof last0).toBe('bigint')
    expect(last0 > 2n ** 53n).toBe(true)
    expect(b0.raw).toContain(`"last_seq_id":${last0.toString()}}`)
    expect(String(last0)).toBe(b0.msg.rows[1]._seq)
    ws.send(`{"type":"next_batch","subscription_id":"p","last_seq_id":${last0.toString()}}`)
    const b1 = await ws.next()
    expect(b1.msg.batch_control).toMatchObject({
      batch_num: 1,
      has_more: true,
      status: 'loading_batch'
    })
    expect(b1.msg.rows.map((r: { id: number }) => r.id)).toEqual([3, 4])
    ws.send(
      `{"type":"next_batch","subscription_id":"p","last_seq_id":${b1.msg.batch_control.last_seq_id.toString()}}`
    )
    const b2 = await ws.next()
    expect(b2.msg.batch_control).toMatchObject({ batch_num: 2, has_more: false, status: 'ready' })
    expect(b2.msg.rows.map((r: { id: number }) => r.id)).toEqual([5])
  })

  it('sends "options":{} an initial_data_batch even when empty, and last_rows the tail', async () => {
    const ws = await open(s.url, token)
    ws.send({
      type: 'subscribe',
      subscription: { id: 'e', sql: 'SELECT * FROM app.msgs WHERE id < 0', options: {} }
    })
    await ws.next()
    const batch = await ws.next()
    expect(batch.msg).toEqual({
      type: 'initial_data_batch',
      subscription_id: 'e',
      rows: [],
      batch_control: { batch_num: 0, has_more: false, status: 'ready', last_seq_id: null }
    })
    ws.send({
      type: 'subscribe',
      subscription: { id: 'tail', sql: 'SELECT id FROM app.pages', options: { last_rows: 2 } }
    })
    await ws.next((f) => f.msg.type === 'subscription_ack' && f.msg.subscription_id === 'tail')
    const tail = await ws.next()
    expect(tail.msg.rows.map((r: { id: number }) => r.id)).toEqual([4, 5])
    ws.send({
      type: 'subscribe',
      subscription: {
        id: 'x',
        sql: 'SELECT id FROM app.pages',
        options: { last_rows: 5, batch_size: 2 }
      }
    })
    expect((await ws.next()).msg).toMatchObject({
      type: 'error',
      subscription_id: 'x',
      code: 'UNSUPPORTED'
    })
  })

  it('sends one change frame per inserted row, and update/delete with rows and old_values', async () => {
    const ws = await open(s.url, token)
    ws.send({
      type: 'subscribe',
      subscription: { id: 'c', sql: 'SELECT id, body FROM app.msgs WHERE id > 100' }
    })
    await ws.next()
    await sqlOk(
      s.url,
      token,
      "INSERT INTO app.msgs (id, body) VALUES (101, 'a'), (102, 'b'), (103, 'c'), (1, 'filtered')"
    )
    const inserts = [await ws.next(), await ws.next(), await ws.next()]
    expect(inserts.map((f) => f.msg)).toEqual(
      [101, 102, 103].map((id, i) => ({
        type: 'change',
        subscription_id: 'c',
        change_type: 'insert',
        rows: [{ id: String(id), body: 'abc'[i], _seq: expect.stringMatching(/^\d+$/) }]
      }))
    )
    await sqlOk(s.url, token, "UPDATE app.msgs SET body = 'z' WHERE id = 102")
    const upd = await ws.next()
    expect(upd.msg).toEqual({
      type: 'change',
      subscription_id: 'c',
      change_type: 'update',
      rows: [{ id: '102', body: 'z', _seq: expect.any(String) }],
      old_values: [{ id: '102', body: 'b', _seq: inserts[1]!.msg.rows[0]._seq }]
    })
    await sqlOk(s.url, token, 'DELETE FROM app.msgs WHERE id = 103')
    const del = await ws.next()
    expect(del.msg).toEqual({
      type: 'change',
      subscription_id: 'c',
      change_type: 'delete',
      old_values: [{ id: '103', body: 'c', _seq: inserts[2]!.msg.rows[0]._seq }]
    })
    await new Promise((r) => setTimeout(r, 100))
    expect(ws.changes('c')).toHaveLength(5)
  })

  it('stops changes after unsubscribe, which is not acknowledged; ping gets no answer', async () => {
    const ws = await open(s.url, token)
    ws.send({ type: 'subscribe', subscription: { id: 'u', sql: 'SELECT * FROM app.shared' } })
    await ws.next()
    await sqlOk(s.url, token, "INSERT INTO app.shared (id, value) VALUES (1, 'one')")
    await ws.next()
    ws.send({ type: 'unsubscribe', subscription_id: 'u' })
    ws.send({ type: 'ping' })
    await new Promise((r) => setTimeout(r, 100))
    await sqlOk(s.url, token, "INSERT INTO app.shared (id, value) VALUES (2, 'two')")
    await new Promise((r) => setTimeout(r, 150))
    expect(ws.frames.map((f) => f.msg.type)).toEqual(['auth_success', 'subscription_ack', 'change'])
  })

  it('gzips frames of 512 bytes and more into binary frames, unless ?compress=false', async () => {
    const zipped = await open(s.url, token)
    const plain = await open(s.url, token, 'compress=false')
    for (const ws of [zipped, plain]) {
      ws.send({
        type: 'subscribe',
        subscription: { id: 'g', sql: 'SELECT * FROM app.shared WHERE id >= 1000' }
      })
      await ws.next()
    }
    await sqlOk(
      s.url,
      token,
      `INSERT INTO app.shared (id, value) VALUES (1000, '${'x'.repeat(2000)}'), (1001, 'small')`
    )
    const [big, small] = [await zipped.next(), await zipped.next()]
    expect(big.binary).toBe(true)
    expect(big.msg.rows[0].value).toHaveLength(2000)
    expect(small.binary).toBe(false)
    const plainBig = await plain.next()
    expect(plainBig.binary).toBe(false)
    expect(plainBig.msg.rows[0].value).toHaveLength(2000)
  })

  it('rejects subscription SQL with KalamDB texts: ORDER BY, LIMIT, unqualified table, _seq, missing table', async () => {
    const ws = await open(s.url, token)
    const cases: [string, string, string | RegExp][] = [
      [
        'SELECT * FROM app.msgs ORDER BY id',
        'INVALID_SQL',
        'Invalid SQL: Invalid SQL: Subscription query does not support ORDER BY. Only SELECT ... FROM ... [WHERE ...] is supported.'
      ],
      [
        'SELECT * FROM app.msgs LIMIT 5',
        'INVALID_SQL',
        'Invalid SQL: Invalid SQL: Subscription query supports only SELECT ... FROM ... [WHERE ...].'
      ],
      ['SELECT * FROM msgs', 'INVALID_SQL', /namespace-qualified/],
      [
        'SELECT id, status, _seq FROM app.msgs',
        'INVALID_SQL',
        /cannot project system columns '_seq' or '_deleted'/
      ],
      ['SELECT * FROM app.missing', 'NOT_FOUND', 'Not found: Table not found: app:missing'],
      [
        'SELECT a.id FROM app.msgs a JOIN app.shared b ON a.id = b.id',
        'INVALID_SQL',
        /does not support JOIN/
      ]
    ]
    for (const [i, [q, code, message]] of cases.entries()) {
      ws.send({ type: 'subscribe', subscription: { id: `bad${i}`, sql: q } })
      const f = await ws.next()
      expect(f.msg).toMatchObject({ type: 'error', subscription_id: `bad${i}`, code })
      expect(f.msg.message).toMatch(message)
    }
    ws.send({ type: 'subscribe', subscription: { id: '  ', sql: 'SELECT * FROM app.msgs' } })
    expect((await ws.next()).msg).toMatchObject({
      subscription_id: 'invalid_subscription',
      code: 'INVALID_SUBSCRIPTION_ID'
    })
  })

  it("keeps USER-table changes in their user's partition and applies SHARED access levels", async () => {
    await sqlOk(s.url, token, "CREATE USER 'bob' WITH PASSWORD 'bob-pass-1' ROLE user")
    await sqlOk(
      s.url,
      token,
      "CREATE TABLE app.private (id INT PRIMARY KEY) WITH (TYPE = 'SHARED')"
    )
    const bobToken = await login(s.url, 'bob', 'bob-pass-1')
    const bob = await open(s.url, bobToken)
    bob.send({ type: 'subscribe', subscription: { id: 'mine', sql: 'SELECT * FROM app.msgs' } })
    expect((await bob.next()).msg.type).toBe('subscription_ack')
    bob.send({ type: 'subscribe', subscription: { id: 'priv', sql: 'SELECT * FROM app.private' } })
    expect((await bob.next()).msg).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/^Permission denied: /)
    })
    bob.send({ type: 'subscribe', subscription: { id: 'sys', sql: 'SELECT * FROM system.live' } })
    expect((await bob.next()).msg).toMatchObject({ code: 'UNAUTHORIZED' })
    await sqlOk(s.url, token, "INSERT INTO app.msgs (id, body) VALUES (500, 'admin only')")
    await sqlOk(s.url, bobToken, "INSERT INTO app.msgs (id, body) VALUES (500, 'bob only')")
    const f = await bob.next((x) => x.msg.type === 'change')
    expect(f.msg.rows[0]).toMatchObject({ id: '500', body: 'bob only' })
    await new Promise((r) => setTimeout(r, 100))
    expect(bob.changes('mine')).toHaveLength(1)
  })

  it('shows subscriptions in system.live and counts sessions and peaks in system.stats', async () => {
    const ws = await open(s.url, token)
    ws.send({
      type: 'subscribe',
      subscription: { id: 'live1', sql: "SELECT * FROM app.msgs WHERE body = 'x'", options: {} }
    })
    await ws.next()
    const [live] = await sqlOk(
      s.url,
      token,
      "SELECT subscription_id, namespace_id, table_name, user_id, query, status FROM system.live WHERE subscription_id = 'live1'"
    )
    expect(live.rows).toEqual([
      ['live1', 'app', 'msgs', 'admin', "SELECT * FROM app.msgs WHERE body = 'x'", 'active']
    ])
    const stats = async (): Promise<Figures> => {
      const [r] = await sqlOk(
        s.url,
        token,
        "SELECT metric_name, metric_value FROM system.stats WHERE metric_name IN ('websocket_sessions', 'websocket_sessions_peak', 'active_subscriptions', 'active_connections', 'total_live_queries')"
      )
      return Object.fromEntries(r.rows.map(([k, v]: [string, string]) => [k, Number(v)])) as Figures
    }
    const during = await stats()
    expect(during.active_subscriptions).toBeGreaterThanOrEqual(1)
    expect(during.total_live_queries).toBe(during.active_subscriptions)
    expect(during.websocket_sessions).toBeGreaterThanOrEqual(1)
    await ws.close()
    await waitFor(async () => (await stats()).websocket_sessions === during.websocket_sessions - 1)
    const after = await stats()
    expect(after.websocket_sessions_peak).toBeGreaterThanOrEqual(during.websocket_sessions)
    expect(after.active_subscriptions).toBe(during.active_subscriptions - 1)
  })
})

describe('simulator conformance: WebSocket limits and timeouts (PROTOCOL.md §6.6, §6.7)', () => {
  it('closes a silent socket with 1000 "Heartbeat timeout", and pings keep it open', async () => {
    const s = await sim(['--ws-client-timeout', '1500ms'])
    const token = await login(s.url, SIM_USER, SIM_PASSWORD)
    const silent = await open(s.url, token)
    const pinging = await open(s.url, token)
    const timer = setInterval(() => pinging.send({ type: 'ping' }), 250)
    try {
      expect(await silent.closed).toEqual({ code: 1000, reason: 'Heartbeat timeout' })
      expect(pinging.ws.readyState).toBe(WebSocket.OPEN)
    } finally {
      clearInterval(timer)
    }
  })

  it('closes an unauthenticated socket after the auth timeout with auth_error and 1008', async () => {
    const s = await sim(['--ws-auth-timeout', '300ms'])
    const ws = await TestSocket.open(s.url)
    sockets.push(ws)
    expect((await ws.next()).msg).toEqual({
      type: 'auth_error',
      message: 'Authentication timeout - no auth message received within 3 seconds'
    })
    expect(await ws.closed).toEqual({ code: 1008, reason: 'Authentication timeout' })
  })

  it('applies the default limits: 10 subscriptions per user and 50 frames/s per connection', async () => {
    const s = await sim()
    const token = await login(s.url, SIM_USER, SIM_PASSWORD)
    await sqlOk(s.url, token, 'CREATE NAMESPACE app')
    await sqlOk(s.url, token, "CREATE TABLE app.t (id INT PRIMARY KEY) WITH (TYPE = 'USER')")
    const a = await open(s.url, token)
    const b = await open(s.url, token)
    for (let i = 0; i < 10; i++) {
      ;(i % 2 ? a : b).send({
        type: 'subscribe',
        subscription: { id: `s${i}`, sql: 'SELECT * FROM app.t' }
      })
    }
    await waitFor(() => a.frames.length + b.frames.length === 12)
    a.send({ type: 'subscribe', subscription: { id: 's10', sql: 'SELECT * FROM app.t' } })
    expect((await a.next((f) => f.msg.subscription_id === 's10')).msg).toEqual({
      type: 'error',
      subscription_id: 's10',
      code: 'SUBSCRIPTION_LIMIT_EXCEEDED',
      message: 'Maximum subscriptions reached'
    })
    // Same connection as the next subscribe, so the server sees them in this order.
    a.send({ type: 'unsubscribe', subscription_id: 's1' })
    a.send({ type: 'subscribe', subscription: { id: 's11', sql: 'SELECT * FROM app.t' } })
    expect((await a.next((f) => f.msg.subscription_id === 's11')).msg.type).toBe('subscription_ack')
    for (let i = 0; i < 80; i++) b.send({ type: 'ping' })
    expect((await b.next((f) => f.msg.type === 'error')).msg).toEqual({
      type: 'error',
      subscription_id: 'rate_limit',
      code: 'RATE_LIMIT_EXCEEDED',
      message: 'Too many messages'
    })
    expect(b.ws.readyState).toBe(WebSocket.OPEN)
  })

  it('closes every socket with 1001 "Server shutting down" on SIGINT, exits 0 and removes its data dir', async () => {
    const s = await sim()
    const token = await login(s.url, SIM_USER, SIM_PASSWORD)
    const ws = await open(s.url, token)
    const exit = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)))
    s.child.kill('SIGINT')
    expect(await ws.closed).toEqual({ code: 1001, reason: 'Server shutting down' })
    expect(await exit).toBe(0)
    const { readdirSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith(`kalamdb-sim-${s.pid}-`))).toEqual([])
  })
})
