/**
 * Building SQL text for KalamDB safely: names checked (KalamDB accepts alphanumeric +
 * underscore, PROTOCOL.md §7 — so a name is validated, never quoted), string literals
 * escaped SQL-style. Prefer `params` ($1…) for values; these are for DDL and for statements
 * that take no parameters (CREATE USER, system-table filters).
 */
import { ProfilerError } from '../../shared/errors'

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A namespace, table, column or user name as SQL; throws BAD_INPUT for anything else. */
export function ident(name: string): string {
  if (!NAME.test(name)) {
    throw new ProfilerError(
      'BAD_INPUT',
      `invalid name '${name}': KalamDB names are letters, digits and underscores`
    )
  }
  return name
}

/** `ns.table`, each part checked. Accepts "ns.table" or (ns, table). */
export function qualifiedTable(nsOrQualified: string, table?: string): string {
  if (table !== undefined) return `${ident(nsOrQualified)}.${ident(table)}`
  const parts = nsOrQualified.split('.')
  if (parts.length !== 2) {
    throw new ProfilerError(
      'BAD_INPUT',
      `invalid table '${nsOrQualified}': expected namespace.table, e.g. app.msgs`
    )
  }
  return `${ident(parts[0] as string)}.${ident(parts[1] as string)}`
}

/** A string literal: single quotes doubled. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

/** A literal for any JS value the profiler writes (numbers must be finite). */
export function sqlLiteral(value: string | number | bigint | boolean | null): string {
  if (value === null) return 'NULL'
  if (typeof value === 'string') return sqlString(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (!Number.isFinite(value)) {
    throw new ProfilerError('BAD_INPUT', `cannot write ${value} as a SQL number`)
  }
  return String(value)
}

/** `('a', 'b')` for IN lists. */
export function sqlStringList(values: readonly string[]): string {
  return `(${values.map(sqlString).join(', ')})`
}

export type KalamRole = 'user' | 'service' | 'dba' | 'system'

/** `CREATE USER 'alice' WITH PASSWORD '…' ROLE user` (PROTOCOL.md §7). */
export function createUserSql(user: string, password: string, role: KalamRole = 'user'): string {
  return `CREATE USER ${sqlString(ident(user))} WITH PASSWORD ${sqlString(password)} ROLE ${role}`
}

export function createNamespaceSql(ns: string): string {
  return `CREATE NAMESPACE IF NOT EXISTS ${ident(ns)}`
}

export function dropNamespaceSql(ns: string): string {
  return `DROP NAMESPACE IF EXISTS ${ident(ns)} CASCADE`
}

/** `STORAGE FLUSH TABLE ns.t` — the syntax since 2026-01-16 (old `FLUSH TABLE` is gone). */
export function flushTableSql(table: string): string {
  return `STORAGE FLUSH TABLE ${qualifiedTable(table)}`
}
