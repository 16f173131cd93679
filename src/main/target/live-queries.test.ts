import { describe, expect, it } from 'vitest'
import { type FakeKalam, fixture, json } from '../../../test/fixtures/kalamdb/fake-server'
import { connectToFake, fakeKalamSlot } from '../../../test/helpers/fake-kalam'
import { LIVE_COUNT_SQL, LIVE_QUERIES_SQL, countOf, parseLiveQueries } from './live-queries'
import { parseSqlResponse } from './sql'
import { statsSql } from './stats'
import type { KalamClient, SqlResponse } from './types'

const kalam = fakeKalamSlot()

function response(text: string): SqlResponse {
  return parseSqlResponse(
    { status: 200, contentType: 'application/json', text, elapsedMs: 1 },
    'http://x'
  )
}

async function connected(answer: () => string): Promise<KalamClient> {
  const client = await connectToFake(kalam, { 'POST /v1/api/sql': () => json(answer()) })
  return client
}

function sentSql(f: FakeKalam): string {
  return (JSON.parse(f.requests.at(-1)!.body) as { sql: string }).sql
}

describe('live-queries', () => {
  it('asks for an exact COUNT(*) and the rows past the implicit 50-row limit, in one batch', () => {
    expect(LIVE_QUERIES_SQL).toBe(
      'SELECT COUNT(*) AS total FROM system.live; SELECT user_id, status FROM system.live LIMIT 1000'
    )
  })

  it('sums system.live by status and by user', () => {
    expect(parseLiveQueries(response(fixture('sql-system-live.json')), 7)).toEqual({
      polledAt: 7,
      total: 4,
      byStatus: { active: 3, paused: 1 },
      byUser: { admin: 2, load_1: 2 },
      truncated: false
    })
  })

  it('says when the server counted more rows than a SELECT may list', () => {
    const body = JSON.parse(fixture('sql-system-live.json')) as {
      results: { rows: string[][] }[]
    }
    body.results[0]!.rows = [['1500']]
    const live = parseLiveQueries(response(JSON.stringify(body)), 0)
    expect(live).toMatchObject({ total: 1500, truncated: true })
  })

  it('reads a COUNT(*) cell as the BIGINT string it is, and nothing else', () => {
    const set = response(fixture('sql-system-live.json')).results[0]
    expect(countOf(set)).toBe(4)
    expect(countOf(undefined)).toBeUndefined()
    expect(countOf({ schema: [], rows: [['n/a']], rowCount: 1 })).toBeUndefined()
  })

  describe('KalamClient.liveQueries', () => {
    it('sends the batch and types the answer', async () => {
      const c = await connected(() => fixture('sql-system-live.json'))
      const live = await c.liveQueries!()
      expect(sentSql(kalam.fake!)).toBe(LIVE_QUERIES_SQL)
      expect(live).toMatchObject({ total: 4, byUser: { admin: 2, load_1: 2 } })
      expect(live.polledAt).toBeGreaterThan(0)
    })
  })

  describe('KalamClient.stats with liveQueries', () => {
    it('counts system.live in the same request and types it as ServerStats.liveQueries', async () => {
      const live = JSON.parse(fixture('sql-system-live.json')) as { results: unknown[] }
      const stats = {
        schema: [
          { name: 'metric_name', data_type: 'Text', index: 0 },
          { name: 'metric_value', data_type: 'Text', index: 1 }
        ],
        rows: [['active_subscriptions', '4']],
        row_count: 1,
        as_user: 'admin'
      }
      const c = await connected(() =>
        JSON.stringify({ status: 'success', results: [stats, live.results[0]], took: 1 })
      )
      const s = await c.stats(['active_subscriptions'], { liveQueries: true })
      expect(sentSql(kalam.fake!)).toBe(`${statsSql(['active_subscriptions'])}; ${LIVE_COUNT_SQL}`)
      expect(s).toMatchObject({ activeSubscriptions: 4, liveQueries: 4 })
      expect(s.raw).toEqual({ active_subscriptions: '4' })
    })

    it('leaves liveQueries out unless asked', async () => {
      const c = await connected(() => fixture('sql-system-live.json'))
      const s = await c.stats(['active_subscriptions'])
      expect(sentSql(kalam.fake!)).toBe(statsSql(['active_subscriptions']))
      expect(s).not.toHaveProperty('liveQueries')
    })
  })
})
