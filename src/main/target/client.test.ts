import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type FakeKalam,
  fakeJwt,
  fixture,
  json,
  loginAnswer,
  startFake
} from '../../../test/fixtures/kalamdb/fake-server'
import { connectToFake, fakeKalamSlot } from '../../../test/helpers/fake-kalam'
import { connectKalam } from './client'
import type { KalamClient } from './types'

const ADMIN = { user: 'admin', password: 'kalamdb123' }

const kalam = fakeKalamSlot()

afterEach(() => {
  vi.useRealTimers()
})

function connectedTo(routes: Parameters<typeof startFake>[0] = {}): Promise<KalamClient> {
  return connectToFake(kalam, routes, ADMIN)
}

function paths(f: FakeKalam): string[] {
  return f.requests.map((r) => `${r.method} ${r.path}`)
}

describe('client', () => {
  describe('connectKalam', () => {
    it('checks the auth status, then logs in with the documented body', async () => {
      const c = await connectedTo()
      expect(paths(kalam.fake!)).toEqual(['GET /v1/api/auth/status', 'POST /v1/api/auth/login'])
      expect(JSON.parse(kalam.fake!.requests[1]!.body)).toEqual(
        JSON.parse(fixture('login-request.json'))
      )
      expect(c.user).toBe('admin')
      expect(c.role).toBe('dba')
      expect(c.url).toBe(kalam.fake!.url)
    })

    it('fails with SETUP_REQUIRED and a one-line hint when the server needs setup', async () => {
      kalam.fake = await startFake({
        'GET /v1/api/auth/status': () => json(fixture('auth-status-needs-setup.json'))
      })
      const err = await connectKalam({ url: kalam.fake.url, credentials: ADMIN }).catch(
        (e: unknown) => e
      )
      expect(err).toMatchObject({ code: 'SETUP_REQUIRED', httpStatus: 428 })
      expect((err as Error).message).toMatch(/^this server needs initial setup: rerun with --setup/)
      expect((err as Error).message).not.toContain('\n')
      expect(paths(kalam.fake)).toEqual(['GET /v1/api/auth/status'])
    })

    it('runs the setup with the documented body when asked, then logs in', async () => {
      kalam.fake = await startFake({
        'GET /v1/api/auth/status': () => json(fixture('auth-status-needs-setup.json')),
        'POST /v1/api/auth/setup': () => json(fixture('setup-response.json'))
      })
      kalam.client = await connectKalam({ url: kalam.fake.url, credentials: ADMIN, setup: true })
      expect(paths(kalam.fake)).toEqual([
        'GET /v1/api/auth/status',
        'POST /v1/api/auth/setup',
        'POST /v1/api/auth/login'
      ])
      expect(JSON.parse(kalam.fake.requests[1]!.body)).toEqual(
        JSON.parse(fixture('setup-request.json'))
      )
    })

    it('fails with SETUP_REQUIRED when login answers 428 setup_required', async () => {
      kalam.fake = await startFake({
        'POST /v1/api/auth/login': () => json(fixture('login-setup-required.json'), 428)
      })
      await expect(connectKalam({ url: kalam.fake.url, credentials: ADMIN })).rejects.toMatchObject(
        {
          code: 'SETUP_REQUIRED',
          serverCode: 'setup_required'
        }
      )
    })

    it('fails with AUTH_FAILED on a wrong password', async () => {
      kalam.fake = await startFake({
        'POST /v1/api/auth/login': () => json(fixture('login-unauthorized.json'), 401)
      })
      const err = await connectKalam({
        url: kalam.fake.url,
        credentials: { user: 'admin', password: 'nope' }
      }).catch((e: unknown) => e)
      expect(err).toMatchObject({
        code: 'AUTH_FAILED',
        httpStatus: 401,
        serverCode: 'unauthorized'
      })
      expect((err as Error).message).toContain('wrong user, password or token')
      expect((err as Error).message).not.toContain('nope')
    })

    it('fails with RATE_LIMITED when logins are rate limited', async () => {
      kalam.fake = await startFake({
        'POST /v1/api/auth/login': () => json(fixture('login-rate-limited.json'), 429)
      })
      await expect(connectKalam({ url: kalam.fake.url, credentials: ADMIN })).rejects.toMatchObject(
        {
          code: 'RATE_LIMITED'
        }
      )
    })

    it('fails with NOT_KALAMDB on a port serving some other HTTP server', async () => {
      kalam.fake = await startFake({
        'GET /v1/api/auth/status': () => ({
          status: 404,
          body: '<h1>Not Found</h1>',
          contentType: 'text/html'
        })
      })
      const err = await connectKalam({ url: kalam.fake.url, credentials: ADMIN }).catch(
        (e: unknown) => e
      )
      expect(err).toMatchObject({ code: 'NOT_KALAMDB', httpStatus: 404 })
      expect((err as Error).message).toContain('answered, but not like KalamDB')
    })

    it('fails with NOT_KALAMDB when the status answer is JSON of another shape', async () => {
      kalam.fake = await startFake({ 'GET /v1/api/auth/status': () => json('{"ok":true}') })
      await expect(connectKalam({ url: kalam.fake.url, credentials: ADMIN })).rejects.toMatchObject(
        {
          code: 'NOT_KALAMDB'
        }
      )
    })

    it('takes a user token as given, without logging in', async () => {
      kalam.fake = await startFake()
      const token = fakeJwt({ sub: 'alice', role: 'user', exp: Date.now() / 1000 + 3600 })
      kalam.client = await connectKalam({ url: kalam.fake.url, credentials: { token } })
      await kalam.client.sql('SELECT 1')
      expect(paths(kalam.fake)).toEqual(['GET /v1/api/auth/status', 'POST /v1/api/sql'])
      expect(kalam.fake.requests[1]!.headers.authorization).toBe(`Bearer ${token}`)
      expect(kalam.client.user).toBe('alice')
    })

    it('fails with TOKEN_EXPIRED at once for a user token whose exp has passed', async () => {
      kalam.fake = await startFake()
      const token = fakeJwt({ sub: 'alice', exp: Date.now() / 1000 - 60 })
      const err = await connectKalam({ url: kalam.fake.url, credentials: { token } }).catch(
        (e: unknown) => e
      )
      expect(err).toMatchObject({ code: 'TOKEN_EXPIRED' })
      expect((err as Error).message).toBe(`the token given for ${kalam.fake.url} has expired`)
      expect(paths(kalam.fake)).toEqual(['GET /v1/api/auth/status'])
    })

    it('fails with UNREACHABLE when nothing answers', async () => {
      kalam.fake = await startFake()
      const url = kalam.fake.url
      await kalam.fake.close()
      kalam.fake = null
      await expect(connectKalam({ url, credentials: ADMIN })).rejects.toMatchObject({
        code: 'UNREACHABLE'
      })
    })
  })

  describe('KalamClient.health', () => {
    it('reads the documented /health body', async () => {
      const c = await connectedTo()
      expect(await c.health()).toEqual({
        status: 'healthy',
        version: '0.4.3-rc.4',
        apiVersion: 'v1',
        buildDate: '<string>'
      })
    })
  })

  describe('KalamClient.sql', () => {
    it('sends {sql, params, namespace_id} with the Bearer token from login', async () => {
      const c = await connectedTo()
      await c.sql('INSERT INTO app.t (id, v) VALUES ($1, $2)', {
        params: [1, 'x'],
        namespace: 'app'
      })
      const req = kalam.fake!.requests.at(-1)!
      expect(JSON.parse(req.body)).toEqual(JSON.parse(fixture('sql-request.json')))
      expect(req.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    })

    it('omits params and namespace_id when not given', async () => {
      const c = await connectedTo()
      await c.sql('SELECT 1')
      expect(JSON.parse(kalam.fake!.requests.at(-1)!.body)).toEqual({ sql: 'SELECT 1' })
    })

    it('types the documented success envelope, keeping BIGINT cells as exact strings', async () => {
      const c = await connectedTo()
      const res = await c.sql('SELECT id, name FROM app.users')
      expect(res.tookMs).toBe(1.234)
      expect(res.elapsedMs).toBeGreaterThan(0)
      expect(res.results).toEqual([
        {
          schema: [
            { name: 'id', dataType: 'BigInt', index: 0, flags: ['pk', 'nn', 'uq'] },
            { name: 'name', dataType: 'Text', index: 1 }
          ],
          rows: [
            ['1', 'Alice'],
            ['2', 'Bob']
          ],
          rowCount: 2,
          asUser: 'admin'
        }
      ])
    })

    it('accepts the normal envelope without top-level error, schema or rows', async () => {
      const c = await connectedTo({
        'POST /v1/api/sql': () =>
          json(
            '{"status":"success","results":[{"row_count":2,"message":"Inserted 2 row(s)","as_user":"admin"}],"took":0.5}'
          )
      })
      const res = await c.sql("INSERT INTO app.msgs (id, body) VALUES (1, 'a'), (2, 'b')")
      expect(res.results[0]).toEqual({
        schema: [],
        rows: [],
        rowCount: 2,
        message: 'Inserted 2 row(s)',
        asUser: 'admin'
      })
    })

    it('keeps an integer cell beyond 2^53 exact even when sent as a JSON number', async () => {
      const c = await connectedTo({
        'POST /v1/api/sql': () =>
          json(
            '{"status":"success","results":[{"schema":[{"name":"n","data_type":"BigInt","index":0}],"rows":[[9007199254740993,1.5]],"row_count":1,"as_user":"admin"}],"took":0.1,"error":null}'
          )
      })
      const res = await c.sql('SELECT n FROM app.t')
      expect(res.results[0]!.rows[0]).toEqual(['9007199254740993', 1.5])
    })

    it('throws the error envelope as SERVER_ERROR with HTTP status and error.code', async () => {
      const c = await connectedTo({
        'POST /v1/api/sql': () => json(fixture('sql-error.json'), 400)
      })
      const err = await c.sql('SELEC 1').catch((e: unknown) => e)
      expect(err).toMatchObject({
        code: 'SERVER_ERROR',
        httpStatus: 400,
        serverCode: 'SQL_EXECUTION_ERROR'
      })
      expect((err as Error).message).toBe(
        'SQL failed (400 SQL_EXECUTION_ERROR: Statement 1 failed: …)'
      )
    })

    it('throws PROTOCOL for malformed JSON from the server', async () => {
      const c = await connectedTo({
        'POST /v1/api/sql': () => json('{"status":"success","results":[')
      })
      await expect(c.sql('SELECT 1')).rejects.toMatchObject({ code: 'PROTOCOL', httpStatus: 200 })
    })

    it('throws AUTH_FAILED for a token the server does not accept', async () => {
      const c = await connectedTo({
        'POST /v1/api/sql': () => json(fixture('sql-invalid-credentials.json'), 401)
      })
      await expect(c.sql('SELECT 1')).rejects.toMatchObject({
        code: 'AUTH_FAILED',
        serverCode: 'INVALID_CREDENTIALS'
      })
    })

    it('throws SETUP_REQUIRED when the SQL endpoint says so', async () => {
      const c = await connectedTo({
        'POST /v1/api/sql': () => json(fixture('sql-setup-required.json'), 428)
      })
      await expect(c.sql('SELECT 1')).rejects.toMatchObject({ code: 'SETUP_REQUIRED' })
    })

    it('logs in again and retries once when the server says TOKEN_EXPIRED', async () => {
      let calls = 0
      const c = await connectedTo({
        'POST /v1/api/sql': () =>
          ++calls === 1
            ? json(fixture('sql-token-expired.json'), 401)
            : json(fixture('sql-success.json')),
        'POST /v1/api/auth/refresh': () => loginAnswer({ token: fakeJwt({ sub: 'admin', n: 2 }) })
      })
      const res = await c.sql('SELECT 1')
      expect(res.results[0]!.rowCount).toBe(2)
      expect(paths(kalam.fake!).slice(2)).toEqual([
        'POST /v1/api/sql',
        'POST /v1/api/auth/refresh',
        'POST /v1/api/sql'
      ])
      expect(kalam.fake!.requests.at(-2)!.headers.authorization).toBe('Bearer refresh-token')
      expect(kalam.fake!.requests.at(-1)!.headers.authorization).toBe(
        `Bearer ${fakeJwt({ sub: 'admin', n: 2 })}`
      )
    })

    it('throws TOKEN_EXPIRED with a clear message for an expired user token', async () => {
      kalam.fake = await startFake({
        'POST /v1/api/sql': () => json(fixture('sql-token-expired.json'), 401)
      })
      kalam.client = await connectKalam({
        url: kalam.fake.url,
        credentials: { token: 'opaque-token' }
      })
      const err = await kalam.client.sql('SELECT 1').catch((e: unknown) => e)
      expect(err).toMatchObject({
        code: 'TOKEN_EXPIRED',
        httpStatus: 401,
        serverCode: 'TOKEN_EXPIRED'
      })
      expect((err as Error).message).toBe(`the token given for ${kalam.fake.url} has expired`)
    })

    it('refreshes the access token before it expires', async () => {
      const c = await connectedTo({
        'POST /v1/api/auth/refresh': () => loginAnswer({ token: fakeJwt({ sub: 'admin', n: 3 }) })
      })
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + 3_600_000 - 1000)
      await c.sql('SELECT 1')
      expect(paths(kalam.fake!).slice(2)).toEqual(['POST /v1/api/auth/refresh', 'POST /v1/api/sql'])
      expect(kalam.fake!.requests.at(-1)!.headers.authorization).toBe(
        `Bearer ${fakeJwt({ sub: 'admin', n: 3 })}`
      )
    })

    it('logs in again when the refresh is refused', async () => {
      const c = await connectedTo({
        'POST /v1/api/auth/refresh': () => json(fixture('login-unauthorized.json'), 401)
      })
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + 3_600_000 + 1000)
      await c.sql('SELECT 1')
      expect(paths(kalam.fake!).slice(2)).toEqual([
        'POST /v1/api/auth/refresh',
        'POST /v1/api/auth/login',
        'POST /v1/api/sql'
      ])
    })
  })

  describe('KalamClient.trySql', () => {
    it('counts a storm of 429 RATE_LIMIT_EXCEEDED as outcomes, never throwing', async () => {
      let n = 0
      const c = await connectedTo({
        'POST /v1/api/sql': () =>
          ++n % 5 === 0
            ? json(fixture('sql-success.json'))
            : json(fixture('sql-rate-limited.json'), 429)
      })
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => c.trySql('SELECT 1')))
      const limited = outcomes.filter((o) => !o.ok && o.error.code === 'RATE_LIMITED')
      expect(limited).toHaveLength(40)
      expect(outcomes.filter((o) => o.ok)).toHaveLength(10)
      const first = limited[0]!
      expect(!first.ok && first.error).toMatchObject({
        httpStatus: 429,
        serverCode: 'RATE_LIMIT_EXCEEDED'
      })
    })

    it('reads the per-IP middleware 429 shape as RATE_LIMITED too', async () => {
      const c = await connectedTo({
        'POST /v1/api/sql': () => json(fixture('rate-limit-per-ip.json'), 429)
      })
      const o = await c.trySql('SELECT 1')
      expect(o).toMatchObject({
        ok: false,
        error: { code: 'RATE_LIMITED', serverCode: 'RATE_LIMIT_EXCEEDED' }
      })
    })

    it('returns SQL errors and protocol errors as outcomes', async () => {
      let n = 0
      const c = await connectedTo({
        'POST /v1/api/sql': () =>
          ++n === 1 ? json(fixture('sql-error.json'), 400) : json('not json at all')
      })
      expect(await c.trySql('x')).toMatchObject({ ok: false, error: { code: 'SERVER_ERROR' } })
      expect(await c.trySql('x')).toMatchObject({ ok: false, error: { code: 'PROTOCOL' } })
    })

    it('renews the token and retries once on TOKEN_EXPIRED, as one outcome', async () => {
      let calls = 0
      const c = await connectedTo({
        'POST /v1/api/sql': () =>
          ++calls === 1
            ? json(fixture('sql-token-expired.json'), 401)
            : json(fixture('sql-success.json')),
        'POST /v1/api/auth/refresh': () => loginAnswer({ token: fakeJwt({ sub: 'admin', n: 3 }) })
      })
      expect(await c.trySql('SELECT 1')).toMatchObject({ ok: true })
      expect(paths(kalam.fake!).slice(2)).toEqual([
        'POST /v1/api/sql',
        'POST /v1/api/auth/refresh',
        'POST /v1/api/sql'
      ])
    })

    it('returns TIMEOUT and UNREACHABLE as outcomes', async () => {
      kalam.fake = await startFake({ 'POST /v1/api/sql': () => new Promise(() => undefined) })
      kalam.client = await connectKalam({ url: kalam.fake.url, credentials: ADMIN, timeoutMs: 200 })
      expect(await kalam.client.trySql('SELECT 1')).toMatchObject({
        ok: false,
        error: { code: 'TIMEOUT' }
      })
      await kalam.fake.close()
      kalam.fake = null
      expect(await kalam.client.trySql('SELECT 1')).toMatchObject({
        ok: false,
        error: { code: 'UNREACHABLE' }
      })
    })

    it('throws CANCELLED when the caller aborts', async () => {
      const c = await connectedTo({ 'POST /v1/api/sql': () => new Promise(() => undefined) })
      const ac = new AbortController()
      const p = c.trySql('SELECT 1', { signal: ac.signal })
      ac.abort()
      await expect(p).rejects.toMatchObject({ code: 'CANCELLED' })
    })
  })
})
