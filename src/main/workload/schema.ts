/**
 * The objects a run creates on the server and the SQL it sends (PROTOCOL.md §7). One
 * namespace per run, one SHARED table with PUBLIC access so writers and subscribers of
 * different workload users all reach the same rows (a USER table would split them).
 * Every row carries the writer's send time in µs: subscribers compute notification
 * latency from it.
 */
import { randomBytes } from 'node:crypto'

export interface RunObjects {
  /** Short random tag shared by every name of the run (kp_<tag>…). */
  tag: string
  namespace: string
  /** Namespace-qualified table name (subscription SQL requires the qualification). */
  table: string
}

export function runObjects(tag = randomBytes(4).toString('hex')): RunObjects {
  const namespace = `kp_${tag}`
  return { tag, namespace, table: `${namespace}.stress` }
}

export function createStatements(o: RunObjects): string[] {
  return [
    `CREATE NAMESPACE IF NOT EXISTS ${o.namespace}`,
    `CREATE SHARED TABLE ${o.table} (id BIGINT PRIMARY KEY, writer INT, sent_us BIGINT, payload TEXT) WITH (ACCESS_LEVEL = 'PUBLIC')`
  ]
}

export function dropStatements(o: RunObjects): string[] {
  return [`DROP TABLE IF EXISTS ${o.table}`, `DROP NAMESPACE IF EXISTS ${o.namespace} CASCADE`]
}

/** Payload text of a row: ASCII only, so its size in bytes is its length. */
export function payloadOf(bytes: number): string {
  return 'x'.repeat(Math.max(0, Math.floor(bytes)))
}

/** A multi-row INSERT with literal values (params are capped at 50 per request). */
export function insertSql(
  table: string,
  firstId: number,
  rows: number,
  writer: number,
  sentUs: number,
  payload: string
): string {
  const values: string[] = []
  for (let i = 0; i < rows; i++) values.push(`(${firstId + i}, ${writer}, ${sentUs}, '${payload}')`)
  return `INSERT INTO ${table} (id, writer, sent_us, payload) VALUES ${values.join(', ')}`
}

/** The prober's query: recent rows, bounded, the kind an application runs under load. */
export function probeSql(table: string): string {
  return `SELECT id, writer, sent_us FROM ${table} WHERE id > 0 ORDER BY id DESC LIMIT 100`
}

export function subscriptionSql(table: string): string {
  return `SELECT * FROM ${table}`
}

/** User names are alphanumeric + underscore; quoted as string literals in DDL. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}
