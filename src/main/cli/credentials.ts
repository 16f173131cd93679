/**
 * The auth flags every command that talks to KalamDB shares (DESIGN.md CLI contract):
 * `--user U --password P` or `--token T`, else KALAMDB_USER / KALAMDB_PASSWORD /
 * KALAMDB_TOKEN, else — on a terminal — a prompt for the missing password. Credentials are
 * never printed and never written anywhere: the object returned hides its secret from
 * JSON.stringify and util.inspect, so a stray log line or a session record cannot leak it.
 */
import { inspect } from 'node:util'
import { ProfilerError } from '../../shared/errors'
import type { Credentials } from '../target/types'
import type { OptionSpec } from './command'
import type { CliContext } from './context'

export interface AuthFlags {
  user?: string
  password?: string
  token?: string
}

export const authOptions: OptionSpec[] = [
  { flags: '--user <user>', description: 'KalamDB user to log in as (or KALAMDB_USER)' },
  {
    flags: '--password <password>',
    description: 'its password (or KALAMDB_PASSWORD; asked for on a terminal when missing)'
  },
  {
    flags: '--token <token>',
    description: 'a Bearer access token instead of user and password (or KALAMDB_TOKEN)'
  }
]

const NO_CREDENTIALS =
  'no credentials: pass --user and --password, or --token (or set KALAMDB_USER and KALAMDB_PASSWORD, or KALAMDB_TOKEN)'

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}

/** Hides the secret from JSON and inspection; the fields stay readable to the client. */
function guarded<T extends Credentials>(creds: T): T {
  const shown = 'token' in creds ? { token: '***' } : { user: creds.user, password: '***' }
  Object.defineProperty(creds, 'toJSON', { value: () => shown, enumerable: false })
  Object.defineProperty(creds, inspect.custom, { value: () => shown, enumerable: false })
  return creds
}

/**
 * Flags win over the environment, field by field; a token and a user/password given the
 * same way is ambiguous and refused. A missing password is asked for when the CLI runs on a
 * terminal; otherwise it is a BAD_INPUT naming every way to give it.
 */
export async function resolveCredentials(opts: AuthFlags, ctx: CliContext): Promise<Credentials> {
  const flagToken = nonEmpty(opts.token)
  const flagUser = nonEmpty(opts.user)
  const flagPassword = opts.password
  if (flagToken !== undefined) {
    if (flagUser !== undefined || flagPassword !== undefined) {
      throw new ProfilerError('BAD_INPUT', 'use either --token or --user/--password, not both')
    }
    return guarded({ token: flagToken })
  }
  const envToken = nonEmpty(ctx.env.KALAMDB_TOKEN)
  const user = flagUser ?? nonEmpty(ctx.env.KALAMDB_USER)
  let password = flagPassword ?? ctx.env.KALAMDB_PASSWORD
  if (flagUser === undefined && flagPassword === undefined && envToken !== undefined) {
    return guarded({ token: envToken })
  }
  if (user === undefined) {
    throw new ProfilerError(
      'BAD_INPUT',
      flagPassword !== undefined ? '--password needs --user (or KALAMDB_USER)' : NO_CREDENTIALS
    )
  }
  if (password === undefined) {
    if (!ctx.promptSecret) {
      throw new ProfilerError(
        'BAD_INPUT',
        `no password for user '${user}': pass --password or set KALAMDB_PASSWORD`
      )
    }
    password = await ctx.promptSecret(`Password for KalamDB user '${user}': `).catch(() => {
      throw new ProfilerError('CANCELLED', 'password prompt cancelled')
    })
  }
  if (password === '') {
    throw new ProfilerError('BAD_INPUT', `empty password for user '${user}'`)
  }
  return guarded({ user, password })
}
