/** Parsers for option values; each throws ProfilerError('BAD_INPUT') with a valid form. */
import { ProfilerError } from '../../shared/errors'
import { parseDuration } from '../../shared/units'

export function intInRange(min: number, max: number, what = 'value'): (v: string) => number {
  return (v) => {
    const n = /^-?\d+$/.test(v.trim()) ? Number(v) : NaN
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ProfilerError(
        'BAD_INPUT',
        `invalid ${what} '${v}': expected a whole number from ${min} to ${max}`
      )
    }
    return n
  }
}

export function numberInRange(min: number, max: number, what = 'value'): (v: string) => number {
  return (v) => {
    const n = v.trim() === '' ? NaN : Number(v)
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new ProfilerError(
        'BAD_INPUT',
        `invalid ${what} '${v}': expected a number from ${min} to ${max}`
      )
    }
    return n
  }
}

export function durationInRange(
  minMs: number,
  maxMs: number,
  what = 'duration'
): (v: string) => number {
  return (v) => {
    const ms = parseDuration(v, what)
    if (ms < minMs || ms > maxMs) {
      throw new ProfilerError(
        'BAD_INPUT',
        `invalid ${what} '${v}': must be between ${asFlag(minMs)} and ${asFlag(maxMs)}`
      )
    }
    return ms
  }
}

/** A duration as a flag would spell it ("100ms", "24h"), so the error names a valid value. */
function asFlag(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/** `--out -` is stdout, as for most Unix tools; without this check '-' became a file named '-'. */
export const STDOUT_PATH = '-'

export function isStdout(out: string | undefined): boolean {
  return out === STDOUT_PATH
}

export const pid = intInRange(1, 4_194_304, 'pid')
export const port = intInRange(0, 65_535, 'port')

export function url(v: string): string {
  let u: URL
  try {
    u = new URL(v)
  } catch {
    throw new ProfilerError('BAD_INPUT', `invalid URL '${v}': expected e.g. http://127.0.0.1:8080`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ProfilerError(
      'BAD_INPUT',
      `invalid URL '${v}': only http:// and https:// are supported`
    )
  }
  return u.origin
}
