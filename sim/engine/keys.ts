/** Column and primary-key lookups shared by queries and writes. */
import type { Table } from './catalog'
import { coerce, type Value } from './types'

/** Index of a column by exact name, else case-insensitively; -1 when absent. */
export function columnIndex(table: Table, name: string): number {
  const i = table.columns.findIndex((c) => c.name === name)
  return i >= 0 ? i : table.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase())
}

/** A key as the table stores it (e.g. a JSON number or text → bigint for BIGINT keys). */
export function normalizeKey(table: Table, key: Value): Value {
  if (table.pkIndex < 0) return key
  try {
    return coerce(key, { ...table.columns[table.pkIndex]!, notNull: false })
  } catch {
    return key
  }
}
