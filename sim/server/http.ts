/**
 * HTTP routes (PROTOCOL.md §2–§3): health, auth status/setup/login/refresh/me/logout, the
 * Bearer check, and the dispatch of POST /v1/api/sql to sql-endpoint.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isAdmin, type User } from '../engine/catalog'
import type { Engine } from '../engine/engine'
import {
  REQUEST_BODY_LIMIT_BYTES,
  SERVER_BUILD_DATE,
  SERVER_VERSION,
  type SimConfig
} from '../config'
import type { Tokens } from './auth'
import {
  bearer,
  cookie,
  isLoopback,
  peer,
  sendJson,
  sendText,
  str,
  strictJson,
  type Json
} from './http-util'
import type { KeyedLimiter } from './rate-limit'
import { SqlEndpoint, type AuthResult } from './sql-endpoint'

export interface HttpDeps {
  config: SimConfig
  engine: Engine
  tokens: Tokens
  authLimiter: KeyedLimiter
  touch: () => void
}

export class HttpApi {
  readonly sqlEndpoint: SqlEndpoint

  constructor(private readonly d: HttpDeps) {
    this.sqlEndpoint = new SqlEndpoint({
      config: d.config,
      engine: d.engine,
      touch: d.touch,
      authenticate: (req) => this.authenticate(req)
    })
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
          this.sqlEndpoint.handle(req, res, b).catch((e: unknown) => this.internalError(res, e))
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
  private authenticate(req: IncomingMessage): AuthResult {
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

function userJson(u: User): Json {
  return {
    id: u.id,
    role: u.role,
    email: u.email,
    created_at: new Date(u.createdAt / 1000).toISOString(),
    updated_at: new Date(u.updatedAt / 1000).toISOString()
  }
}

function authRateLimited(res: ServerResponse): void {
  sendJson(res, 429, {
    error: 'rate_limited',
    message: 'Too many authentication attempts. Please retry shortly.'
  })
}
