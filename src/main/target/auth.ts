/**
 * KalamDB authentication (PROTOCOL.md §2–§3): setup status, first-time setup, password login
 * for a Bearer access token, refresh before it expires. Bearer only: current servers reject
 * Basic auth on everything but nothing takes a password except /login.
 */
import type { Credentials, Health } from './types'
import { KalamClientError, errorFromResponse, setupRequiredError } from './errors'
import { type HttpPool, notKalamDb, parseBody } from './http'

export interface AuthStatus {
  /** null when the server would not say (it answers only to localhost, §2). */
  needsSetup: boolean | null
  message: string
}

export interface TokenSet {
  accessToken: string
  /** ms since the epoch; null when unknown (a user-given token that is not a readable JWT). */
  expiresAt: number | null
  refreshToken: string | null
  refreshExpiresAt: number | null
  user: string | null
  role: string | null
}

interface CallOptions {
  signal?: AbortSignal
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** GET /health: loopback only on the server side; 403 from elsewhere. */
export async function getHealth(pool: HttpPool, options: CallOptions = {}): Promise<Health> {
  const context = 'health check'
  const res = await pool.request({ method: 'GET', path: '/health', context, ...options })
  if (res.status === 404) throw notKalamDb(res, context, pool.baseUrl)
  const body = parseBody(res, context, pool.baseUrl)
  if (res.status === 403) {
    throw new KalamClientError(
      'SERVER_ERROR',
      `${context}: ${pool.baseUrl} answers /health only to localhost (HTTP 403)`,
      { httpStatus: 403 }
    )
  }
  if (res.status !== 200 || !isObject(body) || typeof body.status !== 'string') {
    throw notKalamDb(res, context, pool.baseUrl)
  }
  return {
    status: body.status,
    version: typeof body.version === 'string' ? body.version : null,
    apiVersion: typeof body.api_version === 'string' ? body.api_version : null,
    buildDate: typeof body.build_date === 'string' ? body.build_date : null
  }
}

/** GET /v1/api/auth/status. A non-KalamDB server answers 404 or something else entirely. */
export async function getAuthStatus(
  pool: HttpPool,
  options: CallOptions = {}
): Promise<AuthStatus> {
  const context = 'auth status'
  const res = await pool.request({
    method: 'GET',
    path: '/v1/api/auth/status',
    context,
    ...options
  })
  if (res.status === 404) throw notKalamDb(res, context, pool.baseUrl)
  const body = parseBody(res, context, pool.baseUrl)
  if (res.status === 403 && isObject(body)) {
    return {
      needsSetup: null,
      message: typeof body.message === 'string' ? body.message : 'forbidden'
    }
  }
  if (res.status !== 200 || !isObject(body) || typeof body.needs_setup !== 'boolean') {
    throw notKalamDb(res, context, pool.baseUrl)
  }
  return {
    needsSetup: body.needs_setup,
    message: typeof body.message === 'string' ? body.message : ''
  }
}

/**
 * POST /v1/api/auth/setup: creates the dba user and sets root's password (the same one, so
 * the profiler never invents a secret). 409 already_configured counts as done: someone set
 * it up between our status check and now.
 */
export async function runSetup(
  pool: HttpPool,
  user: string,
  password: string,
  options: CallOptions = {}
): Promise<void> {
  const context = 'setup'
  const res = await pool.request({
    method: 'POST',
    path: '/v1/api/auth/setup',
    body: { user, password, root_password: password, email: null },
    context,
    ...options
  })
  if (res.status === 404) throw notKalamDb(res, context, pool.baseUrl)
  const body = parseBody(res, context, pool.baseUrl)
  if (res.status === 200) return
  const err = errorFromResponse(res.status, body, context, pool.baseUrl)
  if (res.status === 409 && err.serverCode === 'already_configured') return
  throw err
}

function parseTime(v: unknown): number | null {
  if (typeof v !== 'string') return null
  const t = Date.parse(v)
  return Number.isFinite(t) ? t : null
}

/** The login/refresh answer (same shape, §3). */
function parseTokenSet(body: unknown, context: string, url: string): TokenSet {
  if (!isObject(body) || typeof body.access_token !== 'string') {
    throw new KalamClientError(
      'PROTOCOL',
      `${context}: the answer from ${url} has no access_token`,
      { httpStatus: 200 }
    )
  }
  const user = isObject(body.user) ? body.user : {}
  return {
    accessToken: body.access_token,
    expiresAt: parseTime(body.expires_at),
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
    refreshExpiresAt: parseTime(body.refresh_expires_at),
    user: typeof user.id === 'string' ? user.id : null,
    role: typeof user.role === 'string' ? user.role : null
  }
}

/** POST /v1/api/auth/login. */
export async function login(
  pool: HttpPool,
  user: string,
  password: string,
  options: CallOptions = {}
): Promise<TokenSet> {
  const context = 'login'
  const res = await pool.request({
    method: 'POST',
    path: '/v1/api/auth/login',
    body: { user, password },
    context,
    ...options
  })
  if (res.status === 404) throw notKalamDb(res, context, pool.baseUrl)
  const body = parseBody(res, context, pool.baseUrl)
  if (res.status !== 200) throw errorFromResponse(res.status, body, context, pool.baseUrl)
  return parseTokenSet(body, context, pool.baseUrl)
}

/** POST /v1/api/auth/refresh with the refresh token as Bearer. */
export async function refresh(
  pool: HttpPool,
  refreshToken: string,
  options: CallOptions = {}
): Promise<TokenSet> {
  const context = 'token refresh'
  const res = await pool.request({
    method: 'POST',
    path: '/v1/api/auth/refresh',
    bearer: refreshToken,
    context,
    ...options
  })
  const body = parseBody(res, context, pool.baseUrl)
  if (res.status !== 200) throw errorFromResponse(res.status, body, context, pool.baseUrl)
  return parseTokenSet(body, context, pool.baseUrl)
}

/**
 * What a user-given token says about itself (JWT claims `sub`, `role`, `exp`, §3), read
 * without verifying: the server verifies; this only lets us fail fast on an expired token
 * and name the user.
 */
export function readJwtClaims(token: string): { sub?: string; role?: string; exp?: number } {
  const part = token.split('.')[1]
  if (!part) return {}
  try {
    const claims: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    if (!isObject(claims)) return {}
    return {
      ...(typeof claims.sub === 'string' ? { sub: claims.sub } : {}),
      ...(typeof claims.role === 'string' ? { role: claims.role } : {}),
      ...(typeof claims.exp === 'number' ? { exp: claims.exp } : {})
    }
  } catch {
    return {}
  }
}

export function tokenExpiredError(url: string): KalamClientError {
  return new KalamClientError('TOKEN_EXPIRED', `the token given for ${url} has expired`, {
    httpStatus: 401,
    serverCode: 'TOKEN_EXPIRED',
    hint: 'get a new token, or log in with --user/--password so the profiler refreshes it'
  })
}

/** Refresh this long before expiry: a tenth of the lifetime, at most a minute. */
function refreshMarginMs(set: TokenSet, now: number): number {
  if (set.expiresAt === null) return 0
  return Math.min(60_000, Math.max(0, (set.expiresAt - now) / 10))
}

/**
 * Holds the current access token and keeps it valid: refreshed lazily before expiry
 * (no timer keeps the process alive), a fresh login when refresh fails, and one shared
 * in-flight renewal however many requests ask at once.
 */
export class TokenManager {
  private tokens!: TokenSet
  /** When to renew (ms since the epoch); null = never on our own. */
  private renewAt: number | null = null
  private renewal: Promise<TokenSet> | null = null

  constructor(
    private readonly pool: HttpPool,
    private readonly credentials: Credentials,
    initial: TokenSet
  ) {
    this.use(initial)
  }

  get current(): TokenSet {
    return this.tokens
  }

  private use(tokens: TokenSet): TokenSet {
    this.tokens = tokens
    this.renewAt =
      tokens.expiresAt === null ? null : tokens.expiresAt - refreshMarginMs(tokens, Date.now())
    return tokens
  }

  /** The token when it needs no renewal now, else null (the hot path skips a Promise). */
  fresh(): string | null {
    return this.renewAt === null || Date.now() < this.renewAt ? this.tokens.accessToken : null
  }

  /** A token valid now (renewed first when it is about to expire). */
  async token(signal?: AbortSignal): Promise<string> {
    const { expiresAt } = this.tokens
    if (expiresAt !== null && this.renewAt !== null && Date.now() >= this.renewAt) {
      if (!('password' in this.credentials)) {
        if (Date.now() >= expiresAt) throw tokenExpiredError(this.pool.baseUrl)
        return this.tokens.accessToken
      }
      await this.renew(signal)
    }
    return this.tokens.accessToken
  }

  /** The server said TOKEN_EXPIRED: renew if we can, else rethrow as a clear error. */
  async renewAfterExpiry(signal?: AbortSignal): Promise<string> {
    if (!('password' in this.credentials)) throw tokenExpiredError(this.pool.baseUrl)
    await this.renew(signal)
    return this.tokens.accessToken
  }

  private renew(signal?: AbortSignal): Promise<TokenSet> {
    if (!this.renewal) {
      this.renewal = this.doRenew(signal).finally(() => (this.renewal = null))
    }
    return this.renewal
  }

  private async doRenew(signal?: AbortSignal): Promise<TokenSet> {
    const creds = this.credentials
    const opts = signal ? { signal } : {}
    const { refreshToken, refreshExpiresAt } = this.tokens
    if (refreshToken && (refreshExpiresAt === null || Date.now() < refreshExpiresAt)) {
      try {
        return this.use(await refresh(this.pool, refreshToken, opts))
      } catch (e) {
        if ((e as { code?: string }).code === 'CANCELLED') throw e
        // A refresh the server refuses is not fatal while we still hold the password.
      }
    }
    if (!('password' in creds)) throw tokenExpiredError(this.pool.baseUrl)
    return this.use(await login(this.pool, creds.user, creds.password, opts))
  }
}

/**
 * Turns credentials into a token: the user's own token as given (failing fast when its
 * JWT `exp` has passed), or a login — after the first-time setup when the server needs it
 * and the caller asked for it.
 */
export async function authenticate(
  pool: HttpPool,
  credentials: Credentials,
  options: { setup?: boolean; signal?: AbortSignal } = {}
): Promise<TokenSet> {
  const call = options.signal ? { signal: options.signal } : {}
  const status = await getAuthStatus(pool, call)
  if (status.needsSetup === true) {
    if (!options.setup || !('password' in credentials)) throw setupRequiredError(pool.baseUrl)
    await runSetup(pool, credentials.user, credentials.password, call)
  }
  if ('token' in credentials) {
    const claims = readJwtClaims(credentials.token)
    const expiresAt = claims.exp === undefined ? null : claims.exp * 1000
    if (expiresAt !== null && Date.now() >= expiresAt) throw tokenExpiredError(pool.baseUrl)
    return {
      accessToken: credentials.token,
      expiresAt,
      refreshToken: null,
      refreshExpiresAt: null,
      user: claims.sub ?? null,
      role: claims.role ?? null
    }
  }
  return login(pool, credentials.user, credentials.password, call)
}
