/** Live-query SQL: KalamDB's `analyze_subscription_query` rules and texts, then binding to the catalog. */
import { canReadShared, isAdmin, partitionKey, type Role } from '../engine/catalog'
import type { Engine } from '../engine/engine'
import { columnsOf, compile } from '../engine/eval'
import type { SelectStmt } from '../sql/ast'
import { SqlError } from '../sql/errors'
import { parseStatement } from '../sql/parser'
import type { Subscription } from './live'

/**
 * KalamDB's subscription query rules (`analyze_subscription_query`): one namespace-qualified
 * table, direct column projections, a row-local WHERE, nothing else. Texts as the server's.
 */
export function analyzeSubscription(sql: string): SelectStmt {
  const only = 'Only SELECT ... FROM ... [WHERE ...] is supported.'
  if (/^\s*WITH\b/i.test(sql))
    throw new Error(`Subscription query does not support WITH clauses. ${only}`)
  let stmt
  try {
    stmt = parseStatement(sql)
  } catch (e) {
    throw new Error(e instanceof Error ? e.message.replace(/ at position \d+$/, '') : String(e))
  }
  if (stmt.kind !== 'select')
    throw new Error('Subscription query supports only simple SELECT statements.')
  if (stmt.orderBy.length > 0)
    throw new Error(`Subscription query does not support ORDER BY. ${only}`)
  if (stmt.limit || stmt.offset)
    throw new Error('Subscription query supports only SELECT ... FROM ... [WHERE ...].')
  if (stmt.distinct || stmt.having)
    throw new Error('Subscription query supports only SELECT ... FROM ... [WHERE ...].')
  if (stmt.groupBy.length > 0)
    throw new Error(`Subscription query does not support GROUP BY. ${only}`)
  if (!stmt.from)
    throw new Error('Subscription query requires exactly one table in the FROM clause.')
  if (stmt.hasJoin) throw new Error(`Subscription query does not support JOIN clauses. ${only}`)
  if (stmt.tableAlias !== undefined)
    throw new Error('Subscription query does not support table aliases.')
  if (stmt.from.namespace === undefined) {
    throw new Error(
      `Subscription query requires a namespace-qualified table name (namespace.table), got '${stmt.from.name}'.`
    )
  }
  for (const item of stmt.items) {
    if (item.kind === 'star') continue
    if (item.expr.kind !== 'column' || item.alias !== undefined) {
      throw new Error('Subscription query projections must be direct column references.')
    }
    if (item.expr.name === '_seq' || item.expr.name === '_deleted') {
      throw new Error("Subscription query cannot project system columns '_seq' or '_deleted'.")
    }
  }
  if (stmt.where && hasSubquery(stmt.where)) {
    throw new Error(
      'Subscription WHERE clause does not support subqueries; only row-local predicates are allowed.'
    )
  }
  return stmt
}

function hasSubquery(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false
  if ((e as { kind?: string }).kind === 'subquery') return true
  return Object.values(e).some((v) => (Array.isArray(v) ? v.some(hasSubquery) : hasSubquery(v)))
}

/**
 * Resolves a validated subscription query against the catalog: table or system table,
 * permissions (USER partition, SHARED access level, admin-only system tables), projection and
 * compiled WHERE. Returns the error to send, or null when `sub` is ready.
 */
export function bindSubscription(
  engine: Engine,
  sub: Subscription,
  stmt: SelectStmt,
  role: Role
): { code: string; message: string } | null {
  const fail = (code: string, message: string): { code: string; message: string } => ({
    code,
    message
  })
  const ns = stmt.from!.namespace!.toLowerCase()
  const tname = stmt.from!.name.toLowerCase()
  const env = { params: [], user: sub.conn.user!, snowflake: () => engine.snowflake.next() }
  try {
    if (ns === 'system') {
      const sys = engine.systemTables.get(tname)
      if (!sys) return fail('NOT_FOUND', `Not found: Table not found: system:${tname}`)
      if (!isAdmin(role))
        return fail('UNAUTHORIZED', `Permission denied: system tables require a dba or system role`)
      sub.systemColumns = sys.columns
      sub.systemRows = () => sys.rows().map((values) => ({ seq: 0n, deleted: false, values }))
    } else {
      const table = engine.tables.get(`${ns}.${tname}`)
      if (!table) return fail('NOT_FOUND', `Not found: Table not found: ${ns}:${tname}`)
      if (table.type === 'SHARED' && !canReadShared(table.accessLevel ?? 'PRIVATE', role)) {
        return fail(
          'UNAUTHORIZED',
          `Permission denied: insufficient privileges for shared table '${ns}.${tname}' (access_level=${table.accessLevel})`
        )
      }
      sub.table = table
      sub.partition = partitionKey(table, sub.conn.user!)
    }
    const cols = sub.table ? sub.table.columns : sub.systemColumns!
    const proj: number[] = []
    for (const item of stmt.items) {
      if (item.kind === 'star') continue
      const name = (item.expr as { name: string }).name
      const i = cols.findIndex((c) => c.name === name)
      if (i < 0)
        return fail(
          'INVALID_SQL',
          `Invalid SQL: Invalid SQL: Column '${name}' not found in table '${ns}.${tname}'`
        )
      proj.push(i)
    }
    sub.projection = stmt.items.some((i) => i.kind === 'star') ? null : proj
    if (stmt.where) {
      for (const c of columnsOf(stmt.where)) {
        if (c !== '_seq' && c !== '_deleted' && !cols.some((x) => x.name === c)) {
          return fail(
            'INVALID_SQL',
            `Invalid SQL: Invalid SQL: Column '${c}' not found in table '${ns}.${tname}'`
          )
        }
      }
      sub.filter = compile(stmt.where, cols, env)
    }
  } catch (e) {
    return fail('SUBSCRIPTION_FAILED', e instanceof SqlError ? e.message : String(e))
  }
  return null
}
