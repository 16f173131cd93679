/**
 * JSON from KalamDB, parsed without losing integers. BIGINT cells arrive as strings already
 * (PROTOCOL.md §4), but some numbers do not: `last_seq_id` in WebSocket frames is a JSON number
 * around 10^17–10^18 (§6.4), beyond 2^53. Those integers are kept as their exact decimal
 * string; everything else is what JSON.parse gives. The fast path is plain JSON.parse; the
 * lossless parser only runs when the text holds a 16-digit-or-longer integer literal.
 */
import { parse as losslessParse, isInteger, isSafeNumber } from 'lossless-json'

/** A number literal of 16+ digits right after `:`, `[` or `,`: possibly beyond 2^53. */
const LONG_INTEGER = /[:[,]\s*-?\d{16,}/

function parseNumber(text: string): number | string {
  if (isInteger(text) && !isSafeNumber(text)) return text
  return Number(text)
}

/** Throws SyntaxError on malformed JSON, like JSON.parse. */
export function parseJsonExact(text: string): unknown {
  if (!LONG_INTEGER.test(text)) return JSON.parse(text)
  return losslessParse(text, null, parseNumber)
}

/** A JSON integer that may exceed 2^53, as its exact decimal string (or null). */
export function exactInteger(value: unknown): string | null {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString()
  return null
}
