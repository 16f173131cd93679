/**
 * WebSocket frames (PROTOCOL.md §6): decoding what the server sends — text JSON, or a binary
 * frame holding gzip'd JSON (magic 1f 8b; the server compresses payloads ≥ 512 bytes unless
 * `?compress=false`) — and encoding what the client sends. `last_seq_id` is a JSON number
 * beyond 2^53: it is read as an exact decimal string and written back as the same digits.
 */
import { gunzipSync } from 'node:zlib'
import { KalamClientError } from './errors'
import { parseJsonExact } from './json'

export type ServerFrame = Record<string, unknown> & { type: string }

export type DecodedFrame = { ok: true; frame: ServerFrame } | { ok: false; error: KalamClientError }

function protocol(message: string, cause?: unknown): DecodedFrame {
  return {
    ok: false,
    error: new KalamClientError('PROTOCOL', message, cause === undefined ? {} : { cause })
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

/** One frame as the server sent it → a typed frame or a PROTOCOL error (never throws). */
export function decodeFrame(
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean
): DecodedFrame {
  const buf = toBuffer(data)
  let text: string
  if (isBinary) {
    if (buf.length < 2 || buf[0] !== 0x1f || buf[1] !== 0x8b) {
      return protocol(
        `WebSocket: a binary frame of ${buf.length} bytes is not gzip (this client speaks JSON, not MessagePack)`
      )
    }
    try {
      text = gunzipSync(buf).toString('utf8')
    } catch (e) {
      return protocol(
        `WebSocket: a gzip frame of ${buf.length} bytes from the server does not inflate (${(e as Error).message})`,
        e
      )
    }
  } else {
    text = buf.toString('utf8')
  }
  let value: unknown
  try {
    value = parseJsonExact(text)
  } catch (e) {
    const snippet = text.slice(0, 60).replace(/\s+/g, ' ')
    return protocol(`WebSocket: the server sent malformed JSON ("${snippet}")`, e)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return protocol('WebSocket: the server sent a frame that is not a JSON object')
  }
  const frame = value as Record<string, unknown>
  if (typeof frame.type !== 'string') {
    return protocol('WebSocket: the server sent a frame without a "type"')
  }
  return { ok: true, frame: frame as ServerFrame }
}

const DIGITS = /^-?\d+$/

/** `{"type":"authenticate",…}`: `protocol` is a required field of the server's struct (§6.2). */
export function authenticateFrame(token: string): string {
  return JSON.stringify({
    type: 'authenticate',
    method: 'jwt',
    token,
    protocol: { serialization: 'json', compression: 'gzip' }
  })
}

export const PING_FRAME = '{"type":"ping"}'

export interface SubscribeFrameOptions {
  batchSize?: number
  lastRows?: number
  /** Exact decimal string. */
  from?: string
  noInitialData?: boolean
}

/**
 * `{"type":"subscribe","subscription":{id, sql, options}}`. Without `options` the server skips
 * the initial load (only the ack comes back); `options: {}` asks for it (§6.3).
 */
export function subscribeFrame(
  id: string,
  sql: string,
  options: SubscribeFrameOptions = {}
): string {
  const head = `{"type":"subscribe","subscription":{"id":${JSON.stringify(id)},"sql":${JSON.stringify(sql)}`
  if (options.noInitialData) return `${head}}}`
  const parts: string[] = []
  if (options.batchSize !== undefined) parts.push(`"batch_size":${Math.trunc(options.batchSize)}`)
  if (options.lastRows !== undefined) parts.push(`"last_rows":${Math.trunc(options.lastRows)}`)
  if (options.from !== undefined) {
    if (!DIGITS.test(options.from)) {
      throw new KalamClientError(
        'BAD_INPUT',
        `subscribe: 'from' must be an integer, got '${options.from}'`
      )
    }
    parts.push(`"from":${options.from}`)
  }
  return `${head},"options":{${parts.join(',')}}}}`
}

/** `{"type":"next_batch","subscription_id":…,"last_seq_id":<number>}`, the id echoed digit for digit. */
export function nextBatchFrame(subscriptionId: string, lastSeqId: string | null): string {
  const head = `{"type":"next_batch","subscription_id":${JSON.stringify(subscriptionId)}`
  if (lastSeqId === null || !DIGITS.test(lastSeqId)) return `${head}}`
  return `${head},"last_seq_id":${lastSeqId}}`
}

export function unsubscribeFrame(subscriptionId: string): string {
  return JSON.stringify({ type: 'unsubscribe', subscription_id: subscriptionId })
}
