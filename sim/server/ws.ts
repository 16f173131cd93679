/**
 * WebSocket `/v1/ws` (PROTOCOL.md §6): header or first-message authentication, subscribe /
 * next_batch / unsubscribe / ping, inbound rate limit, auth and heartbeat timeouts, close
 * codes, and the connection registry that system.stats counts.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { parse as parseLossless } from 'lossless-json'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { Role } from '../engine/catalog'
import type { Engine } from '../engine/engine'
import type { SelectStmt } from '../sql/ast'
import {
  heartbeatCheckMs,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  MAX_WS_MESSAGE_BYTES,
  type SimConfig
} from '../config'
import type { LeakPool } from '../faults'
import type { Tokens } from './auth'
import { exactNumber } from './json-exact'
import { TokenBucket } from './rate-limit'
import {
  ack,
  bigOption,
  buildBatch,
  errorFrame,
  numberOption,
  snapshot,
  stringifyOptions
} from './frames'
import { analyzeSubscription, bindSubscription } from './subscription-sql'
import {
  Connection,
  Corker,
  subscriptionSchema,
  type LiveQueries,
  type BatchControl,
  type Subscription
} from './live'

/** Memory a leaked connection keeps (--leak-connections ground truth). */
export const LEAKED_CONNECTION_BYTES = 64 * 1024
/** KalamDB's MAX_ROWS_PER_BATCH: default batch_size of the initial load. */
const MAX_ROWS_PER_BATCH = 1000
const CLIENT_TYPES = '`authenticate`, `subscribe`, `next_batch`, `unsubscribe`, `ping`'

export interface WsDeps {
  config: SimConfig
  engine: Engine
  tokens: Tokens
  live: LiveQueries
  leak: LeakPool
  /** Auth attempts per peer address (rate_limit.max_auth_requests_per_ip_per_sec). */
  authLimiter: { take(key: string): boolean }
  /** Records activity (idle-trim bookkeeping). */
  touch: () => void
}

export class WsServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 4 * MAX_WS_MESSAGE_BYTES
  })
  readonly connections = new Set<Connection>()
  /** --leak-connections: closed sessions that were never unregistered. */
  private readonly leaked: Connection[] = []
  private readonly corker = new Corker()
  private readonly heartbeat: NodeJS.Timeout
  shuttingDown = false
  connectionsPeak = 0
  sessionsPeak = 0

  constructor(private readonly d: WsDeps) {
    this.heartbeat = setInterval(() => this.checkHeartbeats(), heartbeatCheckMs(d.config))
    this.heartbeat.unref()
  }

  /** Registered connections, including unauthenticated and (with the fault) leaked ones. */
  get activeConnections(): number {
    return this.connections.size + this.leaked.length
  }

  get sessions(): number {
    return this.activeConnections
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (this.shuttingDown) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 23\r\nConnection: close\r\n\r\nServer is shutting down'
      )
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req, url))
  }

  private onConnection(ws: WebSocket, req: IncomingMessage, url: URL): void {
    const compress = url.searchParams.get('compress') !== 'false'
    const conn = new Connection(
      ws,
      req.socket.remoteAddress ?? '',
      compress,
      this.d.config.notificationQueue,
      this.corker
    )
    this.connections.add(conn)
    this.connectionsPeak = Math.max(this.connectionsPeak, this.activeConnections)
    this.sessionsPeak = Math.max(this.sessionsPeak, this.sessions)
    const bucket = new TokenBucket(this.d.config.maxMessagesPerSec)
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(conn, bucket, data, isBinary)
      } catch (e) {
        // A bug must not take the simulator down: log it and tell the client.
        this.d.config.log?.(
          `ERROR websocket: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`
        )
        conn.sendControl(errorFrame('protocol', 'SUBSCRIPTION_FAILED', 'Internal error'))
      }
    })
    ws.on('ping', () => (conn.lastInbound = Date.now()))
    ws.on('pong', () => (conn.lastInbound = Date.now()))
    ws.on('close', () => this.onClose(conn))
    ws.on('error', () => undefined)
    const auth = req.headers.authorization
    if (auth !== undefined) {
      conn.authStarted = true
      const m = /^Bearer\s+(.+)$/i.exec(auth)
      const protocol = {
        serialization: url.searchParams.get('serialization') === 'msgpack' ? 'msgpack' : 'json',
        compression: url.searchParams.get('compression') === 'none' ? 'none' : 'gzip'
      }
      this.authenticate(conn, m ? m[1]!.trim() : null, protocol)
      return
    }
    conn.authTimer = setTimeout(() => {
      if (conn.authStarted || conn.closed) return
      conn.sendControl(
        JSON.stringify({
          type: 'auth_error',
          message: 'Authentication timeout - no auth message received within 3 seconds'
        })
      )
      this.close(conn, 1008, 'Authentication timeout')
    }, this.d.config.wsAuthTimeoutMs)
  }

  private authenticate(
    conn: Connection,
    token: string | null,
    protocol: { serialization: string; compression: string }
  ): void {
    const fail = (message: string): void => {
      conn.sendControl(JSON.stringify({ type: 'auth_error', message }))
      this.close(conn, 1008, 'Authentication failed')
    }
    if (!this.d.authLimiter.take(conn.peer))
      return fail('Too many authentication attempts. Please retry shortly.')
    if (protocol.serialization === 'msgpack')
      return fail('MessagePack serialization is not supported by this server')
    if (token === null) return fail('Invalid credentials')
    const v = this.d.tokens.verify(token, 'access')
    if (!v.ok) return fail(v.reason === 'expired' ? 'Token expired' : 'Invalid credentials')
    const user = this.d.engine.users.get(v.claims.sub)
    if (!user) return fail('Invalid credentials')
    conn.authed = true
    conn.user = user.id
    conn.role = user.role
    clearTimeout(conn.authTimer)
    conn.sendControl(
      JSON.stringify({ type: 'auth_success', user: user.id, role: user.role, protocol })
    )
  }

  private onMessage(conn: Connection, bucket: TokenBucket, data: RawData, isBinary: boolean): void {
    conn.lastInbound = Date.now()
    this.d.touch()
    if (!bucket.take()) {
      conn.sendControl(errorFrame('rate_limit', 'RATE_LIMIT_EXCEEDED', 'Too many messages'))
      return
    }
    if (isBinary) {
      conn.sendControl(errorFrame('protocol', 'UNSUPPORTED_DATA', 'Binary not supported'))
      return
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8')
    if (text.length > MAX_WS_MESSAGE_BYTES) {
      conn.sendControl(
        errorFrame(
          'protocol',
          'MESSAGE_TOO_LARGE',
          `Message too large: ${text.length} bytes (max ${MAX_WS_MESSAGE_BYTES})`
        )
      )
      return
    }
    let msg: Record<string, unknown>
    try {
      const parsed = parseLossless(text, undefined, exactNumber)
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('invalid type: expected internally tagged enum ClientMessage')
      }
      msg = parsed as Record<string, unknown>
    } catch (e) {
      this.invalid(conn, e instanceof Error ? e.message : String(e))
      return
    }
    switch (msg.type) {
      case 'authenticate': {
        if (msg.method !== 'jwt') {
          return this.invalid(
            conn,
            msg.method === undefined
              ? 'missing field `method`'
              : `unknown variant \`${String(msg.method)}\`, expected \`jwt\``
          )
        }
        if (typeof msg.token !== 'string') return this.invalid(conn, 'missing field `token`')
        const p = msg.protocol as { serialization?: unknown; compression?: unknown } | undefined
        if (p === undefined || p === null || typeof p !== 'object')
          return this.invalid(conn, 'missing field `protocol`')
        if (p.serialization !== 'json' && p.serialization !== 'msgpack') {
          return this.invalid(
            conn,
            `unknown variant \`${String(p.serialization)}\`, expected \`json\` or \`msgpack\``
          )
        }
        if (p.compression !== 'gzip' && p.compression !== 'none') {
          return this.invalid(
            conn,
            `unknown variant \`${String(p.compression)}\`, expected \`none\` or \`gzip\``
          )
        }
        if (conn.authed) {
          // KalamDB: authenticate on an authenticated connection just re-sends auth_success.
          conn.sendControl(
            JSON.stringify({
              type: 'auth_success',
              user: conn.user,
              role: conn.role,
              protocol: { serialization: p.serialization, compression: p.compression }
            })
          )
          return
        }
        conn.authStarted = true
        clearTimeout(conn.authTimer)
        this.authenticate(conn, msg.token, {
          serialization: p.serialization,
          compression: p.compression
        })
        return
      }
      case 'subscribe':
        return this.subscribe(conn, msg.subscription)
      case 'next_batch':
        if (!conn.authed) return
        return this.nextBatch(conn, msg.subscription_id, msg.last_seq_id)
      case 'unsubscribe': {
        if (!conn.authed) return
        const sub = conn.subs.get(String(msg.subscription_id))
        if (sub) this.d.live.remove(sub)
        return
      }
      case 'ping':
        return
      default:
        return this.invalid(
          conn,
          msg.type === undefined
            ? 'missing field `type`'
            : `unknown variant \`${String(msg.type)}\`, expected one of ${CLIENT_TYPES}`
        )
    }
  }

  /** An unparseable frame closes the socket with 1011 and the parse error (§6.6). */
  private invalid(conn: Connection, detail: string): void {
    this.close(conn, 1011, `Invalid message: ${detail}`)
  }

  private subscribe(conn: Connection, raw: unknown): void {
    if (!conn.authed) {
      conn.sendControl(
        errorFrame('subscribe', 'AUTH_REQUIRED', 'Authentication required before subscribing')
      )
      return
    }
    const s = (raw ?? {}) as { id?: unknown; sql?: unknown; options?: unknown }
    const id = typeof s.id === 'string' ? s.id : ''
    if (id.trim() === '') {
      conn.sendControl(
        errorFrame(
          'invalid_subscription',
          'INVALID_SUBSCRIPTION_ID',
          'Subscription ID cannot be empty'
        )
      )
      return
    }
    const err = (code: string, message: string): void =>
      conn.sendControl(errorFrame(id, code, message))
    if (conn.subs.has(id))
      return err(
        'INVALID_SUBSCRIPTION_ID',
        `Subscription '${id}' already exists on this connection`
      )
    if (conn.subs.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      return err(
        'UNSUPPORTED',
        `Invalid operation: Maximum subscriptions (${MAX_SUBSCRIPTIONS_PER_CONNECTION}) per connection exceeded`
      )
    }
    if (this.d.live.userCount(conn.user!) >= this.d.config.maxSubscriptionsPerUser) {
      return err('SUBSCRIPTION_LIMIT_EXCEEDED', 'Maximum subscriptions reached')
    }
    const sql = typeof s.sql === 'string' ? s.sql : ''
    let stmt: SelectStmt
    try {
      stmt = analyzeSubscription(sql)
    } catch (e) {
      return err(
        'INVALID_SQL',
        `Invalid SQL: Invalid SQL: ${e instanceof Error ? e.message : String(e)}`
      )
    }
    const options = s.options as Record<string, unknown> | null | undefined
    const batchSize = numberOption(options?.batch_size) ?? MAX_ROWS_PER_BATCH
    const lastRows = numberOption(options?.last_rows)
    const from = bigOption(options?.from ?? options?.from_seq_id)
    if (lastRows !== undefined && lastRows > batchSize) {
      return err(
        'UNSUPPORTED',
        `last_rows (${lastRows}) cannot exceed batch_size (${batchSize}); use next_batch paging for larger initial loads`
      )
    }
    const role = conn.role as Role
    const now = Date.now()
    const sub: Subscription = {
      id,
      conn,
      table: null,
      partition: '',
      filter: undefined,
      projection: null,
      sql,
      optionsJson: options === undefined || options === null ? '{}' : stringifyOptions(options),
      createdAt: now,
      lastUpdate: now,
      changes: 0,
      loading: false,
      buffered: [],
      seenForDrop: 0,
      batchNum: 0,
      batchSize
    }
    const failure = bindSubscription(this.d.engine, sub, stmt, role)
    if (failure) return err(failure.code, failure.message)
    this.d.live.add(sub)
    const schema = JSON.stringify(subscriptionSchema(sub))
    if (options === undefined || options === null) {
      const bc: BatchControl = { batch_num: 0, has_more: false, status: 'ready', last_seq_id: null }
      conn.sendControl(ack(id, bc, schema))
      return
    }
    sub.loading = true
    let rows = snapshot(sub, from ?? -1n)
    if (lastRows !== undefined && from === undefined)
      rows = rows.slice(Math.max(0, rows.length - lastRows))
    const batch = buildBatch(sub, rows, 0)
    conn.sendControl(ack(id, batch.control, schema))
    conn.sendControl(batch.frame)
    if (!batch.control.has_more) this.d.live.finishLoading(sub)
  }

  private nextBatch(conn: Connection, rawId: unknown, lastSeq: unknown): void {
    const id = String(rawId ?? '')
    const sub = conn.subs.get(id)
    if (!sub) {
      conn.sendControl(errorFrame(id, 'BATCH_FETCH_FAILED', `Subscription not found: ${id}`))
      return
    }
    const after = bigOption(lastSeq) ?? -1n
    const batch = buildBatch(sub, snapshot(sub, after), sub.batchNum + 1)
    conn.sendControl(batch.frame)
    if (!batch.control.has_more && sub.loading) this.d.live.finishLoading(sub)
  }

  private onClose(conn: Connection): void {
    if (conn.closed) return
    conn.closed = true
    clearTimeout(conn.authTimer)
    conn.dropQueue()
    for (const sub of Array.from(conn.subs.values())) this.d.live.remove(sub)
    this.connections.delete(conn)
    if (this.d.config.faults.leakConnections) {
      // Fault: the session is never unregistered and its buffers are never freed.
      this.leaked.push(conn)
      this.d.leak.retain(LEAKED_CONNECTION_BYTES)
    }
  }

  private close(conn: Connection, code: number, reason: string): void {
    // Close reasons are limited to 123 bytes by the WebSocket protocol.
    let r = reason
    while (Buffer.byteLength(r) > 123) r = r.slice(0, -1)
    try {
      conn.ws.close(code, r)
    } catch {
      conn.ws.terminate()
    }
  }

  private checkHeartbeats(): void {
    const now = Date.now()
    for (const conn of this.connections) {
      if (!conn.closed && now - conn.lastInbound > this.d.config.wsClientTimeoutMs) {
        this.close(conn, 1000, 'Heartbeat timeout')
      }
    }
  }

  /** KILL LIVE QUERY: by live_id or subscription id. */
  kill(liveId: string): boolean {
    for (const sub of this.d.live.all()) {
      if (liveIdOf(sub) === liveId || sub.id === liveId) {
        this.d.live.remove(sub)
        return true
      }
    }
    return false
  }

  /** Graceful shutdown: every socket closes with 1001 "Server shutting down" (5 s budget). */
  async shutdown(): Promise<void> {
    this.shuttingDown = true
    clearInterval(this.heartbeat)
    const open = Array.from(this.connections)
    await Promise.all(
      open.map(
        (conn) =>
          new Promise<void>((resolve) => {
            if (conn.ws.readyState === 3) return resolve()
            const timer = setTimeout(() => {
              conn.ws.terminate()
              resolve()
            }, 5000)
            conn.ws.once('close', () => {
              clearTimeout(timer)
              resolve()
            })
            this.close(conn, 1001, 'Server shutting down')
          })
      )
    )
    this.wss.close()
  }
}

export function liveIdOf(sub: Subscription): string {
  return `${sub.conn.user}-${sub.conn.id}-${sub.id}`
}
