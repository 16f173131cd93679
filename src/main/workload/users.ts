/**
 * Keeps KalamDB's per-user limits from masquerading as server failures (DESIGN.md "KalamDB
 * facts"): 100 SQL/s per user (429), 10 live subscriptions per user. When a workload needs
 * more than one user can do, the engine creates workload users for the run (role `service`:
 * KalamDB lets only service/dba/system write a SHARED table, and PUBLIC access lets any
 * role subscribe to it), spreads writers and
 * subscribers over them, and drops them afterwards. Without the right to create users it
 * says so before any load, with what to change.
 */
import { randomBytes } from 'node:crypto'
import { ProfilerError } from '../../shared/errors'
import type { ConnectOptions, KalamClient, ServerLimits } from '../target/types'
import { sleep } from './clock'
import { quoteLiteral } from './schema'
import type { SubscriberSlot } from './subscribers'
import type { WriterSlot } from './writers'

/** KalamDB's code defaults (PROTOCOL.md §5), assumed when the server does not say. */
export const DEFAULT_LIMITS = {
  maxQueriesPerSec: 100,
  maxSubscriptionsPerUser: 10,
  maxAuthRequestsPerIpPerSec: 20
} as const

/**
 * Share of a per-user token bucket a workload may plan to use: writers catch up in bursts
 * after a stall, and a bucket at 100% would answer 429 for our own burst, not the server's
 * overload.
 */
export const RATE_HEADROOM = 0.6

/** SQL/s the run's own login spends besides the writers (stats polls, flush jobs, prober). */
export const ADMIN_QUERIES_PER_SEC = 15

export interface WorkloadNeeds {
  writers: number
  /** Writer requests per second at the highest rate of the run (rows/s ÷ batch size). */
  writeRequestsPerSec: number
  subscriptions: number
}

export interface UserPlan {
  /** 0 = the writers run as the logged-in user. */
  writerUsers: number
  /** 0 = the subscribers run as the logged-in user. */
  subscriberUsers: number
  /** Writers, raised when one writer alone would exceed a user's rate. */
  writers: number
  maxQueriesPerSec: number
  maxSubscriptionsPerUser: number
  /** Per-IP auth attempts per second we allow ourselves (logins and WebSocket auth). */
  authPerSec: number
  /** What the plan does, in words, for the session record and the CLI. */
  notes: string[]
}

export function planUsers(needs: WorkloadNeeds, limits: ServerLimits | null): UserPlan {
  const qps = limits?.maxQueriesPerSec ?? DEFAULT_LIMITS.maxQueriesPerSec
  const subsPerUser = limits?.maxSubscriptionsPerUser ?? DEFAULT_LIMITS.maxSubscriptionsPerUser
  const auth = limits?.maxAuthRequestsPerIpPerSec ?? DEFAULT_LIMITS.maxAuthRequestsPerIpPerSec
  const usable = Math.max(1, Math.floor(qps * RATE_HEADROOM))
  // One subscription of headroom per user: the per-user counter is decremented only once
  // the server has processed a close.
  const usableSubs = Math.max(1, subsPerUser - 1)
  const notes: string[] = []
  let writerUsers = 0
  if (needs.writers > 0 && needs.writeRequestsPerSec + ADMIN_QUERIES_PER_SEC > usable) {
    writerUsers = Math.ceil(needs.writeRequestsPerSec / usable)
    notes.push(
      `${round(needs.writeRequestsPerSec)} SQL/s of inserts plus the run's own queries would use more than ${Math.round(RATE_HEADROOM * 100)}% of the ${qps} queries/s a user may send: writers run as ${writerUsers} workload user${writerUsers === 1 ? '' : 's'}`
    )
  }
  let subscriberUsers = 0
  if (needs.subscriptions > usableSubs) {
    subscriberUsers = Math.ceil(needs.subscriptions / usableSubs)
    notes.push(
      `${needs.subscriptions} subscriptions are more than the ${usableSubs} per user planned under the limit of ${subsPerUser}: subscribers run as ${subscriberUsers} workload users`
    )
  }
  const writers = needs.writers > 0 ? Math.max(needs.writers, writerUsers) : 0
  if (writers > needs.writers) notes.push(`writers raised to ${writers}, one per workload user`)
  return {
    writerUsers,
    subscriberUsers,
    writers,
    maxQueriesPerSec: qps,
    maxSubscriptionsPerUser: subsPerUser,
    authPerSec: Math.max(1, Math.floor(auth * 0.5)),
    notes
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}

/** The error when users are needed but the login cannot create them. */
export function cannotCreateUsers(
  plan: UserPlan,
  needs: WorkloadNeeds,
  who: string
): ProfilerError {
  const needQps = Math.ceil((needs.writeRequestsPerSec + ADMIN_QUERIES_PER_SEC) / RATE_HEADROOM)
  const fixes: string[] = []
  if (plan.writerUsers > 0) fixes.push(`rate_limit.max_queries_per_sec to at least ${needQps}`)
  if (plan.subscriberUsers > 0)
    fixes.push(`rate_limit.max_subscriptions_per_user to at least ${needs.subscriptions + 1}`)
  return new ProfilerError(
    'BAD_INPUT',
    `this workload needs ${plan.writerUsers + plan.subscriberUsers} workload users to stay under the server's per-user limits, but ${who} cannot create users`,
    {
      hint: `log in as a dba user, or raise ${fixes.join(' and ')} in server.toml (or lower the rate / subscriber count)`
    }
  )
}

export type Connect = (options: ConnectOptions) => Promise<KalamClient>

export interface ProvisionOptions {
  admin: KalamClient
  connect: Connect
  url: string
  plan: UserPlan
  tag: string
  signal: AbortSignal
}

export interface Provisioned {
  writerSlots: WriterSlot[]
  subscriberSlots: (subscriptions: number) => SubscriberSlot[]
  /** Clients of workload users (not the admin), to close at the end. */
  clients: KalamClient[]
  /** Names of users created (to drop). */
  users: string[]
}

export function canCreateUsers(role: string | null): boolean {
  return role === null || role === 'dba' || role === 'system'
}

/**
 * Creates the planned users and logs each in. Logins are paced under the per-IP auth limit.
 * On failure the users created so far are returned in the error's cleanup list by the caller
 * (`created` is filled as it goes).
 */
export async function provisionUsers(o: ProvisionOptions, created: string[]): Promise<Provisioned> {
  const clients: KalamClient[] = []
  const gapMs = 1000 / o.plan.authPerSec
  const make = async (name: string): Promise<KalamClient> => {
    const password = `Kp-${randomBytes(12).toString('hex')}`
    await o.admin.sql(
      `CREATE USER ${quoteLiteral(name)} WITH PASSWORD ${quoteLiteral(password)} ROLE service`,
      {
        signal: o.signal
      }
    )
    created.push(name)
    await sleep(gapMs, o.signal)
    const client = await o.connect({
      url: o.url,
      credentials: { user: name, password },
      signal: o.signal
    })
    clients.push(client)
    return client
  }
  const writerClients: { client: KalamClient; user: string }[] = []
  for (let i = 0; i < o.plan.writerUsers; i++) {
    const name = `kp_${o.tag}_w${i}`
    writerClients.push({ client: await make(name), user: name })
  }
  const subscriberClients: { client: KalamClient; user: string }[] = []
  for (let i = 0; i < o.plan.subscriberUsers; i++) {
    const name = `kp_${o.tag}_s${i}`
    subscriberClients.push({ client: await make(name), user: name })
  }
  const self = { client: o.admin, user: o.admin.user ?? 'self' }
  const writerPool = writerClients.length > 0 ? writerClients : [self]
  const writerSlots: WriterSlot[] = []
  for (let i = 0; i < o.plan.writers; i++) {
    const w = writerPool[i % writerPool.length]!
    writerSlots.push({ runner: w.client, user: w.user })
  }
  const subPool = subscriberClients.length > 0 ? subscriberClients : [self]
  // Fill users one after the other (not round-robin) so closing the last ones frees whole users.
  const perUser = Math.max(1, o.plan.maxSubscriptionsPerUser - 1)
  const subscriberSlots = (n: number): SubscriberSlot[] =>
    Array.from({ length: n }, (_, i) => {
      const s = subPool[Math.min(subPool.length - 1, Math.floor(i / perUser))]!
      return { opener: s.client, user: s.user }
    })
  return { writerSlots, subscriberSlots, clients, users: created }
}

/** Drops workload users; failures are returned as warnings (cleanup never throws). */
export async function dropUsers(admin: KalamClient, users: string[]): Promise<string[]> {
  const warnings: string[] = []
  for (const u of users) {
    const out = await admin.trySql(`DROP USER ${quoteLiteral(u)}`)
    if (!out.ok) warnings.push(`could not drop workload user ${u}: ${out.error.message}`)
  }
  return warnings
}
