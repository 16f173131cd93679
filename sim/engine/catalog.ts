/** Namespaces, tables and users of the simulated server. */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { Expr } from '../sql/ast'
import { Partition } from './storage'
import type { Column } from './types'

export type Role = 'anonymous' | 'user' | 'service' | 'dba' | 'system'
export type TableType = 'USER' | 'SHARED' | 'STREAM'
export type AccessLevel = 'PUBLIC' | 'PRIVATE' | 'RESTRICTED' | 'DBA'

export const ROLES: readonly Role[] = ['anonymous', 'user', 'service', 'dba', 'system']

export interface User {
  id: string
  passwordHash: string
  role: Role
  email: string | null
  /** µs since epoch, like every KalamDB timestamp cell. */
  createdAt: number
  updatedAt: number
  lastLoginAt: number | null
  failedLoginAttempts: number
}

export interface Namespace {
  name: string
  createdAt: number
}

export interface Table {
  namespace: string
  name: string
  /** `ns.table`, the key of every per-table map. */
  key: string
  type: TableType
  columns: Column[]
  pkIndex: number
  defaults: (Expr | undefined)[]
  accessLevel: AccessLevel | null
  flushRows: number
  flushIntervalMs: number
  ttlSeconds: number | null
  options: Record<string, string>
  createdAt: number
  /** USER/STREAM: one partition per user id; SHARED: the single partition ''. */
  partitions: Map<string, Partition>
  storageDir: string
}

export function hashPassword(password: string): string {
  // Not bcrypt (PROTOCOL.md §3): the simulator needs no CPU-heavy logins.
  return `$sim$${createHash('sha256').update(password).digest('hex')}`
}

export function isAdmin(role: Role): boolean {
  return role === 'dba' || role === 'system'
}

/** Partition key of a write or read by `userId` (PROTOCOL.md §7: USER tables are per user). */
export function partitionKey(table: Table, userId: string): string {
  return table.type === 'SHARED' ? '' : userId
}

export function partitionOf(table: Table, key: string, create: boolean): Partition | undefined {
  let p = table.partitions.get(key)
  if (!p && create) {
    const dir = key === '' ? table.storageDir : join(table.storageDir, safeDirName(key))
    p = new Partition(dir, table.columns, table.pkIndex)
    table.partitions.set(key, p)
  }
  return p
}

function safeDirName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_')
}

/** RBAC of shared tables (KalamDB `can_access_shared_table` / `can_write_shared_table`). */
export function canReadShared(level: AccessLevel, role: Role): boolean {
  if (level === 'PUBLIC') return role !== 'anonymous'
  if (level === 'DBA') return isAdmin(role)
  return isAdmin(role) || role === 'service'
}

export function canWriteShared(level: AccessLevel, role: Role): boolean {
  if (level === 'DBA') return isAdmin(role)
  return isAdmin(role) || role === 'service'
}
