import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { partialHandlers, type ApiHandlers } from '../api'
import { EventHub } from '../events'
import { startBridge, type RunningBridge } from './server'

const TOKEN = 'test-token-0123456789abcdef'

const INFO = {
  version: '9.9.9',
  transport: 'web',
  platform: 'linux',
  sessionsDir: '/s',
  sessionDirs: ['/s'],
  capabilities: { saveCredentials: false, saveDialog: false }
} as const

function handlers(): ApiHandlers {
  return partialHandlers({
    'app:info': async () => ({ ...INFO, sessionDirs: [...INFO.sessionDirs] }),
    'targets:list': async () => []
  })
}

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {}
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = ''
        res.on('data', (d: Buffer) => (body += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      }
    )
    req.on('error', reject)
    req.end()
  })
}

function openSocket(port: number, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) =>
    ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>))
  )
}

describe('bridge', () => {
  let bridge: RunningBridge
  let events: EventHub
  let dir: string
  const cookie = `kp-token=${TOKEN}`

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kp-renderer-'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>KalamDB Profiler</title>')
    events = new EventHub()
    bridge = await startBridge({
      port: 0,
      rendererDir: dir,
      handlers: handlers(),
      events,
      token: TOKEN
    })
  })
  afterEach(async () => {
    await bridge.close()
    rmSync(dir, { recursive: true, force: true })
  })

  describe('http', () => {
    it('listens on loopback and prints a URL that carries the token', () => {
      expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/?token=${TOKEN}`)
    })

    it('refuses the page without the token', async () => {
      const r = await get(bridge.port, '/')
      expect(r.status).toBe(401)
      expect(r.body).not.toContain('KalamDB Profiler</title>')
    })

    it('trades the URL token for an HttpOnly SameSite cookie and drops it from the address', async () => {
      const r = await get(bridge.port, `/?token=${TOKEN}`)
      expect(r.status).toBe(302)
      expect(r.headers.location).toBe('/')
      expect(String(r.headers['set-cookie'])).toMatch(/kp-token=.*HttpOnly; SameSite=Strict/)
    })

    it('serves the UI with a strict CSP once the cookie is there', async () => {
      const r = await get(bridge.port, '/', { cookie })
      expect(r.status).toBe(200)
      expect(r.body).toContain('KalamDB Profiler')
      expect(String(r.headers['content-security-policy'])).toContain("default-src 'self'")
    })

    it('refuses a wrong token and a foreign Host header (DNS rebinding)', async () => {
      expect((await get(bridge.port, '/', { cookie: 'kp-token=nope' })).status).toBe(401)
      expect((await get(bridge.port, '/', { cookie, host: 'evil.example:80' })).status).toBe(403)
    })

    it('never serves a file outside the renderer folder', async () => {
      const r = await get(bridge.port, '/..%2f..%2f..%2fetc%2fpasswd', { cookie })
      expect(r.body).not.toMatch(/root:/)
    })
  })

  describe('websocket api', () => {
    it('refuses an upgrade without the token or from another origin', async () => {
      await expect(openSocket(bridge.port, {})).rejects.toThrow(/401/)
      await expect(
        openSocket(bridge.port, { cookie, origin: 'http://evil.example' })
      ).rejects.toThrow(/401/)
    })

    it('answers a call through the handler table', async () => {
      const ws = await openSocket(bridge.port, {
        cookie,
        origin: `http://127.0.0.1:${bridge.port}`
      })
      ws.send(JSON.stringify({ kind: 'call', id: 7, name: 'app:info', payload: {} }))
      const m = await nextMessage(ws)
      expect(m).toEqual({
        kind: 'result',
        id: 7,
        result: { ok: true, value: INFO }
      })
      ws.close()
    })

    it('rejects unknown calls, malformed payloads and non-bridge messages without running anything', async () => {
      const ws = await openSocket(bridge.port, { cookie })
      ws.send(JSON.stringify({ kind: 'call', id: 1, name: 'fs:rm', payload: {} }))
      expect(await nextMessage(ws)).toMatchObject({
        id: 1,
        result: { ok: false, error: { code: 'BAD_INPUT' } }
      })
      ws.send(
        JSON.stringify({ kind: 'call', id: 2, name: 'targets:list', payload: { all: 'yes' } })
      )
      expect(await nextMessage(ws)).toMatchObject({
        id: 2,
        result: { ok: false, error: { code: 'BAD_INPUT' } }
      })
      ws.send('not json at all')
      expect(await nextMessage(ws)).toEqual({
        kind: 'error',
        message: 'rejected: not a bridge message'
      })
      ws.close()
    })

    it('streams events to listeners and stops after unlisten', async () => {
      const ws = await openSocket(bridge.port, { cookie })
      ws.send(JSON.stringify({ kind: 'listen', name: 'onReady' }))
      await new Promise((r) => setTimeout(r, 50))
      const got = nextMessage(ws)
      events.emit('onReady', { t: 42 })
      expect(await got).toEqual({ kind: 'event', name: 'onReady', payload: { t: 42 } })
      ws.send(JSON.stringify({ kind: 'listen', name: 'onNothing' }))
      expect(await nextMessage(ws)).toEqual({
        kind: 'error',
        message: "rejected: unknown event 'onNothing'"
      })
      ws.close()
    })
  })
})
