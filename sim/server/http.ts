/**
 * HTTP routes (PROTOCOL.md §2–§4): health, auth status/setup/login/refresh/me/logout, and
 * POST /v1/api/sql with KalamDB's envelopes, status codes, error codes and limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isAdmin, type Role, type User } from '../engine/catalog'
import type { Engine, StatementResult } from '../engine/engine'
import type { Value } from '../engine/types'
import type { ParsedStatement } from '../sql/ast'
import { SqlError, type SqlErrorCode } from '../sql/errors'
import { parseBatch } from '../sql/parser'
import {
  REQUEST_BODY_LIMIT_BYTES,
  SERVER_BUILD_DATE,
  SERVER_VERSION,
  type SimConfig
} from '../config'
import type { Tokens } from './auth'
import { KeyedLimiter } from './rate-limit'

const MAX_SQL_BYTES = 1024 * 1024
const MAX_PARAMS = 50
const MAX_PARAM_BYTES = 512 * 1024
/** execution.sql_plan_cache_max_entries: parsed statements kept per SQL text. */
const PLAN_CACHE_ENTRIES = 200

export interface HttpDeps {
  config: SimConfig
  engine: Engine
  tokens: Tokens
  authLimiter: KeyedLimiter
  touch: () => void
}

type Json = Record<string, unknown>

export class PlanCache {
  private readonly map = new Map<string, ParsedStatement[]>()

  get size(): number {
    return this.map.size
  }

  get(sql: string): ParsedStatement[] {
    const hit = this.map.get(sql)
    if (hit) return hit
    const parsed = parseBatch(sql)
    this.map.set(sql, parsed)
    if (this.map.size > PLAN_CACHE_ENTRIES) this.map.delete(this.map.keys().next().value!)
    return parsed
  }

  clear(): void {
    this.map.clear()
  }
}

export class HttpApi {
  readonly planCache = new PlanCache()
  private readonly queryLimiter: KeyedLimiter

  constructor(private readonly d: HttpDeps) {
    this.queryLimiter = new KeyedLimiter(d.config.maxQueriesPerSec)
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.route(req, res)
    } catch (e) {
      this.internalError(res, e)
    }
  }

  /** A bug must not take the simulator down: log it and answer 500 like KalamDB's INTERNAL_ERROR. */
  private internalError(res: ServerResponse, e: unknown): void {
    this.d.config.log?.(
      `ERROR internal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`
    )
    if (res.headersSent) {
      res.destroy()
      return
    }
    sendJson(res, 500, {
      status: 'error',
      results: [],
      took: 0,
      error: { code: 'INTERNAL_ERROR', message: 'SQL request failed' }
    })
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!
    const method = req.method ?? 'GET'
    const route = `${method} ${path}`
    switch (route) {
      case 'GET /health':
      case 'GET /v1/api/healthcheck':
        return this.health(req, res)
      case 'GET /v1/api/cluster/health':
        return this.clusterHealth(req, res)
      case 'GET /v1/api/auth/status':
        return this.authStatus(req, res)
      case 'POST /v1/api/auth/setup':
        return this.withBody(req, res, (b) => this.setup(req, res, b))
      case 'POST /v1/api/auth/login':
        return this.withBody(req, res, (b) => this.login(req, res, b))
      case 'POST /v1/api/auth/refresh':
        return this.withBody(req, res, () => this.refresh(req, res))
      case 'GET /v1/api/auth/me':
        return this.me(req, res)
      case 'POST /v1/api/auth/logout':
        return this.withBody(req, res, () => this.logout(res))
      case 'POST /v1/api/sql':
        return this.withBody(req, res, (b) => {
          this.sql(req, res, b).catch((e: unknown) => this.internalError(res, e))
        })
      default:
        res.writeHead(404, { 'content-length': '0' })
        res.end()
    }
  }

  // ---- health and auth --------------------------------------------------------------

  private health(req: IncomingMessage, res: ServerResponse): void {
    if (!isLoopback(req))
      return sendJson(res, 403, { error: 'Access denied. Health endpoint is localhost-only.' })
    sendJson(res, 200, {
      status: 'healthy',
      version: SERVER_VERSION,
      api_version: 'v1',
      build_date: SERVER_BUILD_DATE
    })
  }

  private clusterHealth(req: IncomingMessage, res: ServerResponse): void {
    if (!isLoopback(req))
      return sendJson(res, 403, { error: 'Access denied. Health endpoint is localhost-only.' })
    sendJson(res, 200, {
      status: 'healthy',
      version: SERVER_VERSION,
      build_date: SERVER_BUILD_DATE,
      is_cluster_mode: false,
      cluster_id: null,
      node_id: 1,
      is_leader: true,
      total_groups: 0,
      groups_leading: 0,
      current_term: 0,
      last_applied: 0,
      millis_since_quorum_ack: null,
      nodes: []
    })
  }

  private authStatus(req: IncomingMessage, res: ServerResponse): void {
    if (!isLoopback(req)) {
      return sendJson(res, 403, {
        error: 'forbidden',
        message: 'Setup status can only be checked from localhost'
      })
    }
    sendJson(
      res,
      200,
      this.d.engine.needsSetup
        ? {
            needs_setup: true,
            message:
              'Server requires initial setup. Call POST /v1/api/auth/setup with user, password, root_password, and optional email.'
          }
        : { needs_setup: false, message: 'Server is configured and ready.' }
    )
  }

  private setup(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    if (!isLoopback(req)) {
      return sendJson(res, 403, {
        error: 'forbidden',
        message: 'Initial setup can only be performed from localhost'
      })
    }
    const fields = strictJson(res, body, ['user', 'username', 'password', 'root_password', 'email'])
    if (!fields) return
    if (!this.d.authLimiter.take(peer(req))) return authRateLimited(res)
    const user = str(fields.user ?? fields.username)
    const password = str(fields.password)
    const rootPassword = str(fields.root_password)
    if (user === undefined || password === undefined || rootPassword === undefined) {
      return sendText(
        res,
        400,
        `Json deserialize error: missing field \`${user === undefined ? 'user' : password === undefined ? 'password' : 'root_password'}\``
      )
    }
    const email =
      fields.email === undefined || fields.email === null ? null : (str(fields.email) ?? null)
    const engine = this.d.engine
    if (!engine.needsSetup) {
      return sendJson(res, 409, {
        error: 'already_configured',
        message: 'Server has already been configured.'
      })
    }
    if (!/^[A-Za-z0-9_.@-]{1,128}$/.test(user) || user === 'root') {
      return sendJson(res, 400, {
        error: 'invalid_user',
        message: `Invalid DBA user name '${user}'`
      })
    }
    if (password.length < 8 || rootPassword.length < 8) {
      return sendJson(res, 400, {
        error: 'weak_password',
        message: 'Passwords must be at least 8 characters long.'
      })
    }
    if (engine.users.has(user)) {
      return sendJson(res, 409, { error: 'user_exists', message: `User '${user}' already exists.` })
    }
    const u = engine.createUser(user, password, 'dba', email)
    engine.setPassword('root', rootPassword)
    sendJson(res, 200, {
      user: userJson(u),
      message: `Server setup complete. Root password configured and DBA user '${user}' created. Please login to continue.`
    })
  }

  private login(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const fields = strictJson(res, body, ['user', 'username', 'password'])
    if (!fields) return
    const userId = str(fields.user ?? fields.username)
    const password = str(fields.password)
    if (userId === undefined || password === undefined) {
      return sendText(
        res,
        400,
        `Json deserialize error: missing field \`${userId === undefined ? 'user' : 'password'}\``
      )
    }
    if (userId.length > 128 || password.length > 256) {
      return sendJson(res, 400, { error: 'invalid_request', message: 'User or password too long' })
    }
    this.d.touch()
    if (!this.d.authLimiter.take(peer(req))) return authRateLimited(res)
    const engine = this.d.engine
    const user = engine.users.get(userId)
    if (userId === 'root' && engine.needsSetup) {
      return sendJson(res, 428, {
        error: 'setup_required',
        message: 'Server requires initial setup. Root password is not configured.'
      })
    }
    if (!user || !engine.checkPassword(user, password)) {
      if (user) user.failedLoginAttempts++
      return sendJson(res, 401, { error: 'unauthorized', message: 'Invalid credentials' })
    }
    user.failedLoginAttempts = 0
    user.lastLoginAt = Date.now() * 1000
    this.sendTokens(res, user)
  }

  private sendTokens(res: ServerResponse, user: User): void {
    const access = this.d.tokens.issue(user, 'access')
    const refresh = this.d.tokens.issue(user, 'refresh')
    res.setHeader('set-cookie', [
      `kalamdb_auth=${access.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.ceil(this.d.config.tokenTtlMs / 1000)}`,
      `kalamdb_refresh=${refresh.token}; Path=/v1/api/auth; HttpOnly; SameSite=Strict; Max-Age=${Math.ceil((this.d.config.tokenTtlMs * 7) / 1000)}`
    ])
    sendJson(res, 200, {
      user: userJson(user),
      admin_ui_access: isAdmin(user.role),
      expires_at: new Date(access.expiresAtMs).toISOString(),
      access_token: access.token,
      refresh_token: refresh.token,
      refresh_expires_at: new Date(refresh.expiresAtMs).toISOString()
    })
  }

  private refresh(req: IncomingMessage, res: ServerResponse): void {
    const token = bearer(req) ?? cookie(req, 'kalamdb_refresh')
    if (!this.d.authLimiter.take(peer(req))) return authRateLimited(res)
    const v = token ? this.d.tokens.verify(token, 'refresh') : null
    const user = v?.ok ? this.d.engine.users.get(v.claims.sub) : undefined
    if (!user)
      return sendJson(res, 401, {
        error: 'unauthorized',
        message: 'Invalid or expired refresh token'
      })
    this.sendTokens(res, user)
  }

  private me(req: IncomingMessage, res: ServerResponse): void {
    const a = this.authenticate(req)
    if (!a.ok) return sendJson(res, 401, { error: 'unauthorized', message: 'Invalid credentials' })
    sendJson(res, 200, { user: userJson(a.user), admin_ui_access: isAdmin(a.user.role) })
  }

  private logout(res: ServerResponse): void {
    res.setHeader('set-cookie', [
      'kalamdb_auth=; Path=/; HttpOnly; Max-Age=0',
      'kalamdb_refresh=; Path=/v1/api/auth; HttpOnly; Max-Age=0'
    ])
    sendJson(res, 200, { message: 'Logged out successfully' })
  }

  /** Bearer-only check of the SQL extractor (PROTOCOL.md §4, auth failures). */
  private authenticate(
    req: IncomingMessage
  ): { ok: true; user: User } | { ok: false; code: string } {
    const header = req.headers.authorization
    let token: string | undefined
    if (header === undefined) {
      token = cookie(req, 'kalamdb_auth')
      if (token === undefined) return { ok: false, code: 'MISSING_AUTHORIZATION' }
    } else {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
      if (!m) return { ok: false, code: 'INVALID_CREDENTIALS' }
      token = m[1]!
    }
    const v = this.d.tokens.verify(token, 'access')
    if (!v.ok)
      return { ok: false, code: v.reason === 'expired' ? 'TOKEN_EXPIRED' : 'INVALID_CREDENTIALS' }
    const user = this.d.engine.users.get(v.claims.sub)
    if (!user) return { ok: false, code: 'INVALID_CREDENTIALS' }
    return { ok: true, user }
  }

  // ---- SQL --------------------------------------------------------------------------

  private async sql(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const t0 = performance.now()
    const took = (): number => Math.round((performance.now() - t0) * 1000) / 1000
    this.d.touch()
    const auth = this.authenticate(req)
    if (!auth.ok) {
      const message =
        auth.code === 'MISSING_AUTHORIZATION' ? 'Authentication required' : 'Invalid credentials'
      return sendJson(res, 401, {
        status: 'error',
        error: { code: auth.code, message },
        results: [],
        took: took()
      })
    }
    const user = auth.user
    const fail = (status: number, code: string, message: string, details?: string): void => {
      const error: Json = { code, message: maskMessage(code, message, user.role) }
      if (details !== undefined) error.details = details
      sendJson(res, status, { status: 'error', results: [], took: took(), error })
    }
    if (!this.queryLimiter.take(user.id)) {
      return fail(429, 'RATE_LIMIT_EXCEEDED', 'Too many queries per second. Please slow down.')
    }
    const slow = this.d.config.faults.slowQueryMs
    if (slow > 0) await new Promise((r) => setTimeout(r, slow))
    let request: Json
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'))
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('invalid type: expected struct QueryRequest')
      }
      request = parsed as Json
    } catch (e) {
      return fail(
        400,
        'INVALID_INPUT',
        `Invalid JSON payload: ${e instanceof Error ? e.message : String(e)}`
      )
    }
    if (typeof request.sql !== 'string')
      return fail(400, 'INVALID_INPUT', 'Invalid JSON payload: missing field `sql`')
    const sql = request.sql
    if (Buffer.byteLength(sql) > MAX_SQL_BYTES) {
      return fail(
        400,
        'INVALID_SQL',
        `SQL query too long: ${Buffer.byteLength(sql)} bytes (max ${MAX_SQL_BYTES})`
      )
    }
    if (sql.trim() === '') return fail(400, 'EMPTY_SQL', 'SQL query cannot be empty')
    let params: Value[] = []
    if (request.params !== undefined && request.params !== null) {
      if (!Array.isArray(request.params))
        return fail(400, 'INVALID_PARAMETER', 'params must be an array')
      if (request.params.length > MAX_PARAMS) {
        return fail(
          400,
          'INVALID_PARAMETER',
          `Too many parameters: ${request.params.length} (max ${MAX_PARAMS})`
        )
      }
      params = []
      for (const [i, p] of (request.params as unknown[]).entries()) {
        const v = toParam(p)
        if (typeof v === 'string' && v.length > MAX_PARAM_BYTES) {
          return fail(
            400,
            'INVALID_PARAMETER',
            `Parameter $${i + 1} exceeds ${MAX_PARAM_BYTES} bytes`
          )
        }
        params.push(v)
      }
    }
    const namespace =
      typeof request.namespace_id === 'string' && request.namespace_id !== ''
        ? request.namespace_id
        : 'default'
    let statements: ParsedStatement[]
    try {
      statements = this.planCache.get(sql)
    } catch (e) {
      return fail(400, 'INVALID_SQL', e instanceof Error ? e.message : String(e))
    }
    if (statements.length === 0) return fail(400, 'EMPTY_SQL', 'SQL query cannot be empty')
    if (statements.length > 1 && params.length > 0) {
      return fail(400, 'PARAMS_WITH_BATCH', 'Parameters are not supported with multiple statements')
    }
    const results: Json[] = []
    const dml = { Inserted: 0, Updated: 0, Deleted: 0 }
    const seen = { Inserted: false, Updated: false, Deleted: false }
    const batch = statements.length > 1
    for (const [i, st] of statements.entries()) {
      let r: StatementResult
      try {
        r = this.d.engine.execute(st, { user: user.id, role: user.role, params, namespace })
      } catch (e) {
        if (e instanceof SqlError) {
          const status = e.code === 'PERMISSION_DENIED' ? 403 : 400
          const message = maskMessage(
            e.code,
            `Statement ${i + 1} failed: ${e.message}`,
            user.role,
            e.safe
          )
          return sendJson(res, status, {
            status: 'error',
            results: [],
            took: took(),
            error: { code: e.code, message, details: st.sql }
          })
        }
        return fail(
          500,
          'INTERNAL_ERROR',
          `Statement ${i + 1} failed: ${e instanceof Error ? e.message : String(e)}`
        )
      }
      const asUser = asUserOf(st, user.id)
      if (r.kind === 'rows') {
        results.push({ schema: r.schema, rows: r.rows, row_count: r.rows.length, as_user: asUser })
      } else if (r.kind === 'dml') {
        if (batch) {
          dml[r.verb] += r.count
          seen[r.verb] = true
        } else
          results.push({
            row_count: r.count,
            message: `${r.verb} ${r.count} row(s)`,
            as_user: asUser
          })
      } else {
        results.push({ row_count: 0, message: r.message, as_user: asUser })
      }
    }
    for (const verb of ['Inserted', 'Updated', 'Deleted'] as const) {
      if (seen[verb])
        results.push({
          row_count: dml[verb],
          message: `${verb} ${dml[verb]} row(s)`,
          as_user: user.id
        })
    }
    const streamed = !batch && results.length === 1 && results[0]!.rows !== undefined
    const envelope: Json = { status: 'success', results, took: took() }
    // A single row-returning statement is streamed with a hand-written envelope ending in "error":null.
    if (streamed) envelope.error = null
    sendJson(res, 200, envelope)
  }

  private withBody(req: IncomingMessage, res: ServerResponse, fn: (body: Buffer) => void): void {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > REQUEST_BODY_LIMIT_BYTES) {
      sendJson(res, 413, {
        error: 'BODY_TOO_LARGE',
        message: `Request body exceeds ${REQUEST_BODY_LIMIT_BYTES} bytes`
      })
      req.resume()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= REQUEST_BODY_LIMIT_BYTES) chunks.push(c)
    })
    req.on('end', () => {
      if (size > REQUEST_BODY_LIMIT_BYTES) {
        sendJson(res, 413, {
          error: 'BODY_TOO_LARGE',
          message: `Request body exceeds ${REQUEST_BODY_LIMIT_BYTES} bytes`
        })
        return
      }
      try {
        fn(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
      } catch (e) {
        this.internalError(res, e)
      }
    })
  }
}

function asUserOf(st: ParsedStatement, user: string): string {
  return st.statement.kind === 'execute_as' ? st.statement.user : user
}

const MASKED: Partial<Record<SqlErrorCode | 'TABLE_NOT_FOUND' | 'INTERNAL_ERROR', string>> = {
  BATCH_PARSE_ERROR: 'Failed to parse SQL batch',
  SQL_EXECUTION_ERROR: 'SQL statement failed',
  INVALID_SQL: 'SQL statement is invalid or not allowed',
  TABLE_NOT_FOUND: 'Requested table is not available',
  INTERNAL_ERROR: 'SQL request failed'
}

/** Non-admin callers get fixed texts for unsafe errors (PROTOCOL.md §4). */
function maskMessage(code: string, message: string, role: Role, safe = false): string {
  if (isAdmin(role) || safe) return message
  return MASKED[code as keyof typeof MASKED] ?? message
}

function toParam(p: unknown): Value {
  if (p === null || typeof p === 'boolean' || typeof p === 'number' || typeof p === 'string')
    return p
  return JSON.stringify(p)
}

function userJson(u: User): Json {
  return {
    id: u.id,
    role: u.role,
    email: u.email,
    created_at: new Date(u.createdAt / 1000).toISOString(),
    updated_at: new Date(u.updatedAt / 1000).toISOString()
  }
}

/** Actix's JSON extractor with deny_unknown_fields: plain-text 400 on any problem. */
function strictJson(res: ServerResponse, body: Buffer, allowed: string[]): Json | null {
  let v: unknown
  try {
    v = JSON.parse(body.toString('utf8'))
  } catch (e) {
    sendText(res, 400, `Json deserialize error: ${e instanceof Error ? e.message : String(e)}`)
    return null
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    sendText(res, 400, 'Json deserialize error: invalid type: expected a JSON object')
    return null
  }
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) {
      sendText(
        res,
        400,
        `Json deserialize error: unknown field \`${k}\`, expected one of ${allowed.map((a) => `\`${a}\``).join(', ')}`
      )
      return null
    }
  }
  return v as Json
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function authRateLimited(res: ServerResponse): void {
  sendJson(res, 429, {
    error: 'rate_limited',
    message: 'Too many authentication attempts. Please retry shortly.'
  })
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text)
  })
  res.end(text)
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text)
  })
  res.end(text)
}

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  return m ? m[1] : undefined
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name && v.length > 0) return v.join('=')
  }
  return undefined
}

export function peer(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? ''
}

export function isLoopback(req: IncomingMessage): boolean {
  // X-Forwarded-For is ignored: only the TCP peer counts (PROTOCOL.md §2).
  const a = peer(req)
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1' || a.startsWith('127.')
}
