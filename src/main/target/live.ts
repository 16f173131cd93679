/**
 * One live-query WebSocket to `/v1/ws` (PROTOCOL.md §6). Authenticates with the Bearer header
 * (the server answers `auth_success` first), falling back to the first-message `authenticate`
 * frame when nothing comes; pings with `{"type":"ping"}` because the server never pings and
 * drops sockets silent for 10 s; pages the initial load with `next_batch`, echoing
 * `last_seq_id` digit for digit; reports every close with code, reason and whether we asked.
 */
import type { ClientRequest, IncomingMessage } from 'node:http'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import type {
  KalamError,
  LiveChange,
  LiveConnection,
  LiveHandlers,
  LiveOptions,
  SubscribeOptions,
  SubscriptionAck
} from './types'
import { KalamClientError, networkError } from './errors'
import {
  PING_FRAME,
  type ServerFrame,
  authenticateFrame,
  decodeFrame,
  nextBatchFrame,
  subscribeFrame,
  unsubscribeFrame
} from './frames'
import { exactInteger } from './json'
import { parseColumn } from './sql'

export const DEFAULT_PING_INTERVAL_MS = 4000
export const DEFAULT_LIVE_TIMEOUT_MS = 15_000
/** How long to wait for `auth_success` after header auth before sending `authenticate`. */
const HEADER_AUTH_WAIT_MS = 1500
/** A close handshake that takes longer than this is cut with terminate(). */
const CLOSE_GRACE_MS = 3000

/** ws://host:port/v1/ws from the HTTP base URL. */
export function liveUrl(baseUrl: string, compress = true): string {
  const u = new URL('/v1/ws', baseUrl)
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:'
  if (!compress) u.searchParams.set('compress', 'false')
  return u.toString()
}

interface PendingSubscribe {
  id: string
  noInitialData: boolean
  ack: SubscriptionAck | null
  resolve(ack: SubscriptionAck): void
  reject(e: KalamClientError): void
  timer: NodeJS.Timeout
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function objectRows(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isObject) : []
}

function batchControl(frame: ServerFrame): { hasMore: boolean; lastSeqId: string | null } {
  const bc = isObject(frame.batch_control) ? frame.batch_control : {}
  return { hasMore: bc.has_more === true, lastSeqId: exactInteger(bc.last_seq_id) }
}

function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback
}

/** The error a server `error` frame means for the subscribe it answers. */
function subscribeError(frame: ServerFrame, id: string): KalamClientError {
  const code = str(frame.code, 'UNKNOWN')
  const message = str(frame.message, '(no message)')
  return new KalamClientError(
    code === 'RATE_LIMIT_EXCEEDED' ? 'RATE_LIMITED' : 'SERVER_ERROR',
    `subscribe '${id}' refused by the server (${code}: ${message})`,
    { serverCode: code }
  )
}

export class LiveSocket implements LiveConnection {
  framesReceived = 0
  protocolErrors = 0
  user: string | null = null
  role: string | null = null
  private closing = false
  private closed = false
  private readonly pending = new Map<string, PendingSubscribe>()
  private pingTimer: NodeJS.Timeout | null = null
  private readonly closedPromise: Promise<void>
  private rateLimitedRecently = false

  private constructor(
    private readonly ws: WebSocket,
    private readonly handlers: LiveHandlers,
    private readonly timeoutMs: number
  ) {
    this.closedPromise = new Promise((resolve) => ws.once('close', () => resolve()))
    // ws throws on an 'error' without listeners; errors are reported through 'close' or connect.
    ws.on('error', () => undefined)
  }

  get open(): boolean {
    return !this.closed && !this.closing && this.ws.readyState === WebSocket.OPEN
  }

  /** Connects and authenticates; resolves once the server said `auth_success`. */
  static connect(
    baseUrl: string,
    token: string,
    handlers: LiveHandlers = {},
    options: LiveOptions & { signal?: AbortSignal } = {}
  ): Promise<LiveSocket> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_LIVE_TIMEOUT_MS
    const url = liveUrl(baseUrl, options.compress ?? true)
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs
    })
    const socket = new LiveSocket(ws, handlers, timeoutMs)
    return new Promise<LiveSocket>((resolve, reject) => {
      let settled = false
      let fallbackTimer: NodeJS.Timeout | null = null
      const fail = (e: KalamClientError): void => {
        if (settled) return
        settled = true
        cleanup()
        socket.closing = true
        ws.terminate()
        reject(e)
      }
      const cleanup = (): void => {
        clearTimeout(deadline)
        if (fallbackTimer) clearTimeout(fallbackTimer)
        options.signal?.removeEventListener('abort', onAbort)
        ws.off('message', onFirst)
        ws.off('close', onEarlyClose)
        ws.off('error', onEarlyError)
        ws.off('unexpected-response', onUpgradeRefused)
      }
      const deadline = setTimeout(
        () =>
          fail(
            new KalamClientError(
              'TIMEOUT',
              `WebSocket: no auth_success from ${url} within ${timeoutMs} ms`
            )
          ),
        timeoutMs
      )
      const onAbort = (): void => fail(new KalamClientError('CANCELLED', 'WebSocket: cancelled'))
      const onEarlyError = (e: Error): void => fail(networkError(e, url, 'WebSocket'))
      const onUpgradeRefused = (req: ClientRequest, res: IncomingMessage): void => {
        const status = res.statusCode ?? 0
        res.resume()
        req.destroy()
        const code =
          status === 401 || status === 403
            ? 'AUTH_FAILED'
            : status === 404
              ? 'NOT_KALAMDB'
              : 'SERVER_ERROR'
        const why =
          status === 503
            ? 'the server is shutting down or at its connection limit'
            : status === 404
              ? `${url} is not a KalamDB WebSocket endpoint`
              : 'upgrade refused'
        fail(
          new KalamClientError(code, `WebSocket: ${why} (HTTP ${status})`, { httpStatus: status })
        )
      }
      const onEarlyClose = (code: number, reason: Buffer): void => {
        const text = reason.toString('utf8')
        fail(
          new KalamClientError(
            code === 1008 ? 'AUTH_FAILED' : 'DISCONNECTED',
            code === 1008
              ? `WebSocket: authentication failed at ${url} (close 1008 '${text}')`
              : `WebSocket: closed by the server before authentication (close ${code} '${text}')`
          )
        )
      }
      const onFirst = (data: WebSocket.RawData, isBinary: boolean): void => {
        socket.framesReceived++
        const decoded = decodeFrame(data, isBinary)
        if (!decoded.ok) {
          socket.protocolErrors++
          fail(decoded.error)
          return
        }
        const frame = decoded.frame
        if (frame.type === 'auth_success') {
          settled = true
          cleanup()
          socket.user = str(frame.user, '') || null
          socket.role = str(frame.role, '') || null
          socket.start(options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS)
          resolve(socket)
        } else if (frame.type === 'auth_error') {
          fail(
            new KalamClientError(
              'AUTH_FAILED',
              `WebSocket: authentication refused by ${url} (${str(frame.message, 'auth_error')})`,
              { serverCode: 'auth_error' }
            )
          )
        } else {
          fail(
            new KalamClientError(
              'PROTOCOL',
              `WebSocket: expected auth_success first, got '${frame.type}'`
            )
          )
        }
      }
      if (options.signal?.aborted) return onAbort()
      options.signal?.addEventListener('abort', onAbort, { once: true })
      ws.on('error', onEarlyError)
      ws.on('unexpected-response', onUpgradeRefused)
      ws.on('close', onEarlyClose)
      ws.on('message', onFirst)
      ws.once('open', () => {
        // Servers before header auth (§10, 2026-03-30) wait for the authenticate frame.
        fallbackTimer = setTimeout(
          () => {
            if (!settled && ws.readyState === WebSocket.OPEN) ws.send(authenticateFrame(token))
          },
          Math.min(HEADER_AUTH_WAIT_MS, timeoutMs / 2)
        )
      })
    })
  }

  private start(pingIntervalMs: number): void {
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary))
    this.ws.on('close', (code, reason) => this.onClose(code, reason.toString('utf8')))
    this.pingTimer = setInterval(() => this.send(PING_FRAME), pingIntervalMs)
    this.pingTimer.unref()
  }

  private send(text: string): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false
    this.ws.send(text)
    return true
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    this.framesReceived++
    const decoded = decodeFrame(data, isBinary)
    if (!decoded.ok) {
      this.protocolErrors++
      this.handlers.onProtocolError?.(decoded.error)
      return
    }
    const frame = decoded.frame
    switch (frame.type) {
      case 'change':
        return this.onChange(frame)
      case 'subscription_ack':
        return this.onAck(frame)
      case 'initial_data_batch':
        return this.onBatch(frame)
      case 'error':
        return this.onErrorFrame(frame)
      default:
        // auth_success again (after a fallback authenticate) or a newer server's message.
        return
    }
  }

  private onChange(frame: ServerFrame): void {
    const receivedAt = performance.timeOrigin + performance.now()
    const t = frame.change_type
    if (t !== 'insert' && t !== 'update' && t !== 'delete') return
    const change: LiveChange = {
      subscriptionId: str(frame.subscription_id),
      changeType: t,
      rows: objectRows(frame.rows),
      receivedAt
    }
    if (frame.old_values !== undefined) change.oldValues = objectRows(frame.old_values)
    this.handlers.onChange?.(change)
  }

  private onAck(frame: ServerFrame): void {
    const id = str(frame.subscription_id)
    const p = this.pending.get(id)
    if (!p) return
    const { lastSeqId } = batchControl(frame)
    p.ack = {
      subscriptionId: id,
      schema: Array.isArray(frame.schema) ? frame.schema.map(parseColumn) : [],
      lastSeqId,
      initialRows: []
    }
    if (p.noInitialData) this.settle(id, null)
    else this.rearm(p)
  }

  private onBatch(frame: ServerFrame): void {
    const id = str(frame.subscription_id)
    const p = this.pending.get(id)
    if (!p || !p.ack) return
    for (const row of objectRows(frame.rows)) p.ack.initialRows.push(row)
    const { hasMore, lastSeqId } = batchControl(frame)
    if (lastSeqId !== null) p.ack.lastSeqId = lastSeqId
    if (hasMore) {
      this.send(nextBatchFrame(id, p.ack.lastSeqId))
      this.rearm(p)
    } else {
      this.settle(id, null)
    }
  }

  private onErrorFrame(frame: ServerFrame): void {
    const subscriptionId = str(frame.subscription_id)
    const code = str(frame.code, 'UNKNOWN')
    const message = str(frame.message)
    if (subscriptionId === 'rate_limit') this.rateLimitedRecently = true
    const p = this.pending.get(subscriptionId)
    if (p) this.settle(subscriptionId, subscribeError(frame, subscriptionId))
    this.handlers.onError?.({ subscriptionId, code, message })
  }

  private rearm(p: PendingSubscribe): void {
    clearTimeout(p.timer)
    p.timer = this.subscribeTimer(p.id)
  }

  private subscribeTimer(id: string): NodeJS.Timeout {
    return setTimeout(() => {
      // A subscribe frame dropped by the per-connection message limit gets no answer at all.
      const limited = this.rateLimitedRecently
      this.settle(
        id,
        new KalamClientError(
          limited ? 'RATE_LIMITED' : 'TIMEOUT',
          limited
            ? `subscribe '${id}': no answer within ${this.timeoutMs} ms; the server rate-limited this connection's frames (rate_limit.max_messages_per_sec)`
            : `subscribe '${id}': no subscription_ack or initial data within ${this.timeoutMs} ms`,
          limited ? { serverCode: 'RATE_LIMIT_EXCEEDED' } : {}
        )
      )
    }, this.timeoutMs)
  }

  private settle(id: string, error: KalamClientError | null): void {
    const p = this.pending.get(id)
    if (!p) return
    this.pending.delete(id)
    clearTimeout(p.timer)
    if (this.pending.size === 0) this.rateLimitedRecently = false
    if (error) p.reject(error)
    else if (p.ack) p.resolve(p.ack)
  }

  subscribe(id: string, sql: string, options: SubscribeOptions = {}): Promise<SubscriptionAck> {
    if (!this.open) {
      return Promise.reject(
        new KalamClientError('DISCONNECTED', `subscribe '${id}': the WebSocket is closed`)
      )
    }
    if (this.pending.has(id)) {
      return Promise.reject(
        new KalamClientError('BAD_INPUT', `subscribe '${id}': already waiting for this id`)
      )
    }
    let frame: string
    try {
      frame = subscribeFrame(id, sql, options)
    } catch (e) {
      return Promise.reject(e)
    }
    return new Promise<SubscriptionAck>((resolve, reject) => {
      this.pending.set(id, {
        id,
        noInitialData: options.noInitialData === true,
        ack: null,
        resolve,
        reject,
        timer: this.subscribeTimer(id)
      })
      this.send(frame)
    })
  }

  unsubscribe(id: string): void {
    this.settle(id, new KalamClientError('CANCELLED', `subscribe '${id}': unsubscribed`))
    this.send(unsubscribeFrame(id))
  }

  private onClose(code: number, reason: string): void {
    this.closed = true
    if (this.pingTimer) clearInterval(this.pingTimer)
    const expected = this.closing
    const error: KalamError | undefined = expected
      ? undefined
      : new KalamClientError(
          'DISCONNECTED',
          `WebSocket closed by the server (code ${code}${reason ? ` '${reason}'` : ''})`
        )
    for (const id of [...this.pending.keys()]) {
      this.settle(
        id,
        new KalamClientError(
          expected ? 'CANCELLED' : 'DISCONNECTED',
          `subscribe '${id}': WebSocket closed (code ${code}${reason ? ` '${reason}'` : ''})`
        )
      )
    }
    this.handlers.onClose?.(error ? { code, reason, expected, error } : { code, reason, expected })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closing = true
    if (this.pingTimer) clearInterval(this.pingTimer)
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(1000)
    }
    const grace = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS)
    await this.closedPromise
    clearTimeout(grace)
  }
}
