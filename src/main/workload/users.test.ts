import { describe, expect, it } from 'vitest'
import type { ServerLimits } from '../target/types'
import { FakeKalamServer } from './testing/fake-kalam'
import { cannotCreateUsers, dropUsers, planUsers, provisionUsers } from './users'

const limits = (over: Partial<ServerLimits> = {}): ServerLimits => ({
  maxQueriesPerSec: 100,
  maxSubscriptionsPerUser: 10,
  maxMessagesPerSec: 50,
  maxAuthRequestsPerIpPerSec: 20,
  defaultQueryLimit: 50,
  maxQueryLimit: 1000,
  clientTimeoutSecs: 10,
  ...over
})

describe('workload/users', () => {
  describe('planUsers', () => {
    it('runs as the login when the workload fits its limits', () => {
      const plan = planUsers({ writers: 10, writeRequestsPerSec: 20, subscriptions: 5 }, limits())
      expect(plan).toMatchObject({ writerUsers: 0, subscriberUsers: 0, writers: 10 })
      expect(plan.notes).toEqual([])
    })

    it('spreads 1000 inserts/s over enough users to stay under 100 SQL/s each with headroom', () => {
      const plan = planUsers({ writers: 10, writeRequestsPerSec: 1000, subscriptions: 0 }, limits())
      // 60 SQL/s usable per user → 17 users, and one writer per user at least.
      expect(plan.writerUsers).toBe(17)
      expect(plan.writers).toBe(17)
      expect(plan.notes.join(' ')).toMatch(
        /1000 SQL\/s .* 100 queries\/s a user may send: writers run as 17 workload users/
      )
      expect(
        planUsers({ writers: 0, writeRequestsPerSec: 0, subscriptions: 10 }, limits()).notes
      ).toEqual([
        '10 subscriptions are more than the 9 per user planned under the limit of 10: subscribers run as 2 workload users'
      ])
    })

    it('spreads 50 subscriptions over users of at most 9 each under a limit of 10', () => {
      const plan = planUsers({ writers: 0, writeRequestsPerSec: 0, subscriptions: 50 }, limits())
      expect(plan.subscriberUsers).toBe(6)
      expect(plan.writers).toBe(0)
    })

    it("assumes KalamDB's defaults when the server does not report its limits", () => {
      const plan = planUsers({ writers: 1, writeRequestsPerSec: 0, subscriptions: 20 }, null)
      expect(plan.maxSubscriptionsPerUser).toBe(10)
      expect(plan.subscriberUsers).toBe(3)
    })

    it('needs no users on a server with the repo toml limits', () => {
      const plan = planUsers(
        { writers: 10, writeRequestsPerSec: 3000, subscriptions: 50 },
        limits({ maxQueriesPerSec: 100_000, maxSubscriptionsPerUser: 200_000 })
      )
      expect(plan.writerUsers + plan.subscriberUsers).toBe(0)
    })
  })

  describe('cannotCreateUsers', () => {
    it('says what to change in server.toml', () => {
      const needs = { writers: 10, writeRequestsPerSec: 1000, subscriptions: 20 }
      const e = cannotCreateUsers(planUsers(needs, limits()), needs, "'bob' (role user)")
      expect(e.code).toBe('BAD_INPUT')
      expect(e.message).toMatch(/'bob' \(role user\) cannot create users/)
      expect(e.hint).toMatch(/rate_limit.max_queries_per_sec to at least 1692/)
      expect(e.hint).toMatch(/rate_limit.max_subscriptions_per_user to at least 21/)
    })
  })

  describe('provisionUsers', () => {
    it('creates, logs in and assigns writers round-robin and subscribers user by user', async () => {
      const server = new FakeKalamServer()
      const admin = await server.connect({
        url: 'http://127.0.0.1:1',
        credentials: { user: 'admin', password: 'x' }
      })
      const plan = {
        ...planUsers({ writers: 4, writeRequestsPerSec: 100, subscriptions: 12 }, limits()),
        authPerSec: 1000
      }
      const created: string[] = []
      const p = await provisionUsers(
        {
          admin,
          connect: server.connect,
          url: 'http://127.0.0.1:1',
          plan,
          tag: 'abcd',
          signal: new AbortController().signal
        },
        created
      )
      expect(plan.writerUsers).toBe(2)
      expect(plan.subscriberUsers).toBe(2)
      expect(created).toEqual(['kp_abcd_w0', 'kp_abcd_w1', 'kp_abcd_s0', 'kp_abcd_s1'])
      expect(p.writerSlots.map((w) => w.user)).toEqual([
        'kp_abcd_w0',
        'kp_abcd_w1',
        'kp_abcd_w0',
        'kp_abcd_w1'
      ])
      const subs = p.subscriberSlots(12).map((s) => s.user)
      expect(subs.filter((u) => u === 'kp_abcd_s0')).toHaveLength(9)
      expect(subs.filter((u) => u === 'kp_abcd_s1')).toHaveLength(3)
      expect(
        server.sqlLog.some((s) =>
          /^CREATE USER 'kp_abcd_w0' WITH PASSWORD '[^']+' ROLE service$/.test(s)
        )
      ).toBe(true)
      expect(await dropUsers(admin, created)).toEqual([])
      expect(server.users.size).toBe(0)
    })
  })
})
