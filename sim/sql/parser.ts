/**
 * Hand-written recursive-descent parser of the SQL the profiler sends (PROTOCOL.md §7).
 * It accepts a batch of `;`-separated statements and keeps each statement's source text.
 * Anything outside the subset is an INVALID_SQL error naming what was not understood.
 */
import type {
  ColumnDef,
  Expr,
  OrderItem,
  ParsedStatement,
  SelectItem,
  SelectStmt,
  Statement
} from './ast'
import { SqlError } from './errors'
import { ExprParser, RESERVED } from './expr-parser'

/** Parses a batch into statements; throws SqlError(INVALID_SQL) on the first problem. */
export function parseBatch(sql: string): ParsedStatement[] {
  const p = new Parser(sql)
  return p.batch()
}

/** Parses exactly one statement (subscriptions, EXECUTE AS). */
export function parseStatement(sql: string): Statement {
  const stmts = parseBatch(sql)
  if (stmts.length !== 1) throw new SqlError('INVALID_SQL', 'Expected exactly one SQL statement')
  return stmts[0]!.statement
}

class Parser extends ExprParser {
  batch(): ParsedStatement[] {
    const out: ParsedStatement[] = []
    for (;;) {
      while (this.peekOp(';')) this.i++
      if (this.peek().kind === 'eof') break
      const start = this.peek().pos
      const statement = this.statement()
      const end = this.tokens[this.i - 1]!.end
      if (!this.peekOp(';') && this.peek().kind !== 'eof') {
        throw this.error(`Expected end of statement, found ${this.describe(this.peek())}`)
      }
      out.push({ statement, sql: this.sql.slice(start, end).trim() })
    }
    return out
  }

  // ---- statements -------------------------------------------------------------------

  private statement(): Statement {
    const t = this.peek()
    if (t.kind !== 'ident' && !this.peekOp('(')) {
      throw this.error(`Expected a SQL statement, found ${this.describe(t)}`)
    }
    if (this.peekOp('(')) {
      this.i++
      const s = this.statement()
      this.expectOp(')')
      return s
    }
    switch (t.value.toUpperCase()) {
      case 'SELECT':
        return this.select()
      case 'WITH':
        throw this.error('WITH queries are not supported')
      case 'INSERT':
        return this.insert()
      case 'UPDATE':
        return this.update()
      case 'DELETE':
        return this.delete()
      case 'CREATE':
        return this.create()
      case 'DROP':
        return this.drop()
      case 'STORAGE':
        return this.storage()
      case 'EXECUTE':
        return this.executeAs()
      case 'KILL':
        return this.kill()
      default:
        throw this.error(`Unsupported SQL statement: ${t.value.toUpperCase()}`)
    }
  }

  private create(): Statement {
    this.expectWord('CREATE')
    if (this.acceptWord('NAMESPACE')) {
      const ifNotExists = this.ifNotExists()
      return { kind: 'create_namespace', name: this.name(), ifNotExists }
    }
    let tableType: 'USER' | 'SHARED' | 'STREAM' | undefined
    if (this.peekWord('USER') && this.peekWordAt(1, 'TABLE')) {
      this.i++
      tableType = 'USER'
    } else if (this.acceptWord('SHARED')) tableType = 'SHARED'
    else if (this.acceptWord('STREAM')) tableType = 'STREAM'
    if (this.acceptWord('TABLE')) return this.createTable(tableType)
    if (this.acceptWord('USER')) return this.createUser()
    throw this.error(`Unsupported CREATE statement: CREATE ${this.describe(this.peek())}`)
  }

  private createTable(tableType: 'USER' | 'SHARED' | 'STREAM' | undefined): Statement {
    const ifNotExists = this.ifNotExists()
    const table = this.tableRef()
    this.expectOp('(')
    const columns: ColumnDef[] = []
    let primaryKey: string[] = []
    for (;;) {
      if (this.peekWord('PRIMARY')) {
        this.i++
        this.expectWord('KEY')
        this.expectOp('(')
        primaryKey = this.nameList()
        this.expectOp(')')
      } else {
        columns.push(this.columnDef())
      }
      if (this.acceptOp(',')) continue
      this.expectOp(')')
      break
    }
    const inline = columns.filter((c) => c.primaryKey).map((c) => c.name)
    if (inline.length > 0 && primaryKey.length > 0) {
      throw this.error('PRIMARY KEY is declared twice')
    }
    if (inline.length > 0) primaryKey = inline
    const options: Record<string, string> = {}
    if (this.acceptWord('WITH')) {
      this.expectOp('(')
      for (;;) {
        const key = this.name().toUpperCase()
        this.expectOp('=')
        const v = this.next()
        if (v.kind === 'string' || v.kind === 'number' || v.kind === 'ident') options[key] = v.value
        else throw this.error(`Expected a value for ${key}, found ${this.describe(v)}`)
        if (this.acceptOp(',')) continue
        this.expectOp(')')
        break
      }
    }
    return {
      kind: 'create_table',
      table,
      ...(tableType ? { tableType } : {}),
      ifNotExists,
      columns,
      primaryKey,
      options
    }
  }

  private columnDef(): ColumnDef {
    const name = this.name()
    const typeTok = this.next()
    if (typeTok.kind !== 'ident') throw this.error(`Expected a data type for column '${name}'`)
    let type = typeTok.value.toUpperCase()
    if (type === 'DOUBLE' && this.acceptWord('PRECISION')) type = 'DOUBLE'
    const typeArgs: number[] = []
    if (this.acceptOp('(')) {
      for (;;) {
        const n = this.next()
        if (n.kind !== 'number') throw this.error(`Expected a number in the type of '${name}'`)
        typeArgs.push(Number(n.value))
        if (this.acceptOp(',')) continue
        this.expectOp(')')
        break
      }
    }
    const col: ColumnDef = {
      name,
      type,
      typeArgs,
      primaryKey: false,
      notNull: false,
      unique: false
    }
    for (;;) {
      if (this.acceptWord('PRIMARY')) {
        this.expectWord('KEY')
        col.primaryKey = true
      } else if (this.peekWord('NOT') && this.peekWordAt(1, 'NULL')) {
        this.i += 2
        col.notNull = true
      } else if (this.acceptWord('NULL')) {
        col.notNull = false
      } else if (this.acceptWord('UNIQUE')) {
        col.unique = true
      } else if (this.acceptWord('DEFAULT')) {
        col.default = this.primary()
      } else if (this.acceptWord('AUTO_INCREMENT')) {
        // KalamDB rewrites AUTO_INCREMENT to DEFAULT SNOWFLAKE_ID() (PROTOCOL.md §7).
        col.default = { kind: 'func', name: 'SNOWFLAKE_ID', args: [] }
      } else if (this.acceptWord('COMMENT')) {
        this.expectKind('string')
      } else break
    }
    return col
  }

  private createUser(): Statement {
    const ifNotExists = this.ifNotExists()
    const name = this.nameOrString()
    this.expectWord('WITH')
    let password = ''
    let role = 'user'
    let email: string | undefined
    for (;;) {
      if (this.acceptWord('PASSWORD')) password = this.expectKind('string').value
      else if (this.acceptWord('ROLE')) role = this.nameOrString()
      else if (this.acceptWord('EMAIL')) email = this.expectKind('string').value
      else break
    }
    if (password === '') throw this.error('CREATE USER requires WITH PASSWORD')
    return {
      kind: 'create_user',
      name,
      password,
      role: role.toLowerCase(),
      ...(email !== undefined ? { email } : {}),
      ifNotExists
    }
  }

  private drop(): Statement {
    this.expectWord('DROP')
    if (this.acceptWord('NAMESPACE')) {
      const ifExists = this.ifExists()
      const name = this.name()
      const cascade = this.acceptWord('CASCADE')
      return { kind: 'drop_namespace', name, ifExists, cascade }
    }
    if (this.peekWord('USER') && this.peekWordAt(1, 'TABLE')) this.i++
    else if (this.acceptWord('SHARED') || this.acceptWord('STREAM')) {
      // typed form: DROP SHARED TABLE …
    } else if (this.acceptWord('USER')) {
      const ifExists = this.ifExists()
      return { kind: 'drop_user', name: this.nameOrString(), ifExists }
    }
    if (this.acceptWord('TABLE')) {
      const ifExists = this.ifExists()
      return { kind: 'drop_table', table: this.tableRef(), ifExists }
    }
    throw this.error(`Unsupported DROP statement: DROP ${this.describe(this.peek())}`)
  }

  private storage(): Statement {
    this.expectWord('STORAGE')
    if (!this.acceptWord('FLUSH')) {
      throw this.error(`Unsupported STORAGE command: ${this.describe(this.peek())}`)
    }
    if (this.acceptWord('TABLE')) return { kind: 'flush_table', table: this.tableRef() }
    if (this.acceptWord('ALL')) {
      if (this.acceptWord('IN')) {
        this.acceptWord('NAMESPACE')
        return { kind: 'flush_all', namespace: this.name() }
      }
      return { kind: 'flush_all' }
    }
    throw this.error('Expected TABLE or ALL after STORAGE FLUSH')
  }

  private executeAs(): Statement {
    this.expectWord('EXECUTE')
    this.expectWord('AS')
    this.expectWord('USER')
    const user = this.nameOrString()
    this.expectOp('(')
    const statement = this.statement()
    this.expectOp(')')
    return { kind: 'execute_as', user, statement }
  }

  private kill(): Statement {
    this.expectWord('KILL')
    this.expectWord('LIVE')
    this.expectWord('QUERY')
    return { kind: 'kill_live', id: this.nameOrString() }
  }

  private insert(): Statement {
    this.expectWord('INSERT')
    this.expectWord('INTO')
    const table = this.tableRef()
    let columns: string[] | undefined
    if (this.acceptOp('(')) {
      columns = this.nameList()
      this.expectOp(')')
    }
    this.expectWord('VALUES')
    const rows: Expr[][] = []
    for (;;) {
      this.expectOp('(')
      const row: Expr[] = []
      for (;;) {
        row.push(this.expr())
        if (this.acceptOp(',')) continue
        this.expectOp(')')
        break
      }
      rows.push(row)
      if (this.acceptOp(',')) continue
      break
    }
    return { kind: 'insert', table, ...(columns ? { columns } : {}), rows }
  }

  private update(): Statement {
    this.expectWord('UPDATE')
    const table = this.tableRef()
    this.expectWord('SET')
    const sets: { column: string; value: Expr }[] = []
    for (;;) {
      const column = this.name()
      this.expectOp('=')
      sets.push({ column, value: this.expr() })
      if (this.acceptOp(',')) continue
      break
    }
    const where = this.acceptWord('WHERE') ? this.expr() : undefined
    return { kind: 'update', table, sets, ...(where ? { where } : {}) }
  }

  private delete(): Statement {
    this.expectWord('DELETE')
    this.expectWord('FROM')
    const table = this.tableRef()
    const where = this.acceptWord('WHERE') ? this.expr() : undefined
    return { kind: 'delete', table, ...(where ? { where } : {}) }
  }

  private select(): SelectStmt {
    this.expectWord('SELECT')
    const stmt: SelectStmt = {
      kind: 'select',
      items: [],
      groupBy: [],
      orderBy: [],
      hasWith: false,
      hasJoin: false,
      distinct: false,
      having: false
    }
    if (this.acceptWord('DISTINCT')) stmt.distinct = true
    for (;;) {
      stmt.items.push(this.selectItem())
      if (this.acceptOp(',')) continue
      break
    }
    if (this.acceptWord('FROM')) {
      stmt.from = this.tableRef()
      if (this.acceptWord('AS')) stmt.tableAlias = this.name()
      else if (this.peek().kind === 'ident' && !RESERVED.has(this.peek().value.toUpperCase())) {
        stmt.tableAlias = this.name()
      }
      if (
        this.peekOp(',') ||
        ['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS'].some((w) => this.peekWord(w))
      ) {
        stmt.hasJoin = true
        this.skipUntil(['WHERE', 'GROUP', 'ORDER', 'LIMIT', 'OFFSET'])
      }
    }
    if (this.acceptWord('WHERE')) stmt.where = this.expr()
    if (this.peekWord('GROUP')) {
      this.i++
      this.expectWord('BY')
      for (;;) {
        stmt.groupBy.push(this.expr())
        if (this.acceptOp(',')) continue
        break
      }
    }
    if (this.acceptWord('HAVING')) {
      stmt.having = true
      this.expr()
    }
    if (this.peekWord('ORDER')) {
      this.i++
      this.expectWord('BY')
      for (;;) {
        const expr = this.expr()
        const item: OrderItem = { expr, desc: false }
        if (this.acceptWord('DESC')) item.desc = true
        else this.acceptWord('ASC')
        stmt.orderBy.push(item)
        if (this.acceptOp(',')) continue
        break
      }
    }
    if (this.acceptWord('LIMIT')) stmt.limit = this.primary()
    if (this.acceptWord('OFFSET')) stmt.offset = this.primary()
    return stmt
  }

  private selectItem(): SelectItem {
    if (this.peekOp('*')) {
      this.i++
      return { kind: 'star' }
    }
    const start = this.peek().pos
    const expr = this.expr()
    const text = this.sql.slice(start, this.tokens[this.i - 1]!.end)
    let alias: string | undefined
    if (this.acceptWord('AS')) alias = this.name()
    else if (
      (this.peek().kind === 'ident' && !RESERVED.has(this.peek().value.toUpperCase())) ||
      this.peek().kind === 'qident'
    ) {
      alias = this.name()
    }
    return { kind: 'expr', expr, text, ...(alias !== undefined ? { alias } : {}) }
  }
}
