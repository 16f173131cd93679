/**
 * Compiles an expression into a closure over one stored row, so WHERE filters of queries
 * and subscriptions resolve column names once, not once per row.
 */
import type { Expr } from '../sql/ast'
import { SqlError } from '../sql/errors'
import { compareValues, valuesEqual, type Column, type Value } from './types'

/** A stored row version: the user columns plus KalamDB's system columns `_seq` and `_deleted`. */
export interface Row {
  seq: bigint
  deleted: boolean
  values: Value[]
}

export interface EvalEnv {
  params: readonly Value[]
  /** Effective user id: CURRENT_USER(). */
  user: string
  snowflake: () => bigint
}

export type Compiled = (row: Row) => Value

export const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG'])

export function compile(expr: Expr, columns: readonly Column[], env: EvalEnv): Compiled {
  switch (expr.kind) {
    case 'literal': {
      const v: Value = expr.raw !== undefined ? BigInt(expr.raw) : expr.value
      return () => v
    }
    case 'param': {
      if (expr.index > env.params.length) {
        throw new SqlError(
          'SQL_EXECUTION_ERROR',
          `No value supplied for parameter $${expr.index} (${env.params.length} given)`,
          true
        )
      }
      const v = env.params[expr.index - 1]!
      return () => v
    }
    case 'column':
      return columnGetter(expr.name, columns)
    case 'func':
      return compileFunc(expr.name, expr.args, columns, env)
    case 'unary': {
      const inner = compile(expr.expr, columns, env)
      if (expr.op === 'NOT') {
        return (r) => {
          const v = inner(r)
          return v === null ? null : !truthy(v)
        }
      }
      return (r) => {
        const v = inner(r)
        if (v === null) return null
        if (typeof v === 'bigint') return -v
        return -Number(v)
      }
    }
    case 'binary':
      return compileBinary(
        expr.op,
        compile(expr.left, columns, env),
        compile(expr.right, columns, env)
      )
    case 'in': {
      const target = compile(expr.expr, columns, env)
      const list = expr.list.map((e) => compile(e, columns, env))
      return (r) => {
        const v = target(r)
        if (v === null) return null
        const found = list.some((f) => valuesEqual(v, f(r)))
        return expr.not ? !found : found
      }
    }
    case 'isnull': {
      const inner = compile(expr.expr, columns, env)
      return (r) => (inner(r) === null) !== expr.not
    }
    case 'like': {
      const inner = compile(expr.expr, columns, env)
      const pattern = compile(expr.pattern, columns, env)
      let cachedPattern: string | undefined
      let re: RegExp | undefined
      return (r) => {
        const v = inner(r)
        const p = pattern(r)
        if (v === null || p === null) return null
        const ps = String(p)
        if (ps !== cachedPattern) {
          cachedPattern = ps
          re = likeRegExp(ps)
        }
        return re!.test(String(v)) !== expr.not
      }
    }
    case 'between': {
      const inner = compile(expr.expr, columns, env)
      const low = compile(expr.low, columns, env)
      const high = compile(expr.high, columns, env)
      return (r) => {
        const v = inner(r)
        if (v === null) return null
        const inside = compareValues(v, low(r)) >= 0 && compareValues(v, high(r)) <= 0
        return inside !== expr.not
      }
    }
    case 'subquery':
      throw new SqlError('INVALID_SQL', 'Subqueries are not supported')
  }
}

export function columnGetter(name: string, columns: readonly Column[]): Compiled {
  if (name === '_seq') return (r) => r.seq
  if (name === '_deleted') return (r) => r.deleted
  const idx = columns.findIndex((c) => c.name === name)
  if (idx < 0) {
    const ci = columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase())
    if (ci < 0) {
      throw new SqlError('SQL_EXECUTION_ERROR', `Schema error: No field named ${name}`, true)
    }
    return (r) => r.values[ci] ?? null
  }
  return (r) => r.values[idx] ?? null
}

function compileFunc(
  name: string,
  args: Expr[],
  columns: readonly Column[],
  env: EvalEnv
): Compiled {
  const compiled = args.map((a) => compile(a, columns, env))
  switch (name) {
    case 'NOW':
      return () => Date.now() * 1000
    case 'CURRENT_USER':
      return () => env.user
    case 'SNOWFLAKE_ID':
      return () => env.snowflake()
    case 'LOWER':
    case 'UPPER':
    case 'LENGTH':
    case 'ABS': {
      const a = compiled[0]
      if (!a)
        throw new SqlError('SQL_EXECUTION_ERROR', `${name.toLowerCase()} needs one argument`, true)
      return (r) => {
        const v = a(r)
        if (v === null) return null
        if (name === 'LOWER') return String(v).toLowerCase()
        if (name === 'UPPER') return String(v).toUpperCase()
        if (name === 'LENGTH') return String(v).length
        return typeof v === 'bigint' ? (v < 0n ? -v : v) : Math.abs(Number(v))
      }
    }
    case 'COALESCE':
      return (r) => {
        for (const f of compiled) {
          const v = f(r)
          if (v !== null) return v
        }
        return null
      }
    default:
      if (AGGREGATES.has(name)) {
        throw new SqlError(
          'SQL_EXECUTION_ERROR',
          `Aggregate ${name.toLowerCase()}() is not allowed here`,
          true
        )
      }
      throw new SqlError('SQL_EXECUTION_ERROR', `Invalid function '${name.toLowerCase()}'`, true)
  }
}

function compileBinary(op: string, l: Compiled, r: Compiled): Compiled {
  switch (op) {
    case 'AND':
      return (row) => {
        const a = l(row)
        if (a !== null && !truthy(a)) return false
        const b = r(row)
        if (b !== null && !truthy(b)) return false
        return a === null || b === null ? null : true
      }
    case 'OR':
      return (row) => {
        const a = l(row)
        if (a !== null && truthy(a)) return true
        const b = r(row)
        if (b !== null && truthy(b)) return true
        return a === null || b === null ? null : false
      }
    case '=':
      return (row) => cmp(l(row), r(row), (c) => c === 0, true)
    case '!=':
      return (row) => cmp(l(row), r(row), (c) => c !== 0, false)
    case '<':
      return (row) => cmp(l(row), r(row), (c) => c < 0)
    case '<=':
      return (row) => cmp(l(row), r(row), (c) => c <= 0)
    case '>':
      return (row) => cmp(l(row), r(row), (c) => c > 0)
    case '>=':
      return (row) => cmp(l(row), r(row), (c) => c >= 0)
    case '||':
      return (row) => {
        const a = l(row)
        const b = r(row)
        return a === null || b === null ? null : String(a) + String(b)
      }
    default:
      return (row) => arithmetic(op, l(row), r(row))
  }
}

function cmp(a: Value, b: Value, test: (c: number) => boolean, eq?: boolean): Value {
  if (a === null || b === null) return null
  if (eq !== undefined) return valuesEqual(a, b) === eq
  return test(compareValues(a, b))
}

function arithmetic(op: string, a: Value, b: Value): Value {
  if (a === null || b === null) return null
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = typeof a === 'bigint' ? a : BigInt(Math.trunc(Number(a)))
    const y = typeof b === 'bigint' ? b : BigInt(Math.trunc(Number(b)))
    switch (op) {
      case '+':
        return x + y
      case '-':
        return x - y
      case '*':
        return x * y
      case '/':
        if (y === 0n) throw new SqlError('SQL_EXECUTION_ERROR', 'Divide by zero error', true)
        return x / y
      default:
        if (y === 0n) throw new SqlError('SQL_EXECUTION_ERROR', 'Divide by zero error', true)
        return x % y
    }
  }
  const x = Number(a)
  const y = Number(b)
  switch (op) {
    case '+':
      return x + y
    case '-':
      return x - y
    case '*':
      return x * y
    case '/':
      if (y === 0) throw new SqlError('SQL_EXECUTION_ERROR', 'Divide by zero error', true)
      return Number.isInteger(x) && Number.isInteger(y) ? Math.trunc(x / y) : x / y
    default:
      return x % y
  }
}

export function truthy(v: Value): boolean {
  return v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'bigint' && v !== 0n)
}

function likeRegExp(pattern: string): RegExp {
  let re = '^'
  for (const ch of pattern) {
    if (ch === '%') re += '[\\s\\S]*'
    else if (ch === '_') re += '[\\s\\S]'
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`${re}$`)
}

/** Collects the column names an expression reads (to validate subscriptions early). */
export function columnsOf(expr: Expr, out: string[] = []): string[] {
  switch (expr.kind) {
    case 'column':
      out.push(expr.name)
      break
    case 'func':
      expr.args.forEach((a) => columnsOf(a, out))
      break
    case 'unary':
      columnsOf(expr.expr, out)
      break
    case 'binary':
      columnsOf(expr.left, out)
      columnsOf(expr.right, out)
      break
    case 'in':
      columnsOf(expr.expr, out)
      expr.list.forEach((a) => columnsOf(a, out))
      break
    case 'isnull':
      columnsOf(expr.expr, out)
      break
    case 'like':
      columnsOf(expr.expr, out)
      columnsOf(expr.pattern, out)
      break
    case 'between':
      columnsOf(expr.expr, out)
      columnsOf(expr.low, out)
      columnsOf(expr.high, out)
      break
    default:
      break
  }
  return out
}
