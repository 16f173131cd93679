/** Small HTTP helpers shared by the simulator's routes. */
import type { IncomingMessage, ServerResponse } from 'node:http'

export type Json = Record<string, unknown>

/** Actix's JSON extractor with deny_unknown_fields: plain-text 400 on any problem. */
export function strictJson(res: ServerResponse, body: Buffer, allowed: string[]): Json | null {
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

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text)
  })
  res.end(text)
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text)
  })
  res.end(text)
}

export function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  return m ? m[1] : undefined
}

export function cookie(req: IncomingMessage, name: string): string | undefined {
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
