/**
 * JWT access and refresh tokens (HS256, issuer "kalamdb", claims sub/iss/exp/iat/email/role/
 * token_type — PROTOCOL.md §3) signed with a secret that lives only in this process.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Role, User } from '../engine/catalog'

export interface Claims {
  sub: string
  iss: string
  exp: number
  iat: number
  email: string | null
  role: Role
  token_type: 'access' | 'refresh'
  jti: string
}

export type VerifyResult =
  { ok: true; claims: Claims } | { ok: false; reason: 'invalid' | 'expired' }

export class Tokens {
  private readonly secret = randomBytes(32)

  constructor(private readonly ttlMs: number) {}

  issue(user: User, type: 'access' | 'refresh'): { token: string; expiresAtMs: number } {
    const nowMs = Date.now()
    const lifetime = type === 'access' ? this.ttlMs : this.ttlMs * 7
    const expiresAtMs = nowMs + lifetime
    const claims: Claims = {
      sub: user.id,
      iss: 'kalamdb',
      // Seconds like every JWT, but never equal to iat even for sub-second test TTLs.
      exp: Math.max(Math.floor(expiresAtMs / 1000), Math.floor(nowMs / 1000) + 1),
      iat: Math.floor(nowMs / 1000),
      email: user.email,
      role: user.role,
      token_type: type,
      jti: randomBytes(8).toString('hex')
    }
    const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
    const body = b64(JSON.stringify({ ...claims, exp_ms: expiresAtMs }))
    return { token: `${head}.${body}.${this.sign(`${head}.${body}`)}`, expiresAtMs }
  }

  verify(token: string, type: 'access' | 'refresh'): VerifyResult {
    const parts = token.split('.')
    if (parts.length !== 3) return { ok: false, reason: 'invalid' }
    const [head, body, sig] = parts as [string, string, string]
    const expected = Buffer.from(this.sign(`${head}.${body}`))
    const given = Buffer.from(sig)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, reason: 'invalid' }
    }
    let claims: Claims & { exp_ms?: number }
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claims & {
        exp_ms?: number
      }
    } catch {
      return { ok: false, reason: 'invalid' }
    }
    if (claims.iss !== 'kalamdb' || claims.token_type !== type)
      return { ok: false, reason: 'invalid' }
    // exp_ms keeps sub-second TTLs (--token-ttl 500ms) exact; exp is the standard claim.
    if (Date.now() >= (claims.exp_ms ?? claims.exp * 1000)) return { ok: false, reason: 'expired' }
    return { ok: true, claims }
  }

  private sign(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url')
  }
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64url')
}
