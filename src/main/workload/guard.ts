/**
 * Loopback by default: a stress run against someone else's server by a typo in --url would
 * be rude at best. A non-loopback URL needs an explicit allowRemote.
 */
import { ProfilerError } from '../../shared/errors'

export function isLoopbackUrl(url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname
  } catch {
    return false
  }
  host = host.replace(/^\[|\]$/g, '').toLowerCase()
  return (
    host === 'localhost' ||
    host === '::1' ||
    /^127(?:\.\d{1,3}){3}$/.test(host) ||
    host === '::ffff:127.0.0.1'
  )
}

export function assertTargetAllowed(url: string, allowRemote: boolean | undefined): void {
  if (allowRemote || isLoopbackUrl(url)) return
  throw new ProfilerError(
    'BAD_INPUT',
    `${url} is not a loopback address: stress runs target this machine only`,
    { hint: 'pass --allow-remote to run against a remote server on purpose' }
  )
}

/** The TCP port of a base URL (the scheme's default when none is written); null if unparsable. */
export function portOfUrl(url: string): number | null {
  try {
    const u = new URL(url)
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80))
  } catch {
    return null
  }
}
