/**
 * The kernel's clock tick (USER_HZ): /proc/PID/stat counts CPU time in these. 100 on every
 * mainstream Linux build, but it is a build option, so ask `getconf CLK_TCK` once.
 */
import { execFileSync } from 'node:child_process'

/** What glibc's sysconf(_SC_CLK_TCK) returns on x86 and arm Linux builds. */
export const DEFAULT_CLOCK_TICKS = 100

let cached: number | undefined

export function parseClockTicks(text: string): number | null {
  const n = Number(text.trim())
  return Number.isInteger(n) && n > 0 ? n : null
}

/** Clock ticks per second; runs getconf on first call only (and never off Linux). */
export function clockTicksPerSecond(): number {
  if (cached !== undefined) return cached
  cached = DEFAULT_CLOCK_TICKS
  if (process.platform === 'linux') {
    try {
      const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 })
      cached = parseClockTicks(out) ?? DEFAULT_CLOCK_TICKS
    } catch {
      // getconf missing (minimal containers): the default is right for mainstream kernels.
    }
  }
  return cached
}
