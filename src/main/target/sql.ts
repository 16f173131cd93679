/**
 * POST /v1/api/sql (PROTOCOL.md §4): the request body, and the answer turned into typed
 * result sets. Cells are kept as the server encodes them — BIGINT, COUNT(*) and `_seq`
 * arrive as strings and stay exact. Both success shapes are accepted: the normal envelope
 * (top-level `error` omitted) and the streamed one of single-statement row queries (always
 * `schema`, `rows`, `row_count`, `as_user`, ends with `"error":null`).
 */
import type { SqlCell, SqlColumn, SqlResponse, SqlResultSet } from './types'
import { KalamClientError, errorFromResponse } from './errors'
import { type HttpResponse, notKalamDb, parseBody } from './http'

export const SQL_PATH = '/v1/api/sql'

/** The request body: `params` and `namespace_id` only when given. */
export function sqlRequestBody(
  sql: string,
  params?: unknown[],
  namespace?: string
): Record<string, unknown> {
  const body: Record<string, unknown> = { sql }
  if (params !== undefined) body.params = params
  if (namespace !== undefined) body.namespace_id = namespace
  return body
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function protocolError(url: string, what: string, status: number): KalamClientError {
  return new KalamClientError('PROTOCOL', `SQL: the answer from ${url} ${what}`, {
    httpStatus: status
  })
}

export function parseColumn(v: unknown, i: number): SqlColumn {
  const c = isObject(v) ? v : {}
  const dataType = c.data_type
  return {
    name: typeof c.name === 'string' ? c.name : `column_${i}`,
    dataType:
      typeof dataType === 'string'
        ? dataType
        : isObject(dataType)
          ? dataType
          : String(dataType ?? 'Unknown'),
    index: typeof c.index === 'number' ? c.index : i,
    ...(Array.isArray(c.flags) ? { flags: c.flags.filter((f) => typeof f === 'string') } : {})
  }
}

function parseResultSet(v: unknown, url: string, status: number): SqlResultSet {
  if (!isObject(v)) throw protocolError(url, 'has a result that is not an object', status)
  const schema = Array.isArray(v.schema) ? v.schema.map(parseColumn) : []
  const rows = v.rows === undefined || v.rows === null ? [] : v.rows
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r))) {
    throw protocolError(url, 'has rows that are not positional arrays', status)
  }
  const set: SqlResultSet = {
    schema,
    rows: rows as SqlCell[][],
    rowCount: typeof v.row_count === 'number' ? v.row_count : rows.length
  }
  if (typeof v.message === 'string') set.message = v.message
  if (typeof v.as_user === 'string') set.asUser = v.as_user
  return set
}

/** The answer of one SQL request as a typed response, or the typed error it carries. */
export function parseSqlResponse(res: HttpResponse, url: string): SqlResponse {
  if (res.status === 404 || res.status === 405) throw notKalamDb(res, 'SQL', url)
  const body = parseBody(res, 'SQL', url)
  if (!isObject(body)) throw protocolError(url, 'is not a JSON object', res.status)
  if (res.status !== 200 || body.status === 'error' || isObject(body.error)) {
    throw errorFromResponse(res.status, body, 'SQL', url)
  }
  if (body.status !== 'success' || !Array.isArray(body.results)) {
    throw protocolError(url, 'has no "status":"success" with "results"', res.status)
  }
  return {
    results: body.results.map((r) => parseResultSet(r, url, res.status)),
    tookMs: typeof body.took === 'number' ? body.took : Number.NaN,
    elapsedMs: res.elapsedMs
  }
}

/** A result set's rows as objects keyed by column name (for readers, not hot paths). */
export function rowObjects(set: SqlResultSet): Record<string, SqlCell>[] {
  return set.rows.map((row) => {
    const o: Record<string, SqlCell> = {}
    set.schema.forEach((col, i) => (o[col.name] = row[col.index ?? i] ?? row[i] ?? null))
    return o
  })
}

/** A cell as an exact decimal string when it is an integer (BIGINT arrives as a string). */
export function cellText(cell: SqlCell | undefined): string | null {
  if (cell === null || cell === undefined) return null
  if (typeof cell === 'string') return cell
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell)
  return JSON.stringify(cell)
}

/** A cell as a number (parsing the string encodings of BIGINT/DECIMAL); null when not numeric. */
export function cellNumber(cell: SqlCell | undefined): number | null {
  if (typeof cell === 'number') return cell
  if (typeof cell === 'string' && cell.trim() !== '') {
    const n = Number(cell)
    return Number.isFinite(n) ? n : null
  }
  return null
}
