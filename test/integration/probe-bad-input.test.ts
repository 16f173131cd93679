/**
 * `probe` in-process against servers that are not a healthy KalamDB: each failure it cannot
 * continue past is exit 2 with one clear `error:` line, and the steps before it still print.
 */
import { createServer, type AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { type FakeKalam, fixture, json, startFake } from '../fixtures/kalamdb/fake-server'

const AUTH = ['--user', 'admin', '--password', 'kalamdb123']

let fake: FakeKalam | null = null

afterEach(async () => {
  await fake?.close()
  fake = null
})

async function probe(args: string[], env: Record<string, string> = {}) {
  const ctx = memoryContext({ env })
  const code = await runCli(['probe', ...args], ctx)
  return { code, out: ctx.out(), err: ctx.err() }
}

function errorLine(err: string): string {
  const lines = err.split('\n').filter((l) => l.startsWith('error: '))
  expect(lines).toHaveLength(1)
  return lines[0] as string
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe('probe (bad input)', () => {
  it('exits 2 with one line when nothing listens at the URL', async () => {
    const port = await freePort()
    const r = await probe(['--url', `http://127.0.0.1:${port}`, ...AUTH])
    expect(r.code).toBe(2)
    expect(errorLine(r.err)).toBe(
      `error: health check: cannot reach http://127.0.0.1:${port} (connection refused)`
    )
    expect(r.out).toMatch(/FAIL {2}health/)
  })

  it('exits 2 when the port serves some other HTTP server', async () => {
    fake = await startFake({
      'GET /health': () => ({ status: 404, body: '<h1>nginx</h1>', contentType: 'text/html' })
    })
    const r = await probe(['--url', fake.url, ...AUTH])
    expect(r.code).toBe(2)
    expect(errorLine(r.err)).toBe(
      `error: health check: ${fake.url} answered, but not like KalamDB (HTTP 404, text/html)`
    )
  })

  it('exits 2 and says to rerun with --setup when the server needs setup', async () => {
    fake = await startFake({
      'GET /v1/api/auth/status': () => json(fixture('auth-status-needs-setup.json'))
    })
    const r = await probe(['--url', fake.url, ...AUTH])
    expect(r.code).toBe(2)
    expect(errorLine(r.err)).toMatch(/^error: this server needs initial setup: rerun with --setup/)
    expect(r.out).toMatch(/pass {2}auth status .* needs initial setup/)
    expect(fake.requests.map((q) => q.path)).not.toContain('/v1/api/auth/setup')
  })

  it('exits 2 on a wrong password, without printing it', async () => {
    fake = await startFake({
      'POST /v1/api/auth/login': () => json(fixture('login-unauthorized.json'), 401)
    })
    const r = await probe(['--url', fake.url, '--user', 'admin', '--password', 'wrong-pw-123'])
    expect(r.code).toBe(2)
    expect(errorLine(r.err)).toContain('login: wrong user, password or token')
    expect(r.out + r.err).not.toContain('wrong-pw-123')
  })

  it('exits 2 for an expired token before sending it anywhere', async () => {
    fake = await startFake()
    const claims = Buffer.from(JSON.stringify({ sub: 'a', exp: 1 })).toString('base64url')
    const r = await probe(['--url', fake.url, '--token', `eyJhbGciOiJIUzI1NiJ9.${claims}.sig`])
    expect(r.code).toBe(2)
    expect(errorLine(r.err)).toBe(`error: the token given for ${fake.url} has expired`)
    expect(fake.requests.every((q) => q.headers.authorization === undefined)).toBe(true)
  })

  it('exits 2 with a JSON report of the steps when --json is given', async () => {
    fake = await startFake({
      'POST /v1/api/auth/login': () => json(fixture('login-unauthorized.json'), 401)
    })
    const r = await probe(['--url', fake.url, ...AUTH, '--json'])
    expect(r.code).toBe(2)
    const report = JSON.parse(r.out) as { ok: boolean; steps: { name: string; status: string }[] }
    expect(report.ok).toBe(false)
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['health', 'pass'],
      ['auth status', 'pass'],
      ['login', 'fail']
    ])
  })

  it('exits 2 when no credentials are given', async () => {
    const r = await probe(['--url', 'http://127.0.0.1:1'])
    expect(r.code).toBe(2)
    expect(errorLine(r.err)).toMatch(
      /^error: no credentials: pass --user and --password, or --token/
    )
  })

  it('exits 2 on a malformed URL', async () => {
    const r = await probe(['--url', 'localhost:8080', ...AUTH])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/--url: invalid URL 'localhost:8080'|only http:\/\/ and https:\/\//)
  })
})
