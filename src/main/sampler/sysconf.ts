/**
 * Two constants of the kernel build that /proc counts in: the clock tick (USER_HZ, the unit
 * of CPU time in /proc/PID/stat) and the page size (the unit of /proc/PID/statm). Both are
 * all but fixed on mainstream Linux (100 ticks/s; 4 KiB pages on x86, but 16 or 64 KiB on
 * some arm64 builds), so `getconf` is asked once and a failure falls back to those.
 */
import { execFileSync } from 'node:child_process'

/** What glibc's sysconf(_SC_CLK_TCK) returns on x86 and arm Linux builds. */
export const DEFAULT_CLOCK_TICKS = 100
/** x86-64's page size. */
export const DEFAULT_PAGE_SIZE = 4096

/** A positive integer printed by getconf, or null. */
export function parseGetconfNumber(text: string): number | null {
  const n = Number(text.trim())
  return Number.isInteger(n) && n > 0 ? n : null
}

const cache = new Map<string, number>()

/** `getconf name`, on first call only (never off Linux); the fallback when it fails. */
function getconf(name: string, fallback: number): number {
  const known = cache.get(name)
  if (known !== undefined) return known
  let value = fallback
  if (process.platform === 'linux') {
    try {
      const out = execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2000 })
      value = parseGetconfNumber(out) ?? fallback
    } catch {
      // getconf missing (minimal containers): the default is right for mainstream kernels.
    }
  }
  cache.set(name, value)
  return value
}

/** Clock ticks per second (sysconf _SC_CLK_TCK). */
export function clockTicksPerSecond(): number {
  return getconf('CLK_TCK', DEFAULT_CLOCK_TICKS)
}

/** The kernel's page size in bytes (sysconf _SC_PAGESIZE). */
export function pageSizeBytes(): number {
  return getconf('PAGESIZE', DEFAULT_PAGE_SIZE)
}
