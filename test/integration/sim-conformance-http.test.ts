/**
 * Conformance of the simulator to PROTOCOL.md §2–§4, §7, §8: each documented example request,
 * sent to a started `kalam-profiler sim`, gets the documented status and body shape.
 */
import { readFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { login, request, sql, sqlOk, waitFor } from '../../sim/testing/client'
import { type RunningSim, SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim'

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

const sims: RunningSim[] = []
async function sim(args: string[] = [], configured = true): Promise<RunningSim> {
  const s = await startSim({ configured, args })
  sims.push(s)
  return s
}

afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()))
})

describe('simulator conformance: health and auth (PROTOCOL.md §2, §3)', () => {
  let fresh: RunningSim

  beforeAll(async () => {
    fresh = await sim([], false)
  })

  it('answers GET /health and /v1/api/healthcheck with the documented body', async () => {
    for (const path of ['/health', '/v1/api/healthcheck']) {
      const r = await request(fresh.url, 'GET', path)
      expect(r.status).toBe(200)
      expect(r.json).toEqual({
        status: 'healthy',
        version: '0.4.3-rc.4',
        api_version: 'v1',
        build_date: expect.any(String)
      })
    }
  })

  it('needs setup on a fresh start, refusing root with 428 setup_required', async () => {
    const status = await request(fresh.url, 'GET', '/v1/api/auth/status')
    expect(status.json).toEqual({
      needs_setup: true,
      message:
        'Server requires initial setup. Call POST /v1/api/auth/setup with user, password, root_password, and optional email.'
    })
    const root = await request(fresh.url, 'POST', '/v1/api/auth/login', {
      body: { user: 'root', password: '' }
    })
    expect(root.status).toBe(428)
    expect(root.json).toEqual({
      error: 'setup_required',
      message: 'Server requires initial setup. Root password is not configured.'
    })
  })

  it('sets up with the documented request, then refuses a second setup with 409', async () => {
    const body = { user: 'admin', password: 'kalamdb123', root_password: 'kalamdb123', email: null }
    const r = await request(fresh.url, 'POST', '/v1/api/auth/setup', { body })
    expect(r.status).toBe(200)
    expect(r.json).toEqual({
      user: {
        id: 'admin',
        role: 'dba',
        email: null,
        created_at: expect.stringMatching(RFC3339),
        updated_at: expect.stringMatching(RFC3339)
      },
      message:
        "Server setup complete. Root password configured and DBA user 'admin' created. Please login to continue."
    })
    expect(r.json).not.toHaveProperty('access_token')
    const again = await request(fresh.url, 'POST', '/v1/api/auth/setup', { body })
    expect(again.status).toBe(409)
    expect(again.json.error).toBe('already_configured')
    const status = await request(fresh.url, 'GET', '/v1/api/auth/status')
    expect(status.json).toEqual({ needs_setup: false, message: 'Server is configured and ready.' })
  })

  it('rejects unknown fields and malformed JSON with a plain-text 400 (deny_unknown_fields)', async () => {
    const unknown = await request(fresh.url, 'POST', '/v1/api/auth/login', {
      body: { user: 'admin', password: 'kalamdb123', extra: 1 }
    })
    expect(unknown.status).toBe(400)
    expect(unknown.headers.get('content-type')).toMatch(/^text\/plain/)
    const bad = await request(fresh.url, 'POST', '/v1/api/auth/login', { rawBody: '{nope' })
    expect(bad.status).toBe(400)
    expect(bad.json).toBeUndefined()
  })

  it('logs in with the documented request and shape, cookies included', async () => {
    const r = await request(fresh.url, 'POST', '/v1/api/auth/login', {
      body: { user: 'admin', password: 'kalamdb123' }
    })
    expect(r.status).toBe(200)
    expect(r.json).toEqual({
      user: {
        id: 'admin',
        role: 'dba',
        email: null,
        created_at: expect.stringMatching(RFC3339),
        updated_at: expect.stringMatching(RFC3339)
      },
      admin_ui_access: true,
      expires_at: expect.stringMatching(RFC3339),
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_expires_at: expect.stringMatching(RFC3339)
    })
    const lifetime = Date.parse(r.json.expires_at) - Date.now()
    expect(lifetime).toBeGreaterThan(23 * 3_600_000)
    expect(Date.parse(r.json.refresh_expires_at) - Date.parse(r.json.expires_at)).toBeGreaterThan(
      6 * 23 * 3_600_000
    )
    expect(r.headers.getSetCookie().every((c) => /HttpOnly/.test(c))).toBe(true)
    const claims = JSON.parse(
      Buffer.from(r.json.access_token.split('.')[1], 'base64url').toString()
    )
    expect(claims).toMatchObject({
      sub: 'admin',
      iss: 'kalamdb',
      role: 'dba',
      token_type: 'access'
    })
    expect(typeof claims.exp).toBe('number')
    expect(typeof claims.iat).toBe('number')
  })

  it('accepts `username` as an alias and answers a wrong password with 401 unauthorized', async () => {
    const alias = await request(fresh.url, 'POST', '/v1/api/auth/login', {
      body: { username: 'admin', password: 'kalamdb123' }
    })
    expect(alias.status).toBe(200)
    const wrong = await request(fresh.url, 'POST', '/v1/api/auth/login', {
      body: { user: 'admin', password: 'nope-nope' }
    })
    expect(wrong.status).toBe(401)
    expect(wrong.json).toEqual({ error: 'unauthorized', message: 'Invalid credentials' })
  })

  it('refreshes with a refresh token, reports /me and logs out', async () => {
    const first = await request(fresh.url, 'POST', '/v1/api/auth/login', {
      body: { user: 'admin', password: 'kalamdb123' }
    })
    const refreshed = await request(fresh.url, 'POST', '/v1/api/auth/refresh', {
      token: first.json.refresh_token
    })
    expect(refreshed.status).toBe(200)
    expect(Object.keys(refreshed.json).sort()).toEqual(Object.keys(first.json).sort())
    const withAccess = await request(fresh.url, 'POST', '/v1/api/auth/refresh', {
      token: first.json.access_token
    })
    expect(withAccess.status).toBe(401)
    const me = await request(fresh.url, 'GET', '/v1/api/auth/me', {
      token: refreshed.json.access_token
    })
    expect(me.json).toEqual({
      user: expect.objectContaining({ id: 'admin', role: 'dba' }),
      admin_ui_access: true
    })
    const out = await request(fresh.url, 'POST', '/v1/api/auth/logout')
    expect(out.json).toEqual({ message: 'Logged out successfully' })
  })

  it('answers 404 on paths KalamDB does not route (/metrics, /healthz)', async () => {
    expect((await request(fresh.url, 'GET', '/metrics')).status).toBe(404)
    expect((await request(fresh.url, 'GET', '/healthz')).status).toBe(404)
  })

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address
  it.runIf(external !== undefined)(
    'keeps health and setup status loopback-only (403 for other peers)',
    async () => {
      const open = await sim(['--host', '0.0.0.0'])
      const port = new URL(open.url).port
      const base = `http://${external}:${port}`
      const health = await request(base, 'GET', '/health', {
        headers: { 'x-forwarded-for': '127.0.0.1' }
      })
      expect(health.status).toBe(403)
      expect(health.json).toEqual({ error: 'Access denied. Health endpoint is localhost-only.' })
      const status = await request(base, 'GET', '/v1/api/auth/status')
      expect(status.status).toBe(403)
      expect(status.json).toEqual({
        error: 'forbidden',
        message: 'Setup status can only be checked from localhost'
      })
    }
  )
})

describe('simulator conformance: SQL API (PROTOCOL.md §4, §7)', () => {
  let s: RunningSim
  let token: string

  beforeAll(async () => {
    s = await sim(['--no-rate-limits'])
    token = await login(s.url, SIM_USER, SIM_PASSWORD)
  })

  it('answers auth failures with the extractor envelope and codes', async () => {
    const missing = await request(s.url, 'POST', '/v1/api/sql', { body: { sql: 'SELECT 1' } })
    expect(missing.status).toBe(401)
    expect(missing.json).toEqual({
      status: 'error',
      error: { code: 'MISSING_AUTHORIZATION', message: 'Authentication required' },
      results: [],
      took: expect.any(Number)
    })
    const basic = await request(s.url, 'POST', '/v1/api/sql', {
      body: { sql: 'SELECT 1' },
      headers: { authorization: `Basic ${Buffer.from('admin:kalamdb123').toString('base64')}` }
    })
    expect(basic.status).toBe(401)
    expect(basic.json.error).toEqual({
      code: 'INVALID_CREDENTIALS',
      message: 'Invalid credentials'
    })
    const forged = await sql(s.url, `${token.slice(0, -4)}AAAA`, 'SELECT 1')
    expect(forged.json.error.code).toBe('INVALID_CREDENTIALS')
  })

  it('answers TOKEN_EXPIRED ("Invalid credentials") once a token has expired', async () => {
    const short = await sim(['--token-ttl', '1500ms'])
    const t = await login(short.url, SIM_USER, SIM_PASSWORD)
    expect((await sql(short.url, t, 'SELECT 1')).status).toBe(200)
    await new Promise((r) => setTimeout(r, 1700))
    const r = await sql(short.url, t, 'SELECT 1')
    expect(r.status).toBe(401)
    expect(r.json.error).toEqual({ code: 'TOKEN_EXPIRED', message: 'Invalid credentials' })
  })

  it('runs the documented request with params and namespace_id', async () => {
    await sqlOk(s.url, token, 'CREATE NAMESPACE IF NOT EXISTS app')
    await sqlOk(
      s.url,
      token,
      "CREATE TABLE app.t (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')"
    )
    const r = await request(s.url, 'POST', '/v1/api/sql', {
      token,
      body: {
        sql: 'INSERT INTO app.t (id, v) VALUES ($1, $2)',
        params: [1, 'x'],
        namespace_id: 'app'
      }
    })
    expect(r.status).toBe(200)
    expect(r.json).toEqual({
      status: 'success',
      results: [{ row_count: 1, message: 'Inserted 1 row(s)', as_user: 'admin' }],
      took: expect.any(Number)
    })
    const unqualified = await sql(s.url, token, 'SELECT v FROM t', undefined, 'app')
    expect(unqualified.json.results[0].rows).toEqual([['x']])
  })

  it('keeps integer params beyond 2^53 exact, as serde_json does (BIGINT comes back as a string)', async () => {
    await sqlOk(s.url, token, 'CREATE NAMESPACE IF NOT EXISTS app')
    await sqlOk(
      s.url,
      token,
      "CREATE TABLE app.bigp (id BIGINT PRIMARY KEY, n BIGINT, j TEXT) WITH (TYPE = 'SHARED')"
    )
    // Written by hand: JSON.stringify cannot print 2^53 + 1 from a JS number.
    const insert = await request(s.url, 'POST', '/v1/api/sql', {
      token,
      rawBody:
        '{"sql":"INSERT INTO app.bigp (id, n, j) VALUES ($1, $2, $3)",' +
        '"params":[9007199254740993,-9007199254740995,{"seq":18014398509481985}]}'
    })
    expect(insert.status).toBe(200)
    expect(insert.json.results[0]).toMatchObject({ row_count: 1 })
    const r = await request(s.url, 'POST', '/v1/api/sql', {
      token,
      rawBody: '{"sql":"SELECT id, n, j FROM app.bigp WHERE id = $1","params":[9007199254740993]}'
    })
    expect(r.status).toBe(200)
    expect(r.json.results[0].rows).toEqual([
      ['9007199254740993', '-9007199254740995', '{"seq":18014398509481985}']
    ])
  })

  it('returns the documented success shape: schema with flags, positional rows, BIGINT as strings, "error":null', async () => {
    await sqlOk(
      s.url,
      token,
      "CREATE TABLE app.people (id BIGINT PRIMARY KEY, name TEXT) WITH (TYPE = 'SHARED')"
    )
    await sqlOk(s.url, token, "INSERT INTO app.people (id, name) VALUES (1, 'Alice'), (2, 'Bob')")
    const r = await sql(s.url, token, 'SELECT id, name FROM app.people')
    expect(r.status).toBe(200)
    expect(r.json).toEqual({
      status: 'success',
      results: [
        {
          schema: [
            { name: 'id', data_type: 'BigInt', index: 0, flags: ['pk', 'nn', 'uq'] },
            { name: 'name', data_type: 'Text', index: 1 }
          ],
          rows: [
            ['1', 'Alice'],
            ['2', 'Bob']
          ],
          row_count: 2,
          as_user: 'admin'
        }
      ],
      took: expect.any(Number),
      error: null
    })
    expect(r.text.endsWith('"error":null}')).toBe(true)
    expect(Math.round(r.json.took * 1000) / 1000).toBe(r.json.took)
  })

  it('returns the documented error envelope with details', async () => {
    const r = await sql(s.url, token, 'SELECT * FROM app.missing')
    expect(r.status).toBe(400)
    expect(r.json).toEqual({
      status: 'error',
      results: [],
      took: expect.any(Number),
      error: {
        code: 'SQL_EXECUTION_ERROR',
        message: expect.stringMatching(/^Statement 1 failed: /),
        details: 'SELECT * FROM app.missing'
      }
    })
  })

  it('uses the documented codes for bad requests', async () => {
    const badJson = await request(s.url, 'POST', '/v1/api/sql', { token, rawBody: '{"sql": ' })
    expect([badJson.status, badJson.json.error.code]).toEqual([400, 'INVALID_INPUT'])
    expect(badJson.json.error.message).toMatch(/^Invalid JSON payload: /)
    expect((await sql(s.url, token, '   ')).json.error.code).toBe('EMPTY_SQL')
    expect((await sql(s.url, token, 'SELEKT 1')).json.error.code).toBe('INVALID_SQL')
    const batch = await sql(s.url, token, 'SELECT 1; SELECT 2', [1])
    expect([batch.status, batch.json.error.code]).toEqual([400, 'PARAMS_WITH_BATCH'])
    const tooMany = await sql(
      s.url,
      token,
      'SELECT 1',
      Array.from({ length: 51 }, (_, i) => i)
    )
    expect(tooMany.json.error.code).toBe('INVALID_PARAMETER')
    const old = await sql(s.url, token, 'FLUSH TABLE app.t')
    expect(old.json.error.code).toBe('INVALID_SQL')
  })

  it('masks unsafe error texts for non-admin callers but keeps safe ones', async () => {
    await sqlOk(s.url, token, "CREATE USER 'masked' WITH PASSWORD 'masked-pass' ROLE user")
    const u = await login(s.url, 'masked', 'masked-pass')
    const notFound = await sql(s.url, u, 'SELECT * FROM app.nothing_here')
    expect(notFound.json.error).toMatchObject({
      code: 'SQL_EXECUTION_ERROR',
      message: 'SQL statement failed'
    })
    const invalid = await sql(s.url, u, 'SELEKT 1')
    expect(invalid.json.error.message).toBe('SQL statement is invalid or not allowed')
    const denied = await sql(s.url, u, 'SELECT * FROM system.users')
    expect(denied.status).toBe(403)
    expect(denied.json.error.code).toBe('PERMISSION_DENIED')
  })

  it('runs the statements of PROTOCOL.md §7 verbatim with the documented messages', async () => {
    const ok = async (
      text: string
    ): Promise<{ message?: string; row_count: number; rows?: unknown[][] }> =>
      (await sqlOk(s.url, token, text))[0]
    expect((await ok('CREATE NAMESPACE IF NOT EXISTS app7')).message).toBe(
      "Namespace 'app7' created successfully"
    )
    await ok(
      "CREATE TABLE app7.msgs (id BIGINT PRIMARY KEY DEFAULT SNOWFLAKE_ID(), body TEXT NOT NULL,\n                       created_at TIMESTAMP DEFAULT NOW())\n  WITH (TYPE = 'USER', FLUSH_POLICY = 'rows:1000,interval:60')"
    )
    await ok('CREATE USER TABLE app7.msgs2 (id INT PRIMARY KEY, body TEXT)')
    await ok(
      "CREATE SHARED TABLE app7.cfg (k TEXT PRIMARY KEY, v TEXT) WITH (ACCESS_LEVEL = 'PUBLIC')"
    )
    await ok(
      'CREATE STREAM TABLE app7.events (event_id TEXT PRIMARY KEY, payload TEXT) WITH (TTL_SECONDS = 30)'
    )
    await ok(
      "CREATE TABLE app7.ev2 (id TEXT PRIMARY KEY, p TEXT) WITH (TYPE = 'STREAM', TTL_SECONDS = 10)"
    )
    expect(await ok("INSERT INTO app7.msgs (id, body) VALUES (1, 'a'), (2, 'b')")).toEqual({
      row_count: 2,
      message: 'Inserted 2 row(s)',
      as_user: 'admin'
    })
    expect(
      (await ok('SELECT id, body FROM app7.msgs WHERE id > 0 ORDER BY id LIMIT 100')).rows
    ).toEqual([
      ['1', 'a'],
      ['2', 'b']
    ])
    const count = await ok('SELECT COUNT(*) AS cnt FROM app7.msgs')
    expect(count.rows).toEqual([['2']])
    expect((await ok("UPDATE app7.msgs SET body = 'c' WHERE id = 1")).message).toBe(
      'Updated 1 row(s)'
    )
    expect((await ok('DELETE FROM app7.msgs WHERE id = 2')).message).toBe('Deleted 1 row(s)')
    await ok("CREATE USER 'alice' WITH PASSWORD 'S3cret-pass!' ROLE user")
    const asAlice = (
      await sqlOk(s.url, token, "EXECUTE AS USER 'alice' (SELECT * FROM app7.msgs)")
    )[0]
    expect(asAlice).toMatchObject({ rows: [], as_user: 'alice' })
    await ok("CREATE USER admin2 WITH PASSWORD 'admin2-pass' ROLE 'dba'")
    expect((await ok('DROP TABLE IF EXISTS app7.msgs2')).row_count).toBe(0)
    expect(
      (await sql(s.url, token, 'CREATE TABLE app7.bad (id INT) WITH (TTL_SECONDS = 5)')).status
    ).toBe(400)
    expect((await ok('DROP NAMESPACE IF EXISTS app7 CASCADE')).message).toBe(
      "Namespace 'app7' dropped successfully"
    )
  })

  it('sums DML of a multi-statement batch into one result per verb, after the other results', async () => {
    await sqlOk(
      s.url,
      token,
      "CREATE TABLE app.b (id INT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')"
    )
    const r = await sqlOk(
      s.url,
      token,
      "INSERT INTO app.b (id, v) VALUES (1, 'a'); INSERT INTO app.b (id, v) VALUES (2, 'b'), (3, 'c'); SELECT COUNT(*) AS n FROM app.b; DELETE FROM app.b WHERE id = 1"
    )
    expect(r).toEqual([
      {
        schema: [{ name: 'n', data_type: 'BigInt', index: 0 }],
        rows: [['3']],
        row_count: 1,
        as_user: 'admin'
      },
      { row_count: 3, message: 'Inserted 3 row(s)', as_user: 'admin' },
      { row_count: 1, message: 'Deleted 1 row(s)', as_user: 'admin' }
    ])
  })

  it('starts a flush job, polls it to completed in system.jobs, then reports "skipped"', async () => {
    await sqlOk(
      s.url,
      token,
      "CREATE TABLE app.f (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE = 'USER')"
    )
    await sqlOk(s.url, token, "INSERT INTO app.f (id, v) VALUES (1, 'a'), (2, 'b')")
    const [started] = await sqlOk(s.url, token, 'STORAGE FLUSH TABLE app.f')
    expect(started.message).toMatch(
      /^Storage flush started for table 'app\.f'\. Job ID: FL-[0-9a-f]{12}$/
    )
    const jobId = /FL-[0-9a-f]{12}/.exec(started.message)![0]
    const seen = new Set<string>()
    await waitFor(async () => {
      const [r] = await sqlOk(
        s.url,
        token,
        `SELECT job_id, status, message FROM system.jobs WHERE job_id = '${jobId}'`
      )
      seen.add(r.rows[0][1])
      return r.rows[0][1] === 'completed'
    })
    const [skipped] = await sqlOk(s.url, token, 'STORAGE FLUSH TABLE app.f')
    expect(skipped.message).toBe("Storage flush skipped: no pending writes for table 'app.f'")
    const [all] = await sqlOk(s.url, token, 'STORAGE FLUSH ALL IN app')
    expect(all.message).toMatch(
      /^Storage flush started for \d+ table\(s\) in namespace 'app'\. Job IDs: \[.*\]$/
    )
    expect((await sqlOk(s.url, token, 'SELECT COUNT(*) FROM app.f'))[0].rows).toEqual([['2']])
    const stream = await sql(
      s.url,
      token,
      'CREATE STREAM TABLE app.st (id TEXT PRIMARY KEY) WITH (TTL_SECONDS = 30)'
    )
    expect(stream.status).toBe(200)
    expect((await sql(s.url, token, 'STORAGE FLUSH TABLE app.st')).json.error.message).toMatch(
      /not supported/
    )
  })

  it('lists system.jobs, users, namespaces, tables, live and settings with the documented columns', async () => {
    const cols = async (t: string): Promise<string[]> =>
      (await sqlOk(s.url, token, `SELECT * FROM system.${t} LIMIT 1`))[0].schema.map(
        (c: { name: string }) => c.name
      )
    expect(await cols('jobs')).toEqual(
      'job_id, job_type, status, leader_status, parameters, message, exception_trace, idempotency_key, queue, priority, retry_count, max_retries, memory_used, cpu_used, created_at, updated_at, started_at, finished_at, node_id, leader_node_id'.split(
        ', '
      )
    )
    expect(await cols('users')).toEqual(
      'user_id, password_hash, role, email, auth_type, auth_data, storage_mode, storage_id, failed_login_attempts, locked_until, last_login_at, created_at, updated_at, last_seen, deleted_at'.split(
        ', '
      )
    )
    expect(await cols('namespaces')).toEqual([
      'namespace_id',
      'name',
      'created_at',
      'options',
      'table_count'
    ])
    expect(await cols('tables')).toEqual(
      'namespace_id, table_name, table_type, storage_id, version, options, comment, updated_at, created_at'.split(
        ', '
      )
    )
    expect(await cols('live')).toEqual(
      'live_id, connection_id, subscription_id, namespace_id, table_name, user_id, query, options, status, created_at, last_update, changes, node_id, last_ping_at'.split(
        ', '
      )
    )
    expect(await cols('settings')).toEqual(['name', 'value', 'description', 'category'])
    const [settings] = await sqlOk(
      s.url,
      token,
      "SELECT name, value FROM system.settings WHERE name IN ('limits.default_query_limit', 'websocket.client_timeout_secs')"
    )
    expect(settings.rows).toEqual([
      ['websocket.client_timeout_secs', '10'],
      ['limits.default_query_limit', '50']
    ])
  })

  it('reports system.stats with the real metric names, values from its own process, beyond the 50-row limit', async () => {
    const [limited] = await sqlOk(s.url, token, 'SELECT * FROM system.stats')
    expect(limited.row_count).toBe(50)
    const [all] = await sqlOk(
      s.url,
      token,
      'SELECT metric_name, metric_value FROM system.stats LIMIT 1000'
    )
    expect(all.row_count).toBeGreaterThan(70)
    const m = Object.fromEntries(all.rows as [string, string][])
    for (const name of [
      'server_uptime_seconds',
      'memory_usage_bytes',
      'memory_usage_source',
      'memory_rss_bytes',
      'cpu_usage_percent',
      'thread_count',
      'pid',
      'allocator_name',
      'open_files_total',
      'total_users',
      'jobs_running',
      'jobs_queued',
      'jobs_failed',
      'rocksdb_active_memtable_entries',
      'rocksdb_active_memtable_size_bytes',
      'rocksdb_live_sst_files_size_bytes',
      'total_live_queries',
      'active_connections',
      'active_connections_peak',
      'active_subscriptions',
      'active_subscriptions_peak',
      'websocket_sessions',
      'websocket_sessions_peak',
      'plan_cache_size',
      'server_version',
      'server_build_date'
    ]) {
      expect(typeof m[name], name).toBe('string')
    }
    expect(m.pid).toBe(String(s.pid))
    expect(m.server_version).toBe('0.4.3-rc.4')
    expect(m.memory_usage_source).toBe('rss')
    const vmRss =
      Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${s.pid}/status`, 'utf8'))![1]) * 1024
    expect(Math.abs(Number(m.memory_rss_bytes) - vmRss) / vmRss).toBeLessThan(0.2)
    expect(Number(m.thread_count)).toBeGreaterThan(1)
    const [some] = await sqlOk(
      s.url,
      token,
      "SELECT metric_name, metric_value FROM system.stats WHERE metric_name IN ('pid', 'websocket_sessions')"
    )
    expect(some.rows).toEqual([
      ['pid', String(s.pid)],
      ['websocket_sessions', '0']
    ])
  })
})
