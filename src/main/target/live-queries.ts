/**
 * The server's list of subscriptions, `system.live` (PROTOCOL.md §8: one row per live query,
 * `user_id` and `status` among its columns), summed into counts.
 *
 * A plain `SELECT * FROM system.live` shows at most 50 rows (the implicit limit, §4) and no
 * SELECT more than 1000, so the total is a COUNT(*) and the breakdown lists at most 1000 rows;
 * both travel in one batch, so one request (one unit of "activity" for the server's idle trim).
 * No GROUP BY: the simulator does not run it, and the counts are cheap to sum here.
 */
import type { LiveQueries, SqlResponse, SqlResultSet } from './types'
import { cellText } from './sql'

/** Every row of system.live, exactly (COUNT(*) is a BIGINT: a string cell). */
export const LIVE_COUNT_SQL = 'SELECT COUNT(*) AS total FROM system.live'

/** The columns the breakdown needs, past the implicit 50-row limit up to the 1000-row cap. */
export const LIVE_ROWS_SQL = 'SELECT user_id, status FROM system.live LIMIT 1000'

/** What `liveQueries()` sends: the count, then the rows. */
export const LIVE_QUERIES_SQL = `${LIVE_COUNT_SQL}; ${LIVE_ROWS_SQL}`

/** The count of a `SELECT COUNT(*) …` result set, or undefined when it has none. */
export function countOf(set: SqlResultSet | undefined): number | undefined {
  const text = cellText(set?.rows[0]?.[0])
  if (text === null || !/^\d+$/.test(text)) return undefined
  return Number(text)
}

/** The answer to LIVE_QUERIES_SQL, summed by status and by user. */
export function parseLiveQueries(response: SqlResponse, polledAt: number): LiveQueries {
  const [countSet, rowSet] = response.results
  const rows = rowSet?.rows ?? []
  const byStatus: Record<string, number> = {}
  const byUser: Record<string, number> = {}
  for (const row of rows) {
    const user = cellText(row[0]) ?? ''
    const status = cellText(row[1]) ?? ''
    byUser[user] = (byUser[user] ?? 0) + 1
    byStatus[status] = (byStatus[status] ?? 0) + 1
  }
  const total = countOf(countSet) ?? rows.length
  return { polledAt, total, byStatus, byUser, truncated: rows.length < total }
}
