/**
 * Liveness of a target without a pid: GET /health every 500 ms on a fresh connection (no
 * keep-alive socket is held, and /health is not SQL, so it does not count as activity that
 * blocks KalamDB's idle trim). A refused connection means nobody listens any more: gone at
 * once. A timeout or 5xx may be a stall under load: gone after three in a row.
 */
import { request } from 'node:http'
import { request as httpsRequest } from 'node:https'

export type HealthState = 'ok' | 'refused' | 'failed'

export function checkHealth(url: string, timeoutMs = 2000): Promise<HealthState> {
  return new Promise((resolve) => {
    const u = new URL('/health', url)
    const req = (u.protocol === 'https:' ? httpsRequest : request)(
      u,
      { method: 'GET', agent: false, timeout: timeoutMs, headers: { connection: 'close' } },
      (res) => {
        res.resume()
        resolve((res.statusCode ?? 500) < 500 ? 'ok' : 'failed')
      }
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve(e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' ? 'refused' : 'failed')
    )
    req.end()
  })
}

export interface HealthWatch {
  stop(): void
}

export interface HealthWatchOptions {
  intervalMs?: number
  /** Failed (not refused) checks in a row that count as gone. */
  misses?: number
  check?: (url: string) => Promise<HealthState>
}

/** Calls onGone once, with the time of the first failed check of the final streak. */
export function watchHealth(
  url: string,
  onGone: (t: number) => void,
  options: HealthWatchOptions = {}
): HealthWatch {
  const intervalMs = options.intervalMs ?? 500
  const misses = options.misses ?? 3
  const check = options.check ?? ((u: string) => checkHealth(u, 2000))
  let stopped = false
  let failed = 0
  let firstMissAt = 0
  let timer: NodeJS.Timeout | null = null
  const tick = async (): Promise<void> => {
    if (stopped) return
    const t = Date.now()
    const state = await check(url)
    if (stopped) return
    if (state === 'ok') failed = 0
    else {
      if (failed === 0) firstMissAt = t
      failed++
      if (state === 'refused' || failed >= misses) {
        stopped = true
        onGone(firstMissAt)
        return
      }
    }
    timer = setTimeout(() => void tick(), intervalMs)
  }
  timer = setTimeout(() => void tick(), intervalMs)
  return {
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
    }
  }
}
