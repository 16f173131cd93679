/**
 * Discovery's own tiny `GET /health` (PROTOCOL.md §2), independent of the KalamDB client:
 * one request, no keep-alive, a hard deadline, a capped body. It is sent to arbitrary
 * listening ports, so it must never hang on a service that does not speak HTTP.
 */
import { request } from 'node:http'

/** What a port's /health said, when it sounded like KalamDB. */
export interface KalamHealth {
  version: string | null
  /** The server refused because we did not connect from loopback (403, localhost-only). */
  localhostOnly: boolean
}

/**
 * A deadline well above a local server's answer (< 5 ms) and low enough that `targets`
 * returns in under a second even when some port never answers.
 */
export const HEALTH_TIMEOUT_MS = 400
/** A health body is ~100 bytes; anything this long is not KalamDB's. */
const MAX_BODY_BYTES = 16 * 1024

export interface HealthAnswer {
  status: number
  body: string
}

/** GET http://host:port/health; null when nothing HTTP answered before the deadline. */
export function fetchHealth(
  host: string,
  port: number,
  timeoutMs = HEALTH_TIMEOUT_MS
): Promise<HealthAnswer | null> {
  return new Promise((resolve) => {
    let settled = false
    const done = (value: HealthAnswer | null): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.destroy()
      resolve(value)
    }
    const req = request(
      {
        host,
        port,
        path: '/health',
        method: 'GET',
        agent: false,
        headers: { accept: 'application/json', connection: 'close' }
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > MAX_BODY_BYTES) return done(null)
          chunks.push(c)
        })
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
        )
        res.on('error', () => done(null))
      }
    )
    const timer = setTimeout(() => done(null), timeoutMs)
    req.on('error', () => done(null))
    req.end()
  })
}

/**
 * Whether a /health answer is KalamDB's (pure). 200 with `{"status": …, "api_version": …}`
 * is; so is the 403 KalamDB gives a non-loopback peer. `lenient` (for a process already
 * named kalamdb-server) also accepts a bare `{"status": …}`, as older releases answer
 * (PROTOCOL.md §2, DOC≠CODE).
 */
export function recognizeKalamHealth(
  answer: HealthAnswer,
  options: { lenient?: boolean } = {}
): KalamHealth | null {
  let body: unknown
  try {
    body = JSON.parse(answer.body)
  } catch {
    return null
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null
  const o = body as Record<string, unknown>
  if (answer.status === 403) {
    const error = o.error
    return typeof error === 'string' && /health endpoint is localhost-only/i.test(error)
      ? { version: null, localhostOnly: true }
      : null
  }
  if (answer.status < 200 || answer.status >= 300 || typeof o.status !== 'string') return null
  if (typeof o.api_version !== 'string' && !options.lenient) return null
  return { version: typeof o.version === 'string' ? o.version : null, localhostOnly: false }
}

/** Probes a port and says whether it is KalamDB's HTTP port. */
export async function probeKalamHealth(
  host: string,
  port: number,
  options: { lenient?: boolean; timeoutMs?: number } = {}
): Promise<KalamHealth | null> {
  const answer = await fetchHealth(host, port, options.timeoutMs)
  return answer === null ? null : recognizeKalamHealth(answer, options)
}
