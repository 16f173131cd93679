/**
 * Credentials never reach a report (DESIGN.md "Auth flags … never written to a session or
 * report"). The recorder is meant to leave them out already; reports scrub again anyway,
 * because a session can come from an older profiler, a hand-edited file or a bug, and a report
 * is made to be pasted into a public issue.
 *
 * Three nets: values under secret-bearing keys, secret flags in argv, and secret-looking
 * patterns inside any string (Authorization headers, bearer tokens, JWTs, URL passwords,
 * `password=` pairs), plus any literal secret the caller knows (the current KALAMDB_PASSWORD).
 */
import type { SessionData } from '../../shared/session'

export const REDACTED = '[redacted]'

/** Key fragments (lower-case, without - and _) that mark a credential anywhere in a key. */
const SECRET_KEY_PARTS = [
  'password',
  'passwd',
  'secret',
  'credential',
  'authorization',
  'cookie',
  'apikey',
  'accesskey',
  'privatekey'
]
/** Key endings that mark a credential: `token`, `authToken`, `KALAMDB_PASS`, `basicAuth`. */
const SECRET_KEY_ENDINGS = ['token', 'pass', 'pwd', 'jwt', 'auth']

/** argv flags whose value is a credential (`--password X`, `--password=X`). */
const SECRET_FLAGS = new Set([
  '--password',
  '--pass',
  '--token',
  '--access-token',
  '--api-key',
  '--auth',
  '--authorization',
  '--secret',
  '--jwt',
  '--cookie'
])

/** argv flags whose value is `user:password` (the simulator's --configured). */
const USER_PASS_FLAGS = new Set(['--configured', '--basic-auth'])

/** argv flags whose value is a header line: only an Authorization/Cookie one is secret. */
const HEADER_FLAGS = new Set(['--header', '-H'])

/**
 * True for keys that hold a credential. Only string and object values under them are blanked
 * (see redactValue), so `pass: true` of a criterion or a count of tokens stays readable.
 */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '')
  return (
    SECRET_KEY_PARTS.some((p) => k.includes(p)) || SECRET_KEY_ENDINGS.some((e) => k.endsWith(e))
  )
}

/** Scrubs secret-looking parts of free text (error messages, reasons, URLs). */
export function redactText(text: string, literals: readonly string[] = []): string {
  let out = text
  for (const lit of literals) {
    // Very short literals would blank out ordinary words; a real secret is longer.
    if (lit.length >= 4) out = out.split(lit).join(REDACTED)
  }
  return (
    out
      // Authorization: Bearer xxx / Basic xxx (header lines, curl -H text, JSON-ish dumps).
      .replace(
        /((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token)\s+)?[^\s"',;}]+/gi,
        (_m, head: string, scheme: string | undefined) =>
          `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`
      )
      .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`)
      // JWTs anywhere: header.payload.signature, base64url.
      .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED)
      // user:password@ in URLs.
      .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s@]*@/gi, `$1:${REDACTED}@`)
      // password=…, token=…, "password": "…", KALAMDB_PASSWORD=… (query strings, env, JSON).
      .replace(
        /(\b[\w-]*(?:password|passwd|pwd|token|secret|api[-_]?key|access[-_]?key)["']?\s*[:=]\s*["']?)([^\s"'&,;}]+)/gi,
        (m, head: string, value: string) => (value === REDACTED ? m : `${head}${REDACTED}`)
      )
  )
}

/** argv with credential values removed; flags themselves stay so the reader sees they were given. */
export function redactArgv(argv: readonly string[], literals: readonly string[] = []): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = String(argv[i])
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('-') && eq > 0 ? arg.slice(0, eq) : arg
    const inline = arg.startsWith('-') && eq > 0
    const kind = SECRET_FLAGS.has(flag)
      ? 'secret'
      : USER_PASS_FLAGS.has(flag)
        ? 'user-pass'
        : HEADER_FLAGS.has(flag)
          ? 'header'
          : null
    if (kind === null) {
      out.push(redactText(arg, literals))
      continue
    }
    const value = inline ? arg.slice(eq + 1) : argv[i + 1]
    if (value === undefined) {
      out.push(arg)
      continue
    }
    if (!inline) i++
    const clean =
      kind === 'secret'
        ? REDACTED
        : kind === 'user-pass'
          ? value.includes(':')
            ? `${value.slice(0, value.indexOf(':'))}:${REDACTED}`
            : REDACTED
          : /^\s*(?:proxy-)?(?:authorization|cookie)\s*:/i.test(value)
            ? `${value.slice(0, value.indexOf(':'))}: ${REDACTED}`
            : redactText(value, literals)
    if (inline) out.push(`${flag}=${clean}`)
    else out.push(flag, clean)
  }
  return out
}

/** Deep copy of any JSON-like value with secret keys blanked and strings scrubbed. */
export function redactValue<T>(value: T, literals: readonly string[] = []): T {
  return walk(value, literals, 0) as T
}

function walk(v: unknown, literals: readonly string[], depth: number): unknown {
  if (typeof v === 'string') return redactText(v, literals)
  if (v === null || typeof v !== 'object' || depth > 64) return v
  if (Array.isArray(v)) {
    // An argv-shaped array (all strings, some flags) gets flag-aware treatment.
    if (v.length > 0 && v.every((x) => typeof x === 'string') && v.some((x) => x.startsWith('-')))
      return redactArgv(v as string[], literals)
    return v.map((x) => walk(x, literals, depth + 1))
  }
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) {
    out[k] =
      isSecretKey(k) && (typeof x === 'string' ? x !== '' : typeof x === 'object' && x !== null)
        ? REDACTED
        : walk(x, literals, depth + 1)
  }
  return out
}

/**
 * The session as a report may show it. Samples are numbers only (the Sample contract) and are
 * passed through untouched, so a 1-hour 10 Hz session costs no copy; everything else is scrubbed.
 */
export function redactSession(session: SessionData, literals: readonly string[] = []): SessionData {
  return {
    ...session,
    meta: redactValue(session.meta, literals),
    events: redactValue(session.events, literals),
    verdicts: redactValue(session.verdicts, literals),
    latency: redactValue(session.latency, literals),
    snapshots: redactValue(session.snapshots, literals)
  }
}

/** Secrets the running process knows, to scrub literally wherever they show up. */
export function secretsFromEnv(env: Record<string, string | undefined>): string[] {
  return ['KALAMDB_PASSWORD', 'KALAMDB_TOKEN']
    .map((k) => env[k])
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
}

/**
 * argv for a command line a reader will paste: secret flags are dropped with their values
 * (a `[redacted]` placeholder would be taken literally as the password), the rest scrubbed.
 */
export function stripSecretArgs(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = String(argv[i])
    const flag = arg.startsWith('-') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg
    if (SECRET_FLAGS.has(flag)) {
      if (flag === arg) i++
      continue
    }
    if (/^(KALAMDB_PASSWORD|KALAMDB_TOKEN)=/.test(arg)) continue
    out.push(arg)
  }
  return redactArgv(out)
}
