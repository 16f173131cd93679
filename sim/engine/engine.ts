/**
 * The simulated database: catalog, per-table storage, jobs and statement execution.
 * Transport-free: the HTTP and WebSocket layers call `execute` and listen to `onChange`.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Expr, ParsedStatement, SelectStmt, Statement, TableRef } from '../sql/ast'
import { SqlError } from '../sql/errors'
import {
  canReadShared,
  canWriteShared,
  hashPassword,
  isAdmin,
  partitionKey,
  partitionOf,
  ROLES,
  type AccessLevel,
  type Namespace,
  type Role,
  type Table,
  type TableType,
  type User
} from './catalog'
import { compile, truthy, type EvalEnv, type Row } from './eval'
import { Jobs } from './jobs'
import { runSelect, type QueryLimits, type RowSource, type RowsResult } from './select'
import { Snowflake } from './snowflake'
import { coerce, compareValues, parseDataType, valuesEqual, type Column, type Value } from './types'

export interface ExecContext {
  /** Effective user id (`as_user`). */
  user: string
  role: Role
  params: Value[]
  /** Namespace of unqualified table names (request `namespace_id`, default `default`). */
  namespace: string
}

export type StatementResult =
  | ({ kind: 'rows' } & RowsResult)
  | { kind: 'dml'; verb: 'Inserted' | 'Updated' | 'Deleted'; count: number }
  | { kind: 'message'; message: string }

export interface Change {
  type: 'insert' | 'update' | 'delete'
  table: Table
  /** Partition key: the owning user id of a USER/STREAM row, '' for SHARED. */
  partition: string
  row: Row
  old?: Row
  /** STREAM-table TTL eviction: a hard delete, notified with only a `row_id` key (§6.4). */
  evicted?: boolean
}

/** A system table or view computed on demand (rows of internal values, in column order). */
export interface SystemTable {
  columns: Column[]
  /** Primary-key column: default ORDER BY and lookups; absent for views (natural order). */
  pk?: string
  rows(): Value[][]
}

export interface EngineOptions {
  dataDir: string
  limits: QueryLimits
  /** flush.default_row_limit and flush.default_time_interval (ms). */
  flushRows: number
  flushIntervalMs: number
  onChange?: (change: Change) => void
  onRowsInserted?: (count: number) => void
  /** KILL LIVE QUERY; returns false when no such subscription. */
  killLive?: (id: string) => boolean
}

export class Engine {
  readonly namespaces = new Map<string, Namespace>()
  readonly tables = new Map<string, Table>()
  readonly users = new Map<string, User>()
  readonly jobs = new Jobs()
  readonly snowflake = new Snowflake()
  readonly systemTables = new Map<string, SystemTable>()
  private readonly nextSeq = (): bigint => this.snowflake.next()

  constructor(readonly options: EngineOptions) {
    const now = Date.now() * 1000
    this.namespaces.set('default', { name: 'default', createdAt: now })
    // A fresh server has root with an empty password: it needs setup (PROTOCOL.md §3).
    this.users.set('root', newUser('root', '', 'system', null))
    this.registerBuiltinSystemTables()
  }

  /** True until setup gave root a password. */
  get needsSetup(): boolean {
    return this.users.get('root')?.passwordHash === ''
  }

  createUser(id: string, password: string, role: Role, email: string | null): User {
    const u = newUser(id, password, role, email)
    this.users.set(id, u)
    return u
  }

  setPassword(id: string, password: string): void {
    const u = this.users.get(id)
    if (!u) return
    u.passwordHash = password === '' ? '' : hashPassword(password)
    u.updatedAt = Date.now() * 1000
  }

  checkPassword(user: User, password: string): boolean {
    return user.passwordHash !== '' && user.passwordHash === hashPassword(password)
  }

  // ---- execution --------------------------------------------------------------------

  execute(parsed: ParsedStatement, ctx: ExecContext): StatementResult {
    return this.run(parsed.statement, ctx)
  }

  private env(ctx: ExecContext): EvalEnv {
    return { params: ctx.params, user: ctx.user, snowflake: this.nextSeq }
  }

  private run(s: Statement, ctx: ExecContext): StatementResult {
    switch (s.kind) {
      case 'select':
        return { kind: 'rows', ...this.select(s, ctx) }
      case 'insert':
        return { kind: 'dml', verb: 'Inserted', count: this.insert(s, ctx) }
      case 'update':
        return { kind: 'dml', verb: 'Updated', count: this.update(s, ctx) }
      case 'delete':
        return { kind: 'dml', verb: 'Deleted', count: this.delete(s, ctx) }
      case 'create_namespace':
        return this.createNamespace(s.name, s.ifNotExists, ctx)
      case 'drop_namespace':
        return this.dropNamespace(s.name, s.ifExists, s.cascade, ctx)
      case 'create_table':
        return this.createTable(s, ctx)
      case 'drop_table':
        return this.dropTable(s.table, s.ifExists, ctx)
      case 'create_user':
        return this.createUserStmt(s, ctx)
      case 'drop_user':
        return this.dropUser(s.name, s.ifExists, ctx)
      case 'flush_table':
        return this.flushTableStmt(s.table, ctx)
      case 'flush_all':
        return this.flushAllStmt(s.namespace, ctx)
      case 'execute_as':
        return this.executeAs(s.user, s.statement, ctx)
      case 'kill_live':
        if (!isAdmin(ctx.role))
          throw permissionDenied('KILL LIVE QUERY requires a dba or system role')
        if (!this.options.killLive?.(s.id)) {
          throw new SqlError('SQL_EXECUTION_ERROR', `Live query '${s.id}' not found`, true)
        }
        return { kind: 'message', message: `Live query '${s.id}' killed` }
    }
  }

  private select(s: SelectStmt, ctx: ExecContext): RowsResult {
    const env = this.env(ctx)
    if (!s.from) return runSelect(s, null, env, this.options.limits)
    const ns = (s.from.namespace ?? ctx.namespace).toLowerCase()
    if (ns === 'system') {
      const sys = this.systemTables.get(s.from.name.toLowerCase())
      if (!sys) throw tableNotFound(`system.${s.from.name}`)
      if (!isAdmin(ctx.role)) {
        throw permissionDenied(
          `Access denied to system table 'system.${s.from.name}': requires dba or system role`
        )
      }
      return runSelect(s, systemSource(sys), env, this.options.limits)
    }
    const table = this.resolveTable(s.from, ctx)
    this.checkRead(table, ctx)
    const part = partitionOf(table, partitionKey(table, ctx.user), false)
    const source: RowSource = part
      ? {
          columns: table.columns,
          pkIndex: table.pkIndex,
          scan: (desc) => part.scan(desc),
          lookup: (key) => part.get(normalizeKey(table, key)),
          liveCount: part.liveCount
        }
      : { columns: table.columns, pkIndex: table.pkIndex, scan: () => [], liveCount: 0 }
    return runSelect(s, source, env, this.options.limits)
  }

  private insert(s: Extract<Statement, { kind: 'insert' }>, ctx: ExecContext): number {
    const table = this.resolveTable(s.table, ctx)
    this.checkWrite(table, ctx)
    const env = this.env(ctx)
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
      const row: Row = { seq: this.nextSeq(), deleted: false, values }
      part.put(row, now)
      part.liveCount++
      this.options.onChange?.({ type: 'insert', table, partition: pkey, row })
    }
    this.options.onRowsInserted?.(prepared.length)
    this.maybeAutoFlush(table, part.memtable.size)
    return prepared.length
  }

  private matching(
    table: Table,
    where: Expr | undefined,
    ctx: ExecContext
  ): { rows: Row[]; pkey: string } {
    const pkey = partitionKey(table, ctx.user)
    const part = partitionOf(table, pkey, false)
    if (!part) return { rows: [], pkey }
    const env = this.env(ctx)
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

  private update(s: Extract<Statement, { kind: 'update' }>, ctx: ExecContext): number {
    const table = this.resolveTable(s.table, ctx)
    this.checkWrite(table, ctx)
    const env = this.env(ctx)
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
    const { rows, pkey } = this.matching(table, s.where, ctx)
    const part = partitionOf(table, pkey, true)!
    const updates = rows.map((old) => {
      const values = old.values.slice()
      for (const set of sets) values[set.i] = coerce(set.fn(old), table.columns[set.i]!)
      return { old, row: { seq: this.nextSeq(), deleted: false, values } as Row }
    })
    const now = Date.now()
    for (const u of updates) {
      part.put(u.row, now)
      this.options.onChange?.({ type: 'update', table, partition: pkey, row: u.row, old: u.old })
    }
    this.maybeAutoFlush(table, part.memtable.size)
    return updates.length
  }

  private delete(s: Extract<Statement, { kind: 'delete' }>, ctx: ExecContext): number {
    const table = this.resolveTable(s.table, ctx)
    this.checkWrite(table, ctx)
    const { rows, pkey } = this.matching(table, s.where, ctx)
    const part = partitionOf(table, pkey, true)!
    const now = Date.now()
    for (const old of rows) {
      part.put({ seq: this.nextSeq(), deleted: true, values: old.values }, now)
      part.liveCount--
      this.options.onChange?.({ type: 'delete', table, partition: pkey, row: old, old })
    }
    return rows.length
  }

  // ---- DDL --------------------------------------------------------------------------

  private createNamespace(name: string, ifNotExists: boolean, ctx: ExecContext): StatementResult {
    if (!isAdmin(ctx.role)) throw permissionDenied('CREATE NAMESPACE requires a dba or system role')
    const ns = validName(name, 'namespace')
    if (ns === 'system')
      throw new SqlError('SQL_EXECUTION_ERROR', "Namespace 'system' is reserved", true)
    if (this.namespaces.has(ns)) {
      if (ifNotExists) return { kind: 'message', message: `Namespace '${ns}' already exists` }
      throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${ns}' already exists`, true)
    }
    this.namespaces.set(ns, { name: ns, createdAt: Date.now() * 1000 })
    return { kind: 'message', message: `Namespace '${ns}' created successfully` }
  }

  private dropNamespace(
    name: string,
    ifExists: boolean,
    cascade: boolean,
    ctx: ExecContext
  ): StatementResult {
    if (!isAdmin(ctx.role)) throw permissionDenied('DROP NAMESPACE requires a dba or system role')
    const ns = name.toLowerCase()
    if (!this.namespaces.has(ns)) {
      if (ifExists) return { kind: 'message', message: `Namespace '${ns}' does not exist` }
      throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${ns}' not found`, true)
    }
    const tables = Array.from(this.tables.values()).filter((t) => t.namespace === ns)
    if (tables.length > 0 && !cascade) {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Cannot drop namespace '${ns}': it contains ${tables.length} table(s). Use DROP NAMESPACE ${ns} CASCADE`,
        true
      )
    }
    for (const t of tables) this.removeTable(t)
    this.namespaces.delete(ns)
    rmSync(join(this.options.dataDir, 'storage', ns), { recursive: true, force: true })
    return { kind: 'message', message: `Namespace '${ns}' dropped successfully` }
  }

  private createTable(
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
    if (!this.namespaces.has(ns))
      throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${ns}' does not exist`, true)
    const key = `${ns}.${name}`
    if (this.tables.has(key)) {
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
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `PRIMARY KEY column '${pkName}' is not defined`,
        true
      )
    }
    let ttlSeconds: number | null = null
    if (opts.TTL_SECONDS !== undefined) {
      if (type !== 'STREAM')
        throw new SqlError(
          'SQL_EXECUTION_ERROR',
          'TTL_SECONDS is only valid for STREAM tables',
          true
        )
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
        throw new SqlError(
          'SQL_EXECUTION_ERROR',
          `Invalid ACCESS_LEVEL '${opts.ACCESS_LEVEL}'`,
          true
        )
      }
      accessLevel = a
    }
    let flushRows = this.options.flushRows
    let flushIntervalMs = this.options.flushIntervalMs
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
    this.tables.set(key, {
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
      storageDir: join(this.options.dataDir, 'storage', ns, name)
    })
    return { kind: 'message', message: `Table '${key}' created successfully` }
  }

  private dropTable(ref: TableRef, ifExists: boolean, ctx: ExecContext): StatementResult {
    const ns = (ref.namespace ?? ctx.namespace).toLowerCase()
    const key = `${ns}.${ref.name.toLowerCase()}`
    const table = this.tables.get(key)
    if (!table) {
      if (ifExists) return { kind: 'message', message: `Table '${key}' does not exist` }
      throw tableNotFound(key)
    }
    if (!isAdmin(ctx.role)) throw permissionDenied('DROP TABLE requires a dba or system role')
    this.removeTable(table)
    return { kind: 'message', message: `Table '${key}' dropped successfully` }
  }

  private removeTable(table: Table): void {
    for (const p of table.partitions.values()) p.destroy()
    rmSync(table.storageDir, { recursive: true, force: true })
    this.tables.delete(table.key)
  }

  private createUserStmt(
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
    if (this.users.has(s.name)) {
      if (s.ifNotExists) return { kind: 'message', message: `User '${s.name}' already exists` }
      throw new SqlError('SQL_EXECUTION_ERROR', `User '${s.name}' already exists`, true)
    }
    this.createUser(s.name, s.password, role, s.email ?? null)
    return { kind: 'message', message: `User '${s.name}' created successfully` }
  }

  private dropUser(name: string, ifExists: boolean, ctx: ExecContext): StatementResult {
    if (!isAdmin(ctx.role)) throw permissionDenied('DROP USER requires a dba or system role')
    if (!this.users.has(name)) {
      if (ifExists) return { kind: 'message', message: `User '${name}' does not exist` }
      throw new SqlError('SQL_EXECUTION_ERROR', `User '${name}' not found`, true)
    }
    if (name === 'root')
      throw new SqlError('SQL_EXECUTION_ERROR', 'Cannot drop the root user', true)
    if (name === ctx.user)
      throw new SqlError('SQL_EXECUTION_ERROR', 'Cannot drop the current user', true)
    this.users.delete(name)
    return { kind: 'message', message: `User '${name}' dropped successfully` }
  }

  private executeAs(target: string, inner: Statement, ctx: ExecContext): StatementResult {
    const user = this.users.get(target)
    if (!user) throw new SqlError('SQL_EXECUTION_ERROR', `User '${target}' not found`, true)
    const allowed =
      ctx.role === 'system' ||
      (ctx.role === 'dba' && ['dba', 'service', 'user'].includes(user.role)) ||
      (ctx.role === 'service' && ['service', 'user'].includes(user.role)) ||
      (ctx.role === 'user' && target === ctx.user)
    if (!allowed) throw permissionDenied(`Role '${ctx.role}' cannot execute as user '${target}'`)
    const ref = 'table' in inner ? inner.table : inner.kind === 'select' ? inner.from : undefined
    if (!ref)
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        'EXECUTE AS USER needs a statement on a USER or STREAM table',
        true
      )
    const table = this.resolveTable(ref, ctx)
    if (table.type === 'SHARED') {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        'EXECUTE AS USER is only supported on USER and STREAM tables',
        true
      )
    }
    return this.run(inner, { ...ctx, user: target, role: user.role })
  }

  // ---- flush ------------------------------------------------------------------------

  private flushTableStmt(ref: TableRef, ctx: ExecContext): StatementResult {
    if (!(isAdmin(ctx.role) || ctx.role === 'service'))
      throw permissionDenied('STORAGE FLUSH requires a service, dba or system role')
    const table = this.resolveTable(ref, ctx)
    if (table.type === 'STREAM') {
      throw new SqlError(
        'SQL_EXECUTION_ERROR',
        `Storage flush is not supported for STREAM table '${table.key}'`,
        true
      )
    }
    const outcome = this.flushTable(table)
    if (outcome.kind === 'started') {
      return {
        kind: 'message',
        message: `Storage flush started for table '${table.key}'. Job ID: ${outcome.jobId}`
      }
    }
    return {
      kind: 'message',
      message:
        outcome.kind === 'empty'
          ? `Storage flush skipped: no pending writes for table '${table.key}'`
          : `Storage flush skipped: a flush is already queued or running for table '${table.key}'`
    }
  }

  private flushAllStmt(namespace: string | undefined, ctx: ExecContext): StatementResult {
    if (!(isAdmin(ctx.role) || ctx.role === 'service'))
      throw permissionDenied('STORAGE FLUSH requires a service, dba or system role')
    const ns = namespace?.toLowerCase()
    if (ns !== undefined && !this.namespaces.has(ns)) {
      throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${ns}' does not exist`, true)
    }
    const ids: string[] = []
    for (const t of this.tables.values()) {
      if ((ns === undefined || t.namespace === ns) && t.type !== 'STREAM') {
        const o = this.flushTable(t)
        if (o.kind === 'started') ids.push(o.jobId)
      }
    }
    const where = ns === undefined ? 'across all namespaces' : `in namespace '${ns}'`
    return {
      kind: 'message',
      message: `Storage flush started for ${ids.length} table(s) ${where}. Job IDs: [${ids.join(', ')}]`
    }
  }

  /** Starts a flush job of every partition with pending writes (idempotency key `flush-<ns>-<table>`). */
  flushTable(
    table: Table
  ): { kind: 'started'; jobId: string } | { kind: 'empty' } | { kind: 'busy' } {
    const idem = `flush-${table.namespace}-${table.name}`
    if (this.jobs.active(idem)) return { kind: 'busy' }
    let pending = 0
    for (const p of table.partitions.values()) pending += p.memtable.size
    if (pending === 0) return { kind: 'empty' }
    const job = this.jobs.start(
      'FL',
      'flush',
      { namespace_id: table.namespace, table_name: table.name, table_type: table.type },
      idem,
      async () => {
        let rows = 0
        let files = 0
        for (const p of table.partitions.values()) {
          const batch = p.beginFlush()
          if (!batch) continue
          await p.completeFlush(batch)
          rows += batch.length
          files++
        }
        return `Flushed ${rows} row(s) to ${files} batch file(s)`
      }
    )
    return { kind: 'started', jobId: job.jobId }
  }

  private maybeAutoFlush(table: Table, memRows: number): void {
    if (table.type !== 'STREAM' && memRows >= table.flushRows) this.flushTable(table)
  }

  /** Periodic work: interval flush policy and stream-table TTL eviction. */
  tick(now = Date.now()): void {
    for (const t of this.tables.values()) {
      if (t.type === 'STREAM') {
        this.evictExpired(t, now)
        continue
      }
      for (const p of t.partitions.values()) {
        if (
          p.memtable.size > 0 &&
          p.oldestWriteAt > 0 &&
          now - p.oldestWriteAt >= t.flushIntervalMs
        ) {
          this.flushTable(t)
          break
        }
      }
    }
  }

  private evictExpired(t: Table, now: number): void {
    const cutoff = now - (t.ttlSeconds ?? 0) * 1000
    for (const [pkey, p] of t.partitions) {
      for (const [key, row] of p.memtable) {
        if (seqTimeMs(row.seq) >= cutoff) break
        p.evict(key)
        if (!row.deleted) {
          const change: Change = {
            type: 'delete',
            table: t,
            partition: pkey,
            row,
            old: row,
            evicted: true
          }
          this.options.onChange?.(change)
        }
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------

  resolveTable(ref: TableRef, ctx: Pick<ExecContext, 'namespace'>): Table {
    const ns = (ref.namespace ?? ctx.namespace).toLowerCase()
    const key = `${ns}.${ref.name.toLowerCase()}`
    const t = this.tables.get(key)
    if (!t) throw tableNotFound(key)
    return t
  }

  checkRead(table: Table, ctx: Pick<ExecContext, 'role'>): void {
    if (table.type === 'SHARED') {
      if (!canReadShared(table.accessLevel ?? 'PRIVATE', ctx.role)) {
        throw permissionDenied(
          `Access denied to shared table '${table.key}' (access_level=${table.accessLevel})`
        )
      }
    }
  }

  private checkWrite(table: Table, ctx: ExecContext): void {
    if (table.type === 'SHARED' && !canWriteShared(table.accessLevel ?? 'PRIVATE', ctx.role)) {
      throw permissionDenied(
        `Shared table write denied (access_level=${table.accessLevel}) for '${table.key}'`
      )
    }
  }

  /** Sum of storage figures over every partition (system.stats rocksdb_*). */
  storageStats(): {
    activeEntries: number
    immutableEntries: number
    memtableBytes: number
    sstBytes: number
    liveRows: number
    partitions: number
  } {
    const s = {
      activeEntries: 0,
      immutableEntries: 0,
      memtableBytes: 0,
      sstBytes: 0,
      liveRows: 0,
      partitions: 0
    }
    for (const t of this.tables.values()) {
      for (const p of t.partitions.values()) {
        s.partitions++
        s.activeEntries += p.memtable.size
        s.immutableEntries += p.flushing?.length ?? 0
        s.memtableBytes += p.memBytes
        s.sstBytes += p.segmentBytes
        s.liveRows += p.liveCount
      }
    }
    return s
  }

  private registerBuiltinSystemTables(): void {
    const text = (name: string): Column => ({
      name,
      type: 'Text',
      notNull: false,
      primaryKey: false,
      unique: false
    })
    const ts = (name: string): Column => ({
      name,
      type: 'Timestamp',
      notNull: false,
      primaryKey: false,
      unique: false
    })
    const col = (name: string, type: Column['type']): Column => ({
      name,
      type,
      notNull: false,
      primaryKey: false,
      unique: false
    })
    this.systemTables.set('jobs', {
      pk: 'job_id',
      columns: [
        text('job_id'),
        text('job_type'),
        text('status'),
        text('leader_status'),
        col('parameters', 'Json'),
        text('message'),
        text('exception_trace'),
        text('idempotency_key'),
        text('queue'),
        col('priority', 'Int'),
        col('retry_count', 'Int'),
        col('max_retries', 'Int'),
        col('memory_used', 'BigInt'),
        col('cpu_used', 'BigInt'),
        ts('created_at'),
        ts('updated_at'),
        ts('started_at'),
        ts('finished_at'),
        col('node_id', 'BigInt'),
        col('leader_node_id', 'BigInt')
      ],
      rows: () =>
        this.jobs
          .list()
          .map((j) => [
            j.jobId,
            j.jobType,
            j.status,
            null,
            j.parameters,
            j.message,
            j.exceptionTrace,
            j.idempotencyKey,
            null,
            0,
            0,
            3,
            null,
            null,
            j.createdAt,
            j.updatedAt,
            j.startedAt,
            j.finishedAt,
            1n,
            null
          ])
    })
    this.systemTables.set('users', {
      pk: 'user_id',
      columns: [
        text('user_id'),
        text('password_hash'),
        text('role'),
        text('email'),
        text('auth_type'),
        col('auth_data', 'Json'),
        text('storage_mode'),
        text('storage_id'),
        col('failed_login_attempts', 'Int'),
        ts('locked_until'),
        ts('last_login_at'),
        ts('created_at'),
        ts('updated_at'),
        ts('last_seen'),
        ts('deleted_at')
      ],
      rows: () =>
        Array.from(this.users.values()).map((u) => [
          u.id,
          u.passwordHash,
          u.role,
          u.email,
          'internal',
          null,
          'table',
          null,
          u.failedLoginAttempts,
          null,
          u.lastLoginAt,
          u.createdAt,
          u.updatedAt,
          u.lastLoginAt,
          null
        ])
    })
    this.systemTables.set('namespaces', {
      pk: 'namespace_id',
      columns: [
        text('namespace_id'),
        text('name'),
        ts('created_at'),
        col('options', 'Json'),
        col('table_count', 'Int')
      ],
      rows: () =>
        Array.from(this.namespaces.values()).map((n) => [
          n.name,
          n.name,
          n.createdAt,
          '{}',
          Array.from(this.tables.values()).filter((t) => t.namespace === n.name).length
        ])
    })
    this.systemTables.set('tables', {
      columns: [
        text('namespace_id'),
        text('table_name'),
        text('table_type'),
        text('storage_id'),
        col('version', 'Int'),
        col('options', 'Json'),
        text('comment'),
        ts('updated_at'),
        ts('created_at')
      ],
      rows: () =>
        Array.from(this.tables.values()).map((t) => [
          t.namespace,
          t.name,
          t.type.toLowerCase(),
          'local',
          1,
          JSON.stringify(tableOptionsJson(t)),
          null,
          t.createdAt,
          t.createdAt
        ])
    })
  }
}

function tableOptionsJson(t: Table): Record<string, unknown> {
  const o: Record<string, unknown> = {
    table_type: t.type,
    flush_policy: { rows: t.flushRows, interval_seconds: t.flushIntervalMs / 1000 }
  }
  if (t.accessLevel) o.access_level = t.accessLevel
  if (t.ttlSeconds !== null) o.ttl_seconds = t.ttlSeconds
  return o
}

function systemSource(sys: SystemTable): RowSource {
  const columns = sys.columns.map((c) => (c.name === sys.pk ? { ...c, primaryKey: false } : c))
  const pkIndex = sys.pk ? columns.findIndex((c) => c.name === sys.pk) : -1
  return {
    columns,
    pkIndex,
    scan: (desc) => {
      const rows: Row[] = sys.rows().map((values) => ({ seq: 0n, deleted: false, values }))
      if (pkIndex >= 0)
        rows.sort((a, b) => compareValues(a.values[pkIndex]!, b.values[pkIndex]!) * (desc ? -1 : 1))
      return rows
    },
    lookup: (key) => {
      if (pkIndex < 0) return undefined
      const values = sys.rows().find((v) => valuesEqual(v[pkIndex]!, key))
      return values ? { seq: 0n, deleted: false, values } : undefined
    }
  }
}

function newUser(id: string, password: string, role: Role, email: string | null): User {
  const now = Date.now() * 1000
  return {
    id,
    passwordHash: password === '' ? '' : hashPassword(password),
    role,
    email,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
    failedLoginAttempts: 0
  }
}

function columnIndex(table: Table, name: string): number {
  const i = table.columns.findIndex((c) => c.name === name)
  return i >= 0 ? i : table.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase())
}

function normalizeKey(table: Table, key: Value): Value {
  if (table.pkIndex < 0) return key
  try {
    return coerce(key, { ...table.columns[table.pkIndex]!, notNull: false })
  } catch {
    return key
  }
}

function validName(name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SqlError(
      'SQL_EXECUTION_ERROR',
      `Invalid ${what} name '${name}': use letters, digits and underscores`,
      true
    )
  }
  return name.toLowerCase()
}

function tableNotFound(key: string): SqlError {
  return new SqlError('SQL_EXECUTION_ERROR', `Table '${key}' not found`)
}

function permissionDenied(message: string): SqlError {
  return new SqlError('PERMISSION_DENIED', message)
}

/** Wall-clock ms embedded in a Snowflake `_seq` (stream TTL). */
export function seqTimeMs(seq: bigint): number {
  return Number(seq >> 22n) + 1_420_070_400_000
}
