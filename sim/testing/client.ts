/**
 * A deliberately small HTTP + WebSocket client for the simulator's own tests (the product's
 * client lives in src/main/target and must not be imported here). Frames are decoded the way
 * PROTOCOL.md §6.5 says a client must: text JSON or gzip'd binary JSON, numbers above 2^53
 * kept exact (as bigint).
 */
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { parse as parseLossless } from 'lossless-json'
import WebSocket from 'ws'

/** Decoded JSON of tests: shapes are asserted by the tests, not by types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any

export interface HttpResult {
  status: number
  headers: Headers
  text: string
  /** Parsed body, or undefined when it is not JSON. */
  json: Loose
}

export async function request(
  url: string,
  method: string,
  path: string,
  options: {
    body?: unknown
    rawBody?: string
    headers?: Record<string, string>
    token?: string
  } = {}
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: string | undefined
  if (options.rawBody !== undefined) body = options.rawBody
  else if (options.body !== undefined) body = JSON.stringify(options.body)
  if (body !== undefined) headers['content-type'] ??= 'application/json'
  const res = await fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

export async function login(url: string, user: string, password: string): Promise<string> {
  const r = await request(url, 'POST', '/v1/api/auth/login', { body: { user, password } })
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`)
  return r.json.access_token as string
}

export function sql(
  url: string,
  token: string,
  text: string,
  params?: unknown[],
  namespace?: string
): Promise<HttpResult> {
  return request(url, 'POST', '/v1/api/sql', {
    token,
    body: {
      sql: text,
      ...(params ? { params } : {}),
      ...(namespace ? { namespace_id: namespace } : {})
    }
  })
}

/** SQL that must succeed; returns the results array. */
export async function sqlOk(
  url: string,
  token: string,
  text: string,
  params?: unknown[]
): Promise<Loose[]> {
  const r = await sql(url, token, text, params)
  if (r.status !== 200) throw new Error(`${text} → ${r.status} ${r.text}`)
  return r.json.results
}

export interface Frame {
  /** Decoded message; numbers above 2^53 are bigint. */
  msg: Loose
  binary: boolean
  raw: string
}

export function decodeFrame(data: Buffer, isBinary: boolean): Frame {
  const raw = isBinary ? gunzipSync(data).toString('utf8') : data.toString('utf8')
  const msg = parseLossless(raw, undefined, (n: string) => {
    const v = Number(n)
    return /^-?\d+$/.test(n) && !Number.isSafeInteger(v) ? BigInt(n) : v
  })
  return { msg, binary: isBinary, raw }
}

export class TestSocket {
  readonly frames: Frame[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = []
  private cursor = 0

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const f = decodeFrame(data, isBinary)
      this.frames.push(f)
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(f)) return true
        w.resolve(f)
        return false
      })
    })
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    )
  }

  /** Opens /v1/ws; with `token` and `header: true` authenticates by header. */
  static async open(
    url: string,
    options: { token?: string; header?: boolean; query?: string } = {}
  ): Promise<TestSocket> {
    const wsUrl = `${url.replace(/^http/, 'ws')}/v1/ws${options.query ? `?${options.query}` : ''}`
    const headers: Record<string, string> = {}
    if (options.header && options.token) headers.authorization = `Bearer ${options.token}`
    const ws = new WebSocket(wsUrl, { headers })
    const s = new TestSocket(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return s
  }

  /** Opens and authenticates with the first-message `authenticate` frame. */
  static async authenticated(url: string, token: string, query?: string): Promise<TestSocket> {
    const s = await TestSocket.open(url, query ? { query } : {})
    s.send({
      type: 'authenticate',
      method: 'jwt',
      token,
      protocol: { serialization: 'json', compression: 'gzip' }
    })
    const f = await s.next((x) => x.msg.type === 'auth_success' || x.msg.type === 'auth_error')
    if (f.msg.type !== 'auth_success') throw new Error(`auth failed: ${f.raw}`)
    return s
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg))
  }

  /** The next frame (after the ones already returned) matching `pred`, within `timeoutMs`. */
  next(pred: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    for (; this.cursor < this.frames.length; this.cursor++) {
      const f = this.frames[this.cursor]!
      if (pred(f)) {
        this.cursor++
        return Promise.resolve(f)
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching frame within ${timeoutMs} ms; got ${this.frames.map((f) => f.raw.slice(0, 200)).join('\n')}`
            )
          ),
        timeoutMs
      )
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer)
          this.cursor = this.frames.length
          resolve(f)
        }
      })
    })
  }

  /** Frames of one subscription's `change` messages received so far. */
  changes(subscriptionId: string): Frame[] {
    return this.frames.filter(
      (f) => f.msg.type === 'change' && f.msg.subscription_id === subscriptionId
    )
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return
    this.ws.close(1000)
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 2000))])
    this.ws.terminate()
  }
}

/** Waits until `check` returns true, polling every `everyMs`, at most `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  everyMs = 20
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** Resident anonymous memory of a process (RssAnon from /proc/PID/status), bytes. */
export function rssAnon(pid: number): number {
  const m = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!m) throw new Error(`no RssAnon for pid ${pid}`)
  return Number(m[1]) * 1024
}
