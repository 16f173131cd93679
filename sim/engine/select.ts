/**
 * SELECT over one row source (a user table partition or a system table): WHERE, ORDER BY,
 * the implicit LIMIT 50 and the 1000-row cap (PROTOCOL.md §4), COUNT(*) and simple
 * aggregates, projection with KalamDB's cell encoding.
 */
import type { Expr, SelectItem, SelectStmt } from '../sql/ast'
import { SqlError } from '../sql/errors'
import { AGGREGATES, compile, truthy, type Compiled, type EvalEnv, type Row } from './eval'
import {
  compareValues,
  encodeCell,
  schemaOf,
  type Column,
  type DataType,
  type SchemaField,
  type Value
} from './types'

export interface RowSource {
  columns: readonly Column[]
  /** -1 when the source has no primary key (views): natural order. */
  pkIndex: number
  /** Live rows in primary-key order; absent for sources without a key. */
  scan(desc: boolean): Iterable<Row>
  lookup?(key: Value): Row | undefined
  /** Exact live row count when known without a scan (COUNT(*) fast path). */
  liveCount?: number
}

export interface QueryLimits {
  defaultLimit: number
  maxLimit: number
}

export interface RowsResult {
  schema: SchemaField[]
  rows: unknown[][]
}

interface OutItem {
  name: string
  type: DataType
  fn: Compiled
  expr: Expr | null
}

const EMPTY_ROW: Row = { seq: 0n, deleted: false, values: [] }

export function runSelect(
  stmt: SelectStmt,
  source: RowSource | null,
  env: EvalEnv,
  limits: QueryLimits
): RowsResult {
  if (stmt.hasJoin) throw new SqlError('INVALID_SQL', 'JOIN is not supported by this server')
  if (stmt.groupBy.length > 0 || stmt.having) {
    throw new SqlError('INVALID_SQL', 'GROUP BY / HAVING is not supported by this server')
  }
  const columns = source?.columns ?? []
  if (stmt.items.some((i) => i.kind === 'star') && !source) {
    throw new SqlError(
      'SQL_EXECUTION_ERROR',
      'SELECT * with no tables specified is not valid',
      true
    )
  }
  const aggregate = stmt.items.some((i) => i.kind === 'expr' && isAggregate(i.expr))
  if (aggregate) return runAggregate(stmt, source, env)

  const items = expandItems(stmt.items, columns, env)
  const filter = stmt.where ? compile(stmt.where, columns, env) : undefined
  const limit = resolveLimit(stmt, env, limits)
  const offset = stmt.offset
    ? Math.max(0, toInt(compile(stmt.offset, [], env)(EMPTY_ROW), 'OFFSET'))
    : 0

  let picked: Row[]
  if (!source) {
    picked = limit > 0 && offset === 0 ? [EMPTY_ROW] : []
  } else {
    picked = pickRows(stmt, source, items, filter, env, limit, offset)
  }
  const schema: SchemaField[] = items.map((it, index) => {
    const e = it.expr
    const col = e?.kind === 'column' ? columns.find((c) => c.name === e.name) : undefined
    const base = col ? schemaOf([col])[0]! : { name: it.name, data_type: it.type, index }
    return { ...base, name: it.name, index }
  })
  const rows = picked.map((r) => items.map((it) => encodeCell(it.fn(r), it.type)))
  return { schema, rows }
}

function pickRows(
  stmt: SelectStmt,
  source: RowSource,
  items: OutItem[],
  filter: Compiled | undefined,
  env: EvalEnv,
  limit: number,
  offset: number
): Row[] {
  const pkName = source.pkIndex >= 0 ? source.columns[source.pkIndex]!.name : undefined
  // WHERE pk = value: one lookup instead of a scan.
  if (source.lookup && pkName && stmt.where) {
    const key = pkEquality(stmt.where, pkName, env)
    if (key !== undefined) {
      const row = source.lookup(key)
      return row && offset === 0 && limit > 0 ? [row] : []
    }
  }
  const order = stmt.orderBy
  const byPkOnly =
    order.length === 0 ||
    (order.length === 1 &&
      pkName !== undefined &&
      order[0]!.expr.kind === 'column' &&
      order[0]!.expr.name === pkName)
  if (byPkOnly) {
    const out: Row[] = []
    let skipped = 0
    if (limit === 0) return out
    for (const r of source.scan(order[0]?.desc ?? false)) {
      if (filter && !truthy(filter(r))) continue
      if (skipped < offset) {
        skipped++
        continue
      }
      out.push(r)
      if (out.length >= limit) break
    }
    return out
  }
  const all: Row[] = []
  for (const r of source.scan(false)) if (!filter || truthy(filter(r))) all.push(r)
  const keys = order.map((o) => ({
    fn: orderKey(o.expr, items, source.columns, env),
    desc: o.desc
  }))
  const decorated = all.map((r) => ({ r, k: keys.map((k) => k.fn(r)) }))
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareValues(a.k[i]!, b.k[i]!)
      if (c !== 0) return keys[i]!.desc ? -c : c
    }
    return 0
  })
  return decorated.slice(offset, offset + limit).map((d) => d.r)
}

function orderKey(
  expr: Expr,
  items: OutItem[],
  columns: readonly Column[],
  env: EvalEnv
): Compiled {
  if (expr.kind === 'column' && expr.table === undefined) {
    const aliased = items.find((i) => i.name === expr.name && i.expr?.kind !== 'column')
    if (aliased) return aliased.fn
  }
  if (expr.kind === 'literal' && typeof expr.value === 'number' && Number.isInteger(expr.value)) {
    const item = items[expr.value - 1]
    if (!item)
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `ORDER BY position ${expr.value} is out of range`,
        true
      )
    return item.fn
  }
  return compile(expr, columns, env)
}

function pkEquality(where: Expr, pk: string, env: EvalEnv): Value | undefined {
  if (where.kind !== 'binary' || where.op !== '=') return undefined
  const [col, val] =
    where.left.kind === 'column' ? [where.left, where.right] : [where.right, where.left]
  if (col.kind !== 'column' || col.name !== pk) return undefined
  if (val.kind !== 'literal' && val.kind !== 'param') return undefined
  return compile(val, [], env)(EMPTY_ROW)
}

function resolveLimit(stmt: SelectStmt, env: EvalEnv, limits: QueryLimits): number {
  if (!stmt.limit) return limits.defaultLimit
  const n = toInt(compile(stmt.limit, [], env)(EMPTY_ROW), 'LIMIT')
  if (n < 0) throw new SqlError('SQL_EXECUTION_ERROR', 'LIMIT must not be negative', true)
  return Math.min(n, limits.maxLimit)
}

function toInt(v: Value, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN
  if (!Number.isInteger(n))
    throw new SqlError('SQL_EXECUTION_ERROR', `${what} must be an integer`, true)
  return n
}

function expandItems(items: SelectItem[], columns: readonly Column[], env: EvalEnv): OutItem[] {
  const out: OutItem[] = []
  for (const item of items) {
    if (item.kind === 'star') {
      columns.forEach((c, i) =>
        out.push({
          name: c.name,
          type: c.type,
          fn: (r) => r.values[i] ?? null,
          expr: { kind: 'column', name: c.name }
        })
      )
      continue
    }
    out.push({
      name: item.alias ?? exprName(item.expr, item.text),
      type: inferType(item.expr, columns, env),
      fn: compile(item.expr, columns, env),
      expr: item.expr
    })
  }
  return out
}

function isAggregate(e: Expr): boolean {
  return e.kind === 'func' && AGGREGATES.has(e.name)
}

function runAggregate(stmt: SelectStmt, source: RowSource | null, env: EvalEnv): RowsResult {
  const columns = source?.columns ?? []
  const items = stmt.items.map((item) => {
    if (item.kind === 'star' || !isAggregate(item.expr)) {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        'Projection references non-aggregate values without GROUP BY',
        true
      )
    }
    return item as Extract<SelectItem, { kind: 'expr' }>
  })
  const filter = stmt.where ? compile(stmt.where, columns, env) : undefined
  const countOnly = items.every(
    (i) => i.expr.kind === 'func' && i.expr.name === 'COUNT' && i.expr.star
  )
  let rows: Row[] | null = null
  let count = 0
  if (countOnly && !filter && source?.liveCount !== undefined) count = source.liveCount
  else {
    rows = []
    if (source)
      for (const r of source.scan(false))
        if (!filter || truthy(filter(r))) rows.push(r)
        else if (!filter || truthy(filter(EMPTY_ROW))) rows.push(EMPTY_ROW)
    count = rows.length
  }
  const schema: SchemaField[] = []
  const cells: unknown[] = []
  items.forEach((item, index) => {
    const f = item.expr as Extract<Expr, { kind: 'func' }>
    const name = item.alias ?? exprName(f, item.text)
    let type: DataType = 'BigInt'
    let value: Value
    if (f.name === 'COUNT') {
      if (f.star || !rows) value = count
      else {
        const arg = compile(f.args[0]!, columns, env)
        value = rows.filter((r) => arg(r) !== null).length
      }
    } else {
      if (!f.args[0])
        throw new SqlError(
          'SQL_EXECUTION_ERROR',
          `${f.name.toLowerCase()}() needs an argument`,
          true
        )
      const arg = compile(f.args[0], columns, env)
      const argType = inferType(f.args[0], columns, env)
      const values = rows!.map(arg).filter((v): v is Exclude<Value, null> => v !== null)
      type = argType
      if (f.name === 'MIN' || f.name === 'MAX') {
        value =
          values.length === 0
            ? null
            : values.reduce((a, b) => (compareValues(a, b) < 0 === (f.name === 'MIN') ? a : b))
      } else if (f.name === 'SUM') {
        if (argType === 'BigInt' || argType === 'Int' || argType === 'SmallInt') {
          type = 'BigInt'
          value =
            values.length === 0
              ? null
              : values.reduce((a: bigint, b) => a + BigInt(b as number | bigint), 0n)
        } else {
          type = 'Double'
          value = values.length === 0 ? null : values.reduce((a: number, b) => a + Number(b), 0)
        }
      } else {
        type = 'Double'
        value =
          values.length === 0
            ? null
            : values.reduce((a: number, b) => a + Number(b), 0) / values.length
      }
    }
    schema.push({ name, data_type: type, index })
    cells.push(encodeCell(value, type))
  })
  return { schema, rows: [cells] }
}

/** Column names as DataFusion prints them for unaliased expressions. */
function exprName(e: Expr, text: string): string {
  if (e.kind === 'column') return e.name
  if (e.kind === 'literal') {
    if (e.value === null) return 'NULL'
    if (typeof e.value === 'boolean') return `Boolean(${e.value})`
    if (typeof e.value === 'string') return `Utf8("${e.value}")`
    return Number.isInteger(e.value) ? `Int64(${e.raw ?? e.value})` : `Float64(${e.value})`
  }
  if (e.kind === 'func') {
    if (e.star) return `${e.name.toLowerCase()}(*)`
    return `${e.name.toLowerCase()}(${e.args.map((a) => (a.kind === 'column' ? a.name : '…')).join(',')})`
  }
  return text
}

function inferType(e: Expr, columns: readonly Column[], env: EvalEnv): DataType {
  switch (e.kind) {
    case 'column': {
      if (e.name === '_seq') return 'BigInt'
      if (e.name === '_deleted') return 'Boolean'
      return (
        columns.find((c) => c.name === e.name || c.name.toLowerCase() === e.name.toLowerCase())
          ?.type ?? 'Text'
      )
    }
    case 'literal':
      return literalType(e.raw !== undefined ? 0n : e.value)
    case 'param':
      return literalType(env.params[e.index - 1] ?? null)
    case 'func':
      switch (e.name) {
        case 'NOW':
          return 'Timestamp'
        case 'SNOWFLAKE_ID':
        case 'COUNT':
          return 'BigInt'
        case 'LENGTH':
          return 'Int'
        case 'ABS':
        case 'COALESCE':
          return e.args[0] ? inferType(e.args[0], columns, env) : 'Text'
        default:
          return 'Text'
      }
    case 'binary': {
      if (['+', '-', '*', '/', '%'].includes(e.op)) {
        const l = inferType(e.left, columns, env)
        const r = inferType(e.right, columns, env)
        const integral = (t: DataType): boolean => t === 'BigInt' || t === 'Int' || t === 'SmallInt'
        return integral(l) && integral(r) ? 'BigInt' : 'Double'
      }
      return e.op === '||' ? 'Text' : 'Boolean'
    }
    case 'unary':
      return e.op === 'NOT' ? 'Boolean' : inferType(e.expr, columns, env)
    default:
      return 'Boolean'
  }
}

function literalType(v: Value): DataType {
  if (typeof v === 'bigint') return 'BigInt'
  if (typeof v === 'number') return Number.isInteger(v) ? 'BigInt' : 'Double'
  if (typeof v === 'boolean') return 'Boolean'
  return 'Text'
}
