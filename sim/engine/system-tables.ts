/** The catalog's own system tables: system.jobs, system.users, system.namespaces, system.tables. */
import type { Table } from './catalog'
import type { Row } from './eval'
import type { Engine, SystemTable } from './engine'
import type { RowSource } from './select'
import { compareValues, valuesEqual, type Column } from './types'

export function registerBuiltinSystemTables(engine: Engine): void {
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
  engine.systemTables.set('jobs', {
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
      engine.jobs
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
  engine.systemTables.set('users', {
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
      Array.from(engine.users.values()).map((u) => [
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
  engine.systemTables.set('namespaces', {
    pk: 'namespace_id',
    columns: [
      text('namespace_id'),
      text('name'),
      ts('created_at'),
      col('options', 'Json'),
      col('table_count', 'Int')
    ],
    rows: () =>
      Array.from(engine.namespaces.values()).map((n) => [
        n.name,
        n.name,
        n.createdAt,
        '{}',
        Array.from(engine.tables.values()).filter((t) => t.namespace === n.name).length
      ])
  })
  engine.systemTables.set('tables', {
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
      Array.from(engine.tables.values()).map((t) => [
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

function tableOptionsJson(t: Table): Record<string, unknown> {
  const o: Record<string, unknown> = {
    table_type: t.type,
    flush_policy: { rows: t.flushRows, interval_seconds: t.flushIntervalMs / 1000 }
  }
  if (t.accessLevel) o.access_level = t.accessLevel
  if (t.ttlSeconds !== null) o.ttl_seconds = t.ttlSeconds
  return o
}

export function systemSource(sys: SystemTable): RowSource {
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
