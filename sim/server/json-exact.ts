/**
 * JSON parsed without losing integers (SQL request bodies here; ws.ts parses WebSocket frames
 * with exactNumber too): KalamDB (serde_json) keeps an i64 such as 9007199254740993 exact,
 * where JSON.parse rounds it to …992. Integers beyond 2^53 become bigint, which a BIGINT
 * column stores as is.
 *
 * JSON.parse stays the only parse on the hot path (the simulator must sustain ≥ 5,000
 * inserts/s): a param that JSON.parse turned into an unsafe integer is the sign that digits
 * may have been lost, and only then is the text parsed again losslessly. Integers in the SQL
 * text itself (literals) are the SQL parser's business, not this one's.
 */
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json'

/** A number literal of lossless-json: beyond ±(2^53 − 1) an integer becomes an exact bigint. */
export function exactNumber(text: string): number | bigint {
  const n = Number(text)
  return /^-?\d+$/.test(text) && !Number.isSafeInteger(n) ? BigInt(text) : n
}

/** True when `v` holds a number JSON.parse may have rounded (an integer beyond 2^53). */
function hasUnsafeInteger(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v)
  if (Array.isArray(v)) return v.some(hasUnsafeInteger)
  if (typeof v === 'object' && v !== null) return Object.values(v).some(hasUnsafeInteger)
  return false
}

/** Throws on malformed JSON like JSON.parse does (its message is what the 400 quotes). */
export function parseSqlRequestJson(text: string): unknown {
  const fast: unknown = JSON.parse(text)
  const params = typeof fast === 'object' && fast !== null ? (fast as { params?: unknown }) : null
  if (!hasUnsafeInteger(params?.params)) return fast
  return parseLossless(text, undefined, exactNumber)
}

/** A JSON object or array param as the text a TEXT/JSON column stores, bigints exact. */
export function jsonParamText(p: unknown): string {
  return stringifyLossless(p) ?? 'null'
}
