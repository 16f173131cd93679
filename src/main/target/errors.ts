/**
 * Every failure of the KalamDB client as one typed error (KalamError, see ./types.ts):
 * the profiler's own code for what it means to a run, plus what the server actually said
 * (HTTP status and `error.code`), so workloads can count outcomes and the CLI can print
 * one clear line. Mapping follows PROTOCOL.md §3 (auth errors), §4 (SQL error envelope and
 * extractor codes) and §5 (429 shapes).
 */
import { ProfilerError, type ErrorCode } from '../../shared/errors'
import type { KalamError } from './types'

export class KalamClientError extends ProfilerError implements KalamError {
  readonly httpStatus: number | null
  readonly serverCode: string | null

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      httpStatus?: number | null
      serverCode?: string | null
      hint?: string
      cause?: unknown
    } = {}
  ) {
    super(code, message, {
      ...(options.hint === undefined ? {} : { hint: options.hint }),
      ...(options.cause === undefined ? {} : { cause: options.cause })
    })
    this.name = 'KalamError'
    this.httpStatus = options.httpStatus ?? null
    this.serverCode = options.serverCode ?? null
  }
}

export function isKalamError(e: unknown): e is KalamClientError {
  return e instanceof KalamClientError
}

/** What the server put in an error body, in any of its shapes. */
export interface ServerErrorInfo {
  /** `error.code` of the SQL envelope, or the `error` string of auth / middleware bodies. */
  code: string | null
  message: string | null
}

/**
 * Reads the error out of a parsed body. KalamDB has three shapes:
 * SQL envelope `{"status":"error","error":{"code","message","details"?}}` (§4),
 * auth endpoints `{"error":"unauthorized","message":"…"}` (§3), and the per-IP middleware
 * `{"error":"RATE_LIMIT_EXCEEDED","message":"…","retry_after_seconds":1}` (§5).
 */
export function serverErrorInfo(body: unknown): ServerErrorInfo {
  if (body === null || typeof body !== 'object') return { code: null, message: null }
  const b = body as Record<string, unknown>
  const err = b.error
  if (err !== null && typeof err === 'object') {
    const e = err as Record<string, unknown>
    return {
      code: typeof e.code === 'string' ? e.code : null,
      message: typeof e.message === 'string' ? e.message : null
    }
  }
  return {
    code: typeof err === 'string' ? err : null,
    message: typeof b.message === 'string' ? b.message : null
  }
}

/** Codes of the auth extractor on /v1/api/sql (401/403/500), PROTOCOL.md §4. */
const AUTH_FAILED_CODES = new Set([
  'MISSING_AUTHORIZATION',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'REMOTE_ACCESS_DENIED',
  'INSUFFICIENT_PERMISSIONS',
  'unauthorized',
  'account_locked',
  'forbidden'
])

/**
 * The profiler's code for an HTTP error answer. `context` names the request in the message
 * (e.g. "SQL", "login"), so the one line says what failed.
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  context: string,
  url: string
): KalamClientError {
  const info = serverErrorInfo(body)
  const serverCode = info.code
  const said = info.message ?? '(no message)'
  const tail = serverCode ? `${status} ${serverCode}: ${said}` : `${status}: ${said}`
  const opts = { httpStatus: status, serverCode }
  if (serverCode === 'TOKEN_EXPIRED') {
    return new KalamClientError(
      'TOKEN_EXPIRED',
      `${context}: the access token has expired (${tail})`,
      {
        ...opts,
        hint: 'get a new token, or log in with --user/--password so the profiler refreshes it'
      }
    )
  }
  if (serverCode === 'SETUP_REQUIRED' || serverCode === 'setup_required' || status === 428) {
    return setupRequiredError(url, opts)
  }
  if (status === 429) {
    return new KalamClientError(
      'RATE_LIMITED',
      `${context}: rate limited by the server (${tail})`,
      opts
    )
  }
  if (serverCode !== null && AUTH_FAILED_CODES.has(serverCode)) {
    const what =
      serverCode === 'ACCOUNT_LOCKED' || serverCode === 'account_locked'
        ? 'the account is locked'
        : serverCode === 'MISSING_AUTHORIZATION'
          ? 'no credentials were accepted'
          : serverCode === 'INVALID_CREDENTIALS' || serverCode === 'unauthorized'
            ? 'wrong user, password or token'
            : 'access denied'
    return new KalamClientError('AUTH_FAILED', `${context}: ${what} at ${url} (${tail})`, opts)
  }
  if (status === 401) {
    return new KalamClientError(
      'AUTH_FAILED',
      `${context}: not authorized at ${url} (${tail})`,
      opts
    )
  }
  return new KalamClientError('SERVER_ERROR', `${context} failed (${tail})`, opts)
}

export function setupRequiredError(
  url: string,
  opts: { httpStatus?: number | null; serverCode?: string | null } = {}
): KalamClientError {
  return new KalamClientError(
    'SETUP_REQUIRED',
    `this server needs initial setup: rerun with --setup (creates the dba user from --user/--password) or run POST ${url}/v1/api/auth/setup yourself`,
    { httpStatus: opts.httpStatus ?? 428, serverCode: opts.serverCode ?? 'setup_required' }
  )
}

/** Network error codes (Node's and undici's) that mean "nothing answers there". */
const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connect timed out',
  EADDRNOTAVAIL: 'address not available',
  // undici's own codes (the HTTP pool is undici's).
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out'
}

/** A request that got no HTTP answer at all. */
export function networkError(e: unknown, url: string, context: string): KalamClientError {
  if (isKalamError(e)) return e
  const code = (e as { code?: unknown } | null)?.code
  const reason =
    typeof code === 'string' && code in UNREACHABLE_CODES
      ? UNREACHABLE_CODES[code]
      : e instanceof Error
        ? e.message
        : String(e)
  // Node's parser sets HPE_* codes; undici's names its error and may leave the code out.
  const parserError =
    (typeof code === 'string' && code.startsWith('HPE_')) ||
    (e instanceof Error && e.name === 'HTTPParserError')
  if (parserError) {
    return new KalamClientError(
      'NOT_KALAMDB',
      `${context}: ${url} does not speak HTTP like KalamDB (${reason})`,
      { cause: e }
    )
  }
  return new KalamClientError('UNREACHABLE', `${context}: cannot reach ${url} (${reason})`, {
    cause: e,
    hint: 'is kalamdb-server running, and is this its HTTP port? `kalam-profiler targets` lists local servers'
  })
}
