/**
 * INSERT, UPDATE and DELETE on a table partition: values coerced to column types, primary-key
 * uniqueness, new row versions with fresh `_seq`, one change notification per row.
 */
import type { Expr, Statement } from '../sql/ast'
import { SqlError } from '../sql/errors'
import { partitionKey, partitionOf, type Table } from './catalog'
import type { Engine, ExecContext } from './engine'
import { compile, truthy, type Row } from './eval'
import { coerce, type Value } from './types'
import { columnIndex, normalizeKey } from './keys'

export function insert(
  engine: Engine,
  s: Extract<Statement, { kind: 'insert' }>,
  ctx: ExecContext
): number {
  const table = engine.resolveTable(s.table, ctx)
  engine.checkWrite(table, ctx)
  const env = engine.env(ctx)
  const names = s.columns ?? table.columns.map((c) => c.name)
  const indexes = names.map((n) => {
    const i = columnIndex(table, n)
    if (i < 0) {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Column '${n}' does not exist in table '${table.key}'`,
        true
      )
    }
    return i
  })
  const dummy: Row = { seq: 0n, deleted: false, values: [] }
  const prepared: Value[][] = s.rows.map((exprs) => {
    if (exprs.length !== names.length) {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Column count mismatch: ${names.length} column(s) but ${exprs.length} value(s)`,
        true
      )
    }
    const values: Value[] = new Array<Value>(table.columns.length).fill(null)
    const given = new Array<boolean>(table.columns.length).fill(false)
    exprs.forEach((e, k) => {
      values[indexes[k]!] = compile(e, [], env)(dummy)
      given[indexes[k]!] = true
    })
    table.columns.forEach((col, i) => {
      const def = table.defaults[i]
      if (!given[i] && def) values[i] = compile(def, [], env)(dummy)
      if (i === table.pkIndex && values[i] === null) {
        throw new SqlError(
          'SQL_EXECUTION_ERROR',
          `Primary key column '${col.name}' cannot be null`,
          true
        )
      }
      values[i] = coerce(values[i] ?? null, col)
    })
    return values
  })
  const pkey = partitionKey(table, ctx.user)
  const part = partitionOf(table, pkey, true)!
  if (table.pkIndex >= 0) {
    const seen = new Set<Value>()
    for (const values of prepared) {
      const key = values[table.pkIndex]!
      if (seen.has(key) || part.get(key)) {
        throw new SqlError(
          'SQL_EXECUTION_ERROR',
          `Primary key violation: a row with ${table.columns[table.pkIndex]!.name} = ${String(key)} already exists in '${table.key}'`,
          true
        )
      }
      seen.add(key)
    }
  }
  const now = Date.now()
  for (const values of prepared) {
    const row: Row = { seq: engine.nextSeq(), deleted: false, values }
    part.put(row, now)
    part.liveCount++
    engine.options.onChange?.({ type: 'insert', table, partition: pkey, row })
  }
  engine.options.onRowsInserted?.(prepared.length)
  engine.maybeAutoFlush(table, part.memtable.size)
  return prepared.length
}

export function matching(
  engine: Engine,
  table: Table,
  where: Expr | undefined,
  ctx: ExecContext
): { rows: Row[]; pkey: string } {
  const pkey = partitionKey(table, ctx.user)
  const part = partitionOf(table, pkey, false)
  if (!part) return { rows: [], pkey }
  const env = engine.env(ctx)
  const pk = table.pkIndex >= 0 ? table.columns[table.pkIndex]!.name : undefined
  if (where && pk && where.kind === 'binary' && where.op === '=') {
    const [c, v] =
      where.left.kind === 'column' ? [where.left, where.right] : [where.right, where.left]
    if (c.kind === 'column' && c.name === pk && (v.kind === 'literal' || v.kind === 'param')) {
      const key = compile(v, [], env)({ seq: 0n, deleted: false, values: [] })
      const row = part.get(normalizeKey(table, key))
      return { rows: row ? [row] : [], pkey }
    }
  }
  const filter = where ? compile(where, table.columns, env) : undefined
  const rows: Row[] = []
  for (const r of part.scan(false)) if (!filter || truthy(filter(r))) rows.push(r)
  return { rows, pkey }
}

export function update(
  engine: Engine,
  s: Extract<Statement, { kind: 'update' }>,
  ctx: ExecContext
): number {
  const table = engine.resolveTable(s.table, ctx)
  engine.checkWrite(table, ctx)
  const env = engine.env(ctx)
  const sets = s.sets.map((set) => {
    const i = columnIndex(table, set.column)
    if (i < 0) {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Column '${set.column}' does not exist in table '${table.key}'`,
        true
      )
    }
    if (i === table.pkIndex) {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Cannot update primary key column '${set.column}'`,
        true
      )
    }
    return { i, fn: compile(set.value, table.columns, env) }
  })
  const { rows, pkey } = matching(engine, table, s.where, ctx)
  const part = partitionOf(table, pkey, true)!
  const updates = rows.map((old) => {
    const values = old.values.slice()
    for (const set of sets) values[set.i] = coerce(set.fn(old), table.columns[set.i]!)
    return { old, row: { seq: engine.nextSeq(), deleted: false, values } as Row }
  })
  const now = Date.now()
  for (const u of updates) {
    part.put(u.row, now)
    engine.options.onChange?.({ type: 'update', table, partition: pkey, row: u.row, old: u.old })
  }
  engine.maybeAutoFlush(table, part.memtable.size)
  return updates.length
}

export function deleteRows(
  engine: Engine,
  s: Extract<Statement, { kind: 'delete' }>,
  ctx: ExecContext
): number {
  const table = engine.resolveTable(s.table, ctx)
  engine.checkWrite(table, ctx)
  const { rows, pkey } = matching(engine, table, s.where, ctx)
  const part = partitionOf(table, pkey, true)!
  const now = Date.now()
  for (const old of rows) {
    part.put({ seq: engine.nextSeq(), deleted: true, values: old.values }, now)
    part.liveCount--
    engine.options.onChange?.({ type: 'delete', table, partition: pkey, row: old, old })
  }
  return rows.length
}
