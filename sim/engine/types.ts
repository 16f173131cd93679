/**
 * Column types, value coercion and KalamDB's cell encoding (PROTOCOL.md §4: BIGINT and
 * `_seq` as JSON strings, TIMESTAMP as integer µs, DATE as days, DECIMAL/UUID as strings).
 */
import { SqlError } from '../sql/errors'

/** Internal value of a cell. BIGINT columns hold bigint so ids above 2^53 stay exact. */
export type Value = null | boolean | number | string | bigint

/** `data_type` as KalamDB serializes it in `schema` (a string, or an object for parametrized types). */
export type DataType =
  | 'Boolean'
  | 'Int'
  | 'BigInt'
  | 'Double'
  | 'Float'
  | 'Text'
  | 'Timestamp'
  | 'Date'
  | 'DateTime'
  | 'Time'
  | 'Json'
  | 'Bytes'
  | 'Uuid'
  | 'SmallInt'
  | 'File'
  | { Decimal: { precision: number; scale: number } }
  | { Embedding: number }

export interface Column {
  name: string
  type: DataType
  notNull: boolean
  primaryKey: boolean
  unique: boolean
}

/** `schema` entry of a SQL result or a subscription_ack. */
export interface SchemaField {
  name: string
  data_type: DataType
  index: number
  flags?: ('pk' | 'nn' | 'uq')[]
}

export function schemaOf(columns: readonly Column[]): SchemaField[] {
  return columns.map((c, index) => {
    const flags: ('pk' | 'nn' | 'uq')[] = []
    if (c.primaryKey) flags.push('pk', 'nn', 'uq')
    else {
      if (c.notNull) flags.push('nn')
      if (c.unique) flags.push('uq')
    }
    return flags.length > 0
      ? { name: c.name, data_type: c.type, index, flags }
      : { name: c.name, data_type: c.type, index }
  })
}

export function parseDataType(name: string, args: number[]): DataType {
  switch (name) {
    case 'BIGINT':
    case 'INT8':
    case 'LONG':
      return 'BigInt'
    case 'INT':
    case 'INTEGER':
    case 'INT4':
      return 'Int'
    case 'SMALLINT':
    case 'INT2':
    case 'TINYINT':
      return 'SmallInt'
    case 'TEXT':
    case 'VARCHAR':
    case 'STRING':
    case 'CHAR':
      return 'Text'
    case 'BOOLEAN':
    case 'BOOL':
      return 'Boolean'
    case 'DOUBLE':
    case 'FLOAT8':
      return 'Double'
    case 'FLOAT':
    case 'FLOAT4':
    case 'REAL':
      return 'Float'
    case 'TIMESTAMP':
      return 'Timestamp'
    case 'DATE':
      return 'Date'
    case 'DATETIME':
      return 'DateTime'
    case 'TIME':
      return 'Time'
    case 'JSON':
    case 'JSONB':
      return 'Json'
    case 'BYTES':
    case 'BYTEA':
    case 'BLOB':
    case 'BINARY':
      return 'Bytes'
    case 'UUID':
      return 'Uuid'
    case 'FILE':
      return 'File'
    case 'DECIMAL':
    case 'NUMERIC':
      return { Decimal: { precision: args[0] ?? 38, scale: args[1] ?? 10 } }
    case 'EMBEDDING':
      return { Embedding: args[0] ?? 384 }
    default:
      throw new SqlError('SQL_EXECUTION_ERROR', `Unsupported data type: ${name}`, true)
  }
}

/** Converts a value to a column's type for storage; throws a safe SqlError when it cannot. */
export function coerce(v: Value, col: Column): Value {
  if (v === null) {
    if (col.notNull) {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `NOT NULL constraint violation: column '${col.name}' cannot be null`,
        true
      )
    }
    return null
  }
  const t = col.type
  if (typeof t === 'object') {
    if ('Decimal' in t) {
      const n = typeof v === 'string' ? Number(v) : Number(v)
      if (!Number.isFinite(n)) throw castError(v, col)
      return n.toFixed(t.Decimal.scale)
    }
    return typeof v === 'string' ? v : JSON.stringify(String(v))
  }
  switch (t) {
    case 'BigInt':
      if (typeof v === 'bigint') return v
      if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
      if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return BigInt(v.trim())
      throw castError(v, col)
    case 'Int':
    case 'SmallInt': {
      const n =
        typeof v === 'number' || typeof v === 'bigint'
          ? Number(v)
          : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)
            ? Number(v)
            : NaN
      const limit = t === 'Int' ? 2 ** 31 : 2 ** 15
      if (!Number.isInteger(n) || n < -limit || n >= limit) throw castError(v, col)
      return n
    }
    case 'Double':
    case 'Float': {
      const n = typeof v === 'boolean' ? NaN : Number(v)
      if (Number.isNaN(n) && !(typeof v === 'string' && v.trim() === 'NaN')) throw castError(v, col)
      return n
    }
    case 'Boolean':
      if (typeof v === 'boolean') return v
      if (v === 'true' || v === 'false') return v === 'true'
      throw castError(v, col)
    case 'Timestamp':
    case 'DateTime': {
      if (typeof v === 'number' && Number.isInteger(v)) return v
      if (typeof v === 'bigint') return Number(v)
      if (typeof v === 'string') {
        if (/^-?\d+$/.test(v)) return Number(v)
        const ms = Date.parse(v)
        if (!Number.isNaN(ms)) return ms * 1000
      }
      throw castError(v, col)
    }
    case 'Date': {
      if (typeof v === 'number' && Number.isInteger(v)) return v
      if (typeof v === 'string') {
        const ms = Date.parse(v)
        if (!Number.isNaN(ms)) return Math.floor(ms / 86_400_000)
      }
      throw castError(v, col)
    }
    case 'Text':
    case 'Uuid':
    case 'Json':
    case 'Time':
    case 'File':
      return typeof v === 'string' ? v : String(v)
    case 'Bytes':
      return typeof v === 'string' ? v : String(v)
  }
}

function castError(v: Value, col: Column): SqlError {
  const shown = typeof v === 'string' ? `'${v}'` : String(v)
  return new SqlError(
    'SQL_EXECUTION_ERROR',
    `Cannot cast value ${shown} to ${typeName(col.type)} for column '${col.name}'`,
    true
  )
}

export function typeName(t: DataType): string {
  if (typeof t === 'string') return t
  return 'Decimal' in t ? 'Decimal' : 'Embedding'
}

/** A cell as KalamDB puts it in JSON (PROTOCOL.md §4 cell encoding). */
export function encodeCell(v: Value, t: DataType): unknown {
  if (v === null) return null
  if (typeof v === 'bigint') return v.toString()
  if (t === 'BigInt' && typeof v === 'number') return String(v)
  if (t === 'Bytes' && typeof v === 'string') return Array.from(Buffer.from(v))
  return v
}

/** Three-way compare of two cells of compatible types; null sorts first. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  if (typeof a === 'bigint' && typeof b === 'string') b = toBigIntOr(b)
  if (typeof b === 'bigint' && typeof a === 'string') a = toBigIntOr(a)
  if (typeof a === 'boolean') a = a ? 1 : 0
  if (typeof b === 'boolean') b = b ? 1 : 0
  if (typeof a === 'string' && typeof b === 'number') b = String(b)
  if (typeof b === 'string' && typeof a === 'number') a = String(a)
  return a < b ? -1 : a > b ? 1 : 0
}

/** SQL equality with numeric widening (bigint vs number vs integer text). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === null || b === null) return false
  if (typeof a === typeof b) return a === b
  return compareValues(a, b) === 0
}

function toBigIntOr(s: string): bigint | string {
  return /^\s*-?\d+\s*$/.test(s) ? BigInt(s.trim()) : s
}

/** Rough in-memory size of a row, for the memtable's byte figure (rocksdb_*_size_bytes). */
export function approxSize(values: readonly Value[]): number {
  let n = 32
  for (const v of values) {
    if (typeof v === 'string') n += 16 + v.length
    else n += 8
  }
  return n
}
