/**
 * POST /v1/api/sql (PROTOCOL.md §4): Bearer check, per-user rate limit, request validation,
 * a plan cache of parsed batches, sequential execution, KalamDB's success and error envelopes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isAdmin, type Role, type User } from '../engine/catalog'
import type { Engine, StatementResult } from '../engine/engine'
import type { Value } from '../engine/types'
import type { ParsedStatement } from '../sql/ast'
import { SqlError, type SqlErrorCode } from '../sql/errors'
import { parseBatch } from '../sql/parser'
import type { SimConfig } from '../config'
import { sendJson, type Json } from './http-util'
import { jsonParamText, parseSqlRequestJson } from './json-exact'
import { KeyedLimiter } from './rate-limit'

/** Outcome of the Bearer check (the SQL extractor's codes). */
export type AuthResult = { ok: true; user: User } | { ok: false; code: string }

export interface SqlDeps {
  config: SimConfig
  engine: Engine
  touch: () => void
  authenticate: (req: IncomingMessage) => AuthResult
}

const MAX_SQL_BYTES = 1024 * 1024
const MAX_PARAMS = 50
const MAX_PARAM_BYTES = 512 * 1024
/** execution.sql_plan_cache_max_entries: parsed statements kept per SQL text. */
const PLAN_CACHE_ENTRIES = 200
/** Recently seen SQL texts remembered (as hashes) for the cache's admission. */
const SEEN_HASHES = 1024

/**
 * Parsed batches by SQL text. A text is cached the second time it is seen: a workload of
 * one-off statements (an INSERT with its values as literals, the profiler's writers) would
 * otherwise evict an entry per request, and each evicted plan lives just long enough to be
 * promoted to V8's old generation — ~0.75 MiB/s of garbage at 1,000 inserts/s that showed
 * in RSS. Repeated statements (a prober's SELECT, a fixed INSERT) are cached as before.
 */
export class PlanCache {
  private readonly map = new Map<string, ParsedStatement[]>()
  private readonly seen = new Set<number>()
  private readonly seenRing = new Int32Array(SEEN_HASHES)
  private seenNext = 0

  get size(): number {
    return this.map.size
  }

  get(sql: string): ParsedStatement[] {
    const hit = this.map.get(sql)
    if (hit) return hit
    const parsed = parseBatch(sql)
    const h = hashText(sql)
    if (!this.seen.has(h)) {
      this.remember(h)
      return parsed
    }
    this.map.set(sql, parsed)
    if (this.map.size > PLAN_CACHE_ENTRIES) this.map.delete(this.map.keys().next().value!)
    return parsed
  }

  clear(): void {
    this.map.clear()
    this.seen.clear()
    this.seenRing.fill(0)
  }

  private remember(h: number): void {
    const old = this.seenRing[this.seenNext]!
    if (old !== 0) this.seen.delete(old)
    this.seenRing[this.seenNext] = h
    this.seenNext = (this.seenNext + 1) % SEEN_HASHES
    this.seen.add(h)
  }
}

/** FNV-1a of a text, never 0 (0 marks an empty slot of the ring). */
function hashText(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h | 1
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
  if (
    p === null ||
    typeof p === 'boolean' ||
    typeof p === 'number' ||
    typeof p === 'string' ||
    typeof p === 'bigint'
  )
    return p
  return jsonParamText(p)
}

export class SqlEndpoint {
  readonly planCache = new PlanCache()
  private readonly queryLimiter: KeyedLimiter

  constructor(private readonly d: SqlDeps) {
    this.queryLimiter = new KeyedLimiter(d.config.maxQueriesPerSec)
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const t0 = performance.now()
    const took = (): number => Math.round((performance.now() - t0) * 1000) / 1000
    this.d.touch()
    const auth = this.d.authenticate(req)
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
      // Integer params beyond 2^53 stay exact, as serde_json keeps them.
      const parsed: unknown = parseSqlRequestJson(body.toString('utf8'))
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
}
