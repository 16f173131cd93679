/**
 * The HTTP side of the client: one keep-alive agent with a bounded number of sockets, so a
 * workload of thousands of SQL requests per second reuses a few TCP connections instead of
 * opening one per request (which would itself show up in the server's socket and memory
 * figures). Node's own Agent is enough here: requests are small JSON bodies.
 */
import http from 'node:http'
import https from 'node:https'
import { performance } from 'node:perf_hooks'
import { KalamClientError, networkError } from './errors'
import { parseJsonExact } from './json'

export const DEFAULT_MAX_SOCKETS = 16
export const DEFAULT_TIMEOUT_MS = 30_000

export interface HttpRequest {
  method: 'GET' | 'POST'
  path: string
  /** Serialized as JSON with Content-Type application/json. */
  body?: unknown
  bearer?: string
  timeoutMs?: number
  signal?: AbortSignal
  /** Names the request in error messages ("SQL", "login" …). */
  context: string
}

export interface HttpResponse {
  status: number
  contentType: string
  text: string
  /** Client-side round trip. */
  elapsedMs: number
}

export interface HttpPoolOptions {
  maxSockets?: number
  timeoutMs?: number
}

export class HttpPool {
  readonly baseUrl: string
  private readonly agent: http.Agent
  private readonly lib: typeof http | typeof https
  private readonly timeoutMs: number
  private closed = false

  constructor(baseUrl: string, options: HttpPoolOptions = {}) {
    const u = new URL(baseUrl)
    this.baseUrl = u.origin
    this.lib = u.protocol === 'https:' ? https : http
    const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS
    const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets }
    this.agent =
      u.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions)
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    if (this.closed) {
      return Promise.reject(new KalamClientError('CANCELLED', `${req.context}: client is closed`))
    }
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body))
    const headers: Record<string, string | number> = { Accept: 'application/json' }
    if (payload) {
      headers['Content-Type'] = 'application/json'
      headers['Content-Length'] = payload.length
    }
    if (req.bearer !== undefined) headers.Authorization = `Bearer ${req.bearer}`
    return this.send(req, payload, headers, false)
  }

  private send(
    req: HttpRequest,
    payload: Buffer | undefined,
    headers: Record<string, string | number>,
    retry: boolean
  ): Promise<HttpResponse> {
    const timeoutMs = req.timeoutMs ?? this.timeoutMs
    const url = this.baseUrl
    return new Promise<HttpResponse>((resolve, reject) => {
      const started = performance.now()
      let settled = false
      const finish = (error: KalamClientError | null, res?: HttpResponse): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        req.signal?.removeEventListener('abort', onAbort)
        if (error) reject(error)
        else resolve(res as HttpResponse)
      }
      const outgoing = this.lib.request(
        `${url}${req.path}`,
        { method: req.method, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (e) => finish(networkError(e, url, req.context)))
          res.on('end', () =>
            finish(null, {
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              text: Buffer.concat(chunks).toString('utf8'),
              elapsedMs: performance.now() - started
            })
          )
        }
      )
      outgoing.on('error', (e) => {
        // A socket that broke mid-parse must not go back to the pool.
        outgoing.destroy()
        const code = (e as { code?: string }).code
        if (
          !retry &&
          !settled &&
          outgoing.reusedSocket &&
          (code === 'ECONNRESET' || code === 'EPIPE')
        ) {
          // The server closed an idle pooled socket just as we reused it: the request never
          // reached it, so sending it again on a fresh socket is safe (Node's documented pattern).
          settled = true
          clearTimeout(timer)
          req.signal?.removeEventListener('abort', onAbort)
          resolve(this.send(req, payload, headers, true))
          return
        }
        finish(networkError(e, url, req.context))
      })
      const timer = setTimeout(() => {
        outgoing.destroy()
        finish(
          new KalamClientError(
            'TIMEOUT',
            `${req.context}: no answer from ${url} within ${timeoutMs} ms`
          )
        )
      }, timeoutMs)
      const onAbort = (): void => {
        outgoing.destroy()
        finish(new KalamClientError('CANCELLED', `${req.context}: cancelled`))
      }
      if (req.signal?.aborted) {
        onAbort()
        return
      }
      req.signal?.addEventListener('abort', onAbort, { once: true })
      outgoing.end(payload)
    })
  }

  /** Drops every pooled socket; later requests fail with CANCELLED. */
  close(): void {
    this.closed = true
    this.agent.destroy()
  }
}

/**
 * The JSON body of an answer. Malformed JSON is a PROTOCOL error when the server said it
 * was JSON (or answered 2xx); anything else that is not JSON means the URL is not KalamDB
 * (an HTML 404, a proxy's error page).
 */
export function parseBody(res: HttpResponse, context: string, url: string): unknown {
  try {
    return parseJsonExact(res.text)
  } catch (e) {
    const claimsJson = res.contentType.includes('json')
    const snippet = res.text.slice(0, 60).replace(/\s+/g, ' ')
    if (claimsJson || (res.status >= 200 && res.status < 300)) {
      throw new KalamClientError(
        'PROTOCOL',
        `${context}: the server at ${url} sent malformed JSON (HTTP ${res.status}: "${snippet}")`,
        { httpStatus: res.status, cause: e }
      )
    }
    throw notKalamDb(res, context, url)
  }
}

export function notKalamDb(res: HttpResponse, context: string, url: string): KalamClientError {
  const type = res.contentType ? `, ${res.contentType.split(';')[0]}` : ''
  return new KalamClientError(
    'NOT_KALAMDB',
    `${context}: ${url} answered, but not like KalamDB (HTTP ${res.status}${type})`,
    {
      httpStatus: res.status,
      hint: 'check the port: KalamDB serves /health and /v1/api/* (default 8080); `kalam-profiler targets` lists local servers'
    }
  )
}
