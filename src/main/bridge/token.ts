/**
 * The bridge's connection token (STYLE.md §8, after VS Code's serverConnectionToken):
 * random per start, taken once from the URL, then carried by an HttpOnly SameSite=Strict
 * cookie. Without it another page on this machine could drive stress runs through us.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export const TOKEN_COOKIE = 'kp-token'
export const TOKEN_QUERY = 'token'

export function createToken(): string {
  return randomBytes(24).toString('base64url')
}

export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function cookieToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie
  if (!header) return undefined
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === TOKEN_COOKIE) return v.join('=')
  }
  return undefined
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
}

/**
 * DNS rebinding guard: a page on evil.example resolving to 127.0.0.1 sends its own Host.
 * Only our loopback names with our port are accepted.
 */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`
}
