/**
 * DDL and user management: CREATE/DROP NAMESPACE, CREATE/DROP TABLE with KalamDB's table
 * options (PROTOCOL.md §7), CREATE/DROP USER. Catalog changes only; data lives in storage.ts.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Statement, TableRef } from '../sql/ast'
import { SqlError } from '../sql/errors'
import { isAdmin, ROLES, type AccessLevel, type Role, type TableType } from './catalog'
import type { Engine, ExecContext, StatementResult } from './engine'
import { permissionDenied, tableNotFound, validName } from './failures'
import { parseDataType, type Column } from './types'

export function createNamespace(
  engine: Engine,
  name: string,
  ifNotExists: boolean,
  ctx: ExecContext
): StatementResult {
  if (!isAdmin(ctx.role)) throw permissionDenied('CREATE NAMESPACE requires a dba or system role')
  const ns = validName(name, 'namespace')
  if (ns === 'system')
    throw new SqlError('SQL_EXECUTION_ERROR', "Namespace 'system' is reserved", true)
  if (engine.namespaces.has(ns)) {
    if (ifNotExists) return { kind: 'message', message: `Namespace '${ns}' already exists` }
    throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${ns}' already exists`, true)
  }
  engine.namespaces.set(ns, { name: ns, createdAt: Date.now() * 1000 })
  return { kind: 'message', message: `Namespace '${ns}' created successfully` }
}

export function dropNamespace(
  engine: Engine,
  name: string,
  ifExists: boolean,
  cascade: boolean,
  ctx: ExecContext
): StatementResult {
  if (!isAdmin(ctx.role)) throw permissionDenied('DROP NAMESPACE requires a dba or system role')
  const ns = name.toLowerCase()
  if (!engine.namespaces.has(ns)) {
    if (ifExists) return { kind: 'message', message: `Namespace '${ns}' does not exist` }
    throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${ns}' not found`, true)
  }
  const tables = Array.from(engine.tables.values()).filter((t) => t.namespace === ns)
  if (tables.length > 0 && !cascade) {
    throw new SqlError(
      'SQL_EXECUTION_ERROR',
      `Cannot drop namespace '${ns}': it contains ${tables.length} table(s). Use DROP NAMESPACE ${ns} CASCADE`,
      true
    )
  }
  for (const t of tables) engine.removeTable(t)
  engine.namespaces.delete(ns)
  rmSync(join(engine.options.dataDir, 'storage', ns), { recursive: true, force: true })
  return { kind: 'message', message: `Namespace '${ns}' dropped successfully` }
}

export function createTable(
  engine: Engine,
  s: Extract<Statement, { kind: 'create_table' }>,
  ctx: ExecContext
): StatementResult {
  const ns = (s.table.namespace ?? ctx.namespace).toLowerCase()
  const name = validName(s.table.name, 'table')
  const opts = { ...s.options }
  let type: TableType = s.tableType ?? 'SHARED'
  if (opts.TYPE !== undefined) {
    const t = opts.TYPE.toUpperCase()
    if (t !== 'USER' && t !== 'SHARED' && t !== 'STREAM') {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Invalid table TYPE '${opts.TYPE}': expected USER, SHARED or STREAM`,
        true
      )
    }
    if (s.tableType && s.tableType !== t) {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Table type conflict: ${s.tableType} TABLE with TYPE = '${t}'`,
        true
      )
    }
    type = t
  }
  const allowed =
    isAdmin(ctx.role) || ctx.role === 'service' || (ctx.role === 'user' && type !== 'SHARED')
  if (!allowed) throw permissionDenied(`Role '${ctx.role}' cannot create ${type} tables`)
  if (ns === 'system') throw permissionDenied('Cannot create tables in the system namespace')
  if (!engine.namespaces.has(ns))
    throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${ns}' does not exist`, true)
  const key = `${ns}.${name}`
  if (engine.tables.has(key)) {
    if (s.ifNotExists) return { kind: 'message', message: `Table '${key}' already exists` }
    throw new SqlError('SQL_EXECUTION_ERROR', `Table '${key}' already exists`, true)
  }
  if (s.columns.length === 0)
    throw new SqlError('SQL_EXECUTION_ERROR', 'A table needs at least one column', true)
  const seen = new Set<string>()
  for (const c of s.columns) {
    if (seen.has(c.name))
      throw new SqlError('SQL_EXECUTION_ERROR', `Duplicate column name '${c.name}'`, true)
    if (c.name.startsWith('_')) {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Column name '${c.name}' is reserved (system columns start with '_')`,
        true
      )
    }
    seen.add(c.name)
  }
  if (s.primaryKey.length > 1) {
    throw new SqlError(
      'SQL_EXECUTION_ERROR',
      'Composite primary keys are not supported: use a single PRIMARY KEY column',
      true
    )
  }
  const pkName = s.primaryKey[0]
  if (pkName === undefined && type !== 'STREAM') {
    throw new SqlError('SQL_EXECUTION_ERROR', `${type} tables require a PRIMARY KEY column`, true)
  }
  const columns: Column[] = s.columns.map((c) => ({
    name: c.name,
    type: parseDataType(c.type, c.typeArgs),
    notNull: c.notNull || c.name === pkName,
    primaryKey: c.name === pkName,
    unique: c.unique || c.name === pkName
  }))
  const pkIndex = pkName === undefined ? -1 : columns.findIndex((c) => c.name === pkName)
  if (pkName !== undefined && pkIndex < 0) {
    throw new SqlError('SQL_EXECUTION_ERROR', `PRIMARY KEY column '${pkName}' is not defined`, true)
  }
  let ttlSeconds: number | null = null
  if (opts.TTL_SECONDS !== undefined) {
    if (type !== 'STREAM')
      throw new SqlError('SQL_EXECUTION_ERROR', 'TTL_SECONDS is only valid for STREAM tables', true)
    ttlSeconds = Number(opts.TTL_SECONDS)
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
      throw new SqlError('SQL_EXECUTION_ERROR', `Invalid TTL_SECONDS '${opts.TTL_SECONDS}'`, true)
    }
  } else if (type === 'STREAM') {
    throw new SqlError('SQL_EXECUTION_ERROR', 'STREAM tables require TTL_SECONDS', true)
  }
  let accessLevel: AccessLevel | null = type === 'SHARED' ? 'PRIVATE' : null
  if (opts.ACCESS_LEVEL !== undefined) {
    const a = opts.ACCESS_LEVEL.toUpperCase()
    if (type !== 'SHARED')
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        'ACCESS_LEVEL is only valid for SHARED tables',
        true
      )
    if (a !== 'PUBLIC' && a !== 'PRIVATE' && a !== 'RESTRICTED' && a !== 'DBA') {
      throw new SqlError('SQL_EXECUTION_ERROR', `Invalid ACCESS_LEVEL '${opts.ACCESS_LEVEL}'`, true)
    }
    accessLevel = a
  }
  let flushRows = engine.options.flushRows
  let flushIntervalMs = engine.options.flushIntervalMs
  if (opts.FLUSH_POLICY !== undefined) {
    for (const part of opts.FLUSH_POLICY.split(',')) {
      const m = /^\s*(rows|interval)\s*:\s*(\d+)\s*$/i.exec(part)
      if (!m || Number(m[2]) <= 0) {
        throw new SqlError(
          'SQL_EXECUTION_ERROR',
          `Invalid FLUSH_POLICY '${opts.FLUSH_POLICY}': use 'rows:N', 'interval:N' or both`,
          true
        )
      }
      if (m[1]!.toLowerCase() === 'rows') flushRows = Number(m[2])
      else flushIntervalMs = Number(m[2]) * 1000
    }
  }
  const known = [
    'TYPE',
    'ACCESS_LEVEL',
    'FLUSH_POLICY',
    'TTL_SECONDS',
    'STORAGE_ID',
    'USE_USER_STORAGE',
    'DELETED_RETENTION_HOURS'
  ]
  for (const k of Object.keys(opts)) {
    if (!known.includes(k))
      throw new SqlError('SQL_EXECUTION_ERROR', `Unknown table option '${k}'`, true)
  }
  engine.tables.set(key, {
    namespace: ns,
    name,
    key,
    type,
    columns,
    pkIndex,
    defaults: s.columns.map((c) => c.default),
    accessLevel,
    flushRows,
    flushIntervalMs,
    ttlSeconds,
    options: opts,
    createdAt: Date.now() * 1000,
    partitions: new Map(),
    storageDir: join(engine.options.dataDir, 'storage', ns, name)
  })
  return { kind: 'message', message: `Table '${key}' created successfully` }
}

export function dropTable(
  engine: Engine,
  ref: TableRef,
  ifExists: boolean,
  ctx: ExecContext
): StatementResult {
  const ns = (ref.namespace ?? ctx.namespace).toLowerCase()
  const key = `${ns}.${ref.name.toLowerCase()}`
  const table = engine.tables.get(key)
  if (!table) {
    if (ifExists) return { kind: 'message', message: `Table '${key}' does not exist` }
    throw tableNotFound(key)
  }
  if (!isAdmin(ctx.role)) throw permissionDenied('DROP TABLE requires a dba or system role')
  engine.removeTable(table)
  return { kind: 'message', message: `Table '${key}' dropped successfully` }
}

export function createUserStmt(
  engine: Engine,
  s: Extract<Statement, { kind: 'create_user' }>,
  ctx: ExecContext
): StatementResult {
  if (!isAdmin(ctx.role)) throw permissionDenied('CREATE USER requires a dba or system role')
  const role = s.role as Role
  if (!ROLES.includes(role) || role === 'anonymous') {
    throw new SqlError(
      'SQL_EXECUTION_ERROR',
      `Invalid role '${s.role}': expected user, service, dba or system`,
      true
    )
  }
  if (role === 'system' && ctx.role !== 'system')
    throw permissionDenied('Only system users can create system users')
  if (!/^[A-Za-z0-9_.@-]{1,128}$/.test(s.name)) {
    throw new SqlError('SQL_EXECUTION_ERROR', `Invalid user name '${s.name}'`, true)
  }
  if (engine.users.has(s.name)) {
    if (s.ifNotExists) return { kind: 'message', message: `User '${s.name}' already exists` }
    throw new SqlError('SQL_EXECUTION_ERROR', `User '${s.name}' already exists`, true)
  }
  engine.createUser(s.name, s.password, role, s.email ?? null)
  return { kind: 'message', message: `User '${s.name}' created successfully` }
}

export function dropUser(
  engine: Engine,
  name: string,
  ifExists: boolean,
  ctx: ExecContext
): StatementResult {
  if (!isAdmin(ctx.role)) throw permissionDenied('DROP USER requires a dba or system role')
  if (!engine.users.has(name)) {
    if (ifExists) return { kind: 'message', message: `User '${name}' does not exist` }
    throw new SqlError('SQL_EXECUTION_ERROR', `User '${name}' not found`, true)
  }
  if (name === 'root') throw new SqlError('SQL_EXECUTION_ERROR', 'Cannot drop the root user', true)
  if (name === ctx.user)
    throw new SqlError('SQL_EXECUTION_ERROR', 'Cannot drop the current user', true)
  engine.users.delete(name)
  return { kind: 'message', message: `User '${name}' dropped successfully` }
}
