/**
 * Turns "attach to pid N", "attach to URL U" or both into a target the profiler can watch:
 * the process (for /proc) and the server URL (for SQL, stats and scenarios).
 */
import { existsSync } from 'node:fs'
import { ProfilerError } from '../../shared/errors'
import type { Engine } from './engine'

export interface ResolvedTarget {
  pid: number | null
  url: string | null
  httpPort: number | null
  version: string | null
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

export async function resolveTarget(
  request: { pid?: number; url?: string },
  engine: Pick<Engine, 'discoverTargets' | 'findPidListeningOn'>
): Promise<ResolvedTarget> {
  if (request.url !== undefined) {
    const u = parseUrl(request.url)
    const httpPort = Number(u.port || (u.protocol === 'https:' ? 443 : 80))
    let pid = request.pid ?? null
    // Only a server on this machine has a process we can read.
    if (pid === null && LOOPBACK.has(u.hostname)) {
      pid = await engine.findPidListeningOn(httpPort).catch(() => null)
    }
    if (pid !== null) assertProcess(pid)
    return { pid, url: u.origin, httpPort, version: null }
  }
  const pid = request.pid as number
  assertProcess(pid)
  const targets = await engine.discoverTargets({ all: true }).catch(() => [])
  const t = targets.find((x) => x.pid === pid)
  return {
    pid,
    url: t?.baseUrl ?? null,
    httpPort: t?.httpPort ?? null,
    version: t?.version ?? null
  }
}

function parseUrl(text: string): URL {
  try {
    const u = new URL(text)
    if (u.protocol === 'http:' || u.protocol === 'https:') return u
  } catch {
    // fall through to the one-line error
  }
  throw new ProfilerError('BAD_INPUT', `invalid URL '${text}': use e.g. http://127.0.0.1:8080`)
}

function assertProcess(pid: number): void {
  const alive =
    process.platform === 'linux'
      ? existsSync(`/proc/${pid}`)
      : (() => {
          try {
            process.kill(pid, 0)
            return true
          } catch (e) {
            return (e as NodeJS.ErrnoException).code === 'EPERM'
          }
        })()
  if (!alive) throw new ProfilerError('PID_NOT_FOUND', `no process with pid ${pid}`)
}
