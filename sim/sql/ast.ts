/** Statements and expressions of the simulator's SQL subset (PROTOCOL.md §7). */

export interface TableRef {
  /** Absent when the name was unqualified; the request's namespace_id applies. */
  namespace?: string
  name: string
}

export type Expr =
  | { kind: 'literal'; value: null | boolean | number | string; raw?: string }
  | { kind: 'param'; index: number }
  | { kind: 'column'; name: string; table?: string }
  | { kind: 'func'; name: string; args: Expr[]; star?: boolean }
  | { kind: 'unary'; op: '-' | 'NOT'; expr: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'in'; expr: Expr; list: Expr[]; not: boolean }
  | { kind: 'isnull'; expr: Expr; not: boolean }
  | { kind: 'like'; expr: Expr; pattern: Expr; not: boolean }
  | { kind: 'between'; expr: Expr; low: Expr; high: Expr; not: boolean }
  | { kind: 'subquery' }

export type BinaryOp =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | '+' | '-' | '*' | '/' | '%' | '||'

export interface ColumnDef {
  name: string
  /** Upper-case type name as written, e.g. BIGINT, TEXT, DECIMAL. */
  type: string
  typeArgs: number[]
  primaryKey: boolean
  notNull: boolean
  unique: boolean
  default?: Expr
}

export type SelectItem =
  { kind: 'star' } | { kind: 'expr'; expr: Expr; alias?: string; text: string }

export interface OrderItem {
  expr: Expr
  desc: boolean
}

export interface SelectStmt {
  kind: 'select'
  items: SelectItem[]
  from?: TableRef
  /** Alias written after the table name (rejected by subscriptions). */
  tableAlias?: string
  where?: Expr
  groupBy: Expr[]
  orderBy: OrderItem[]
  limit?: Expr
  offset?: Expr
  /** Clauses parsed only so subscriptions can reject them with KalamDB's texts. */
  hasWith: boolean
  hasJoin: boolean
  distinct: boolean
  having: boolean
}

export type Statement =
  | { kind: 'create_namespace'; name: string; ifNotExists: boolean }
  | { kind: 'drop_namespace'; name: string; ifExists: boolean; cascade: boolean }
  | {
      kind: 'create_table'
      table: TableRef
      tableType?: 'USER' | 'SHARED' | 'STREAM'
      ifNotExists: boolean
      columns: ColumnDef[]
      primaryKey: string[]
      options: Record<string, string>
    }
  | { kind: 'drop_table'; table: TableRef; ifExists: boolean }
  | {
      kind: 'create_user'
      name: string
      password: string
      role: string
      email?: string
      ifNotExists: boolean
    }
  | { kind: 'drop_user'; name: string; ifExists: boolean }
  | { kind: 'insert'; table: TableRef; columns?: string[]; rows: Expr[][] }
  | SelectStmt
  | { kind: 'update'; table: TableRef; sets: { column: string; value: Expr }[]; where?: Expr }
  | { kind: 'delete'; table: TableRef; where?: Expr }
  | { kind: 'flush_table'; table: TableRef }
  | { kind: 'flush_all'; namespace?: string }
  | { kind: 'execute_as'; user: string; statement: Statement }
  | { kind: 'kill_live'; id: string }

/** One statement with its source text (error `details`, plan cache). */
export interface ParsedStatement {
  statement: Statement
  sql: string
}
