/**
 * The simulated database: catalog, per-table storage, jobs and statement execution.
 * Transport-free: the HTTP and WebSocket layers call `execute` and listen to `onChange`.
 */
import { rmSync } from 'node:fs'
import type { ParsedStatement, SelectStmt, Statement, TableRef } from '../sql/ast'
import { SqlError } from '../sql/errors'
import {
  canReadShared,
  canWriteShared,
  hashPassword,
  isAdmin,
  partitionKey,
  partitionOf,
  type Namespace,
  type Role,
  type Table,
  type User
} from './catalog'
import type { EvalEnv, Row } from './eval'
import {
  createNamespace,
  createTable,
  createUserStmt,
  dropNamespace,
  dropTable,
  dropUser
} from './ddl'
import { permissionDenied, tableNotFound } from './failures'
import { deleteRows, insert, update } from './dml'
import { Jobs } from './jobs'
import { normalizeKey } from './keys'
import { registerBuiltinSystemTables, systemSource } from './system-tables'
import { runSelect, type QueryLimits, type RowSource, type RowsResult } from './select'
import { Snowflake } from './snowflake'
import type { Column, Value } from './types'

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
  readonly nextSeq = (): bigint => this.snowflake.next()

  constructor(readonly options: EngineOptions) {
    const now = Date.now() * 1000
    this.namespaces.set('default', { name: 'default', createdAt: now })
    // A fresh server has root with an empty password: it needs setup (PROTOCOL.md §3).
    this.users.set('root', newUser('root', '', 'system', null))
    registerBuiltinSystemTables(this)
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

  env(ctx: ExecContext): EvalEnv {
    return { params: ctx.params, user: ctx.user, snowflake: this.nextSeq }
  }

  private run(s: Statement, ctx: ExecContext): StatementResult {
    switch (s.kind) {
      case 'select':
        return { kind: 'rows', ...this.select(s, ctx) }
      case 'insert':
        return { kind: 'dml', verb: 'Inserted', count: insert(this, s, ctx) }
      case 'update':
        return { kind: 'dml', verb: 'Updated', count: update(this, s, ctx) }
      case 'delete':
        return { kind: 'dml', verb: 'Deleted', count: deleteRows(this, s, ctx) }
      case 'create_namespace':
        return createNamespace(this, s.name, s.ifNotExists, ctx)
      case 'drop_namespace':
        return dropNamespace(this, s.name, s.ifExists, s.cascade, ctx)
      case 'create_table':
        return createTable(this, s, ctx)
      case 'drop_table':
        return dropTable(this, s.table, s.ifExists, ctx)
      case 'create_user':
        return createUserStmt(this, s, ctx)
      case 'drop_user':
        return dropUser(this, s.name, s.ifExists, ctx)
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

  removeTable(table: Table): void {
    for (const p of table.partitions.values()) p.destroy()
    rmSync(table.storageDir, { recursive: true, force: true })
    this.tables.delete(table.key)
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

  maybeAutoFlush(table: Table, memRows: number): void {
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

  checkWrite(table: Table, ctx: ExecContext): void {
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

/** Wall-clock ms embedded in a Snowflake `_seq` (stream TTL). */
export function seqTimeMs(seq: bigint): number {
  return Number(seq >> 22n) + 1_420_070_400_000
}
