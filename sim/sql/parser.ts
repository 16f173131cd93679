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
  Statement,
  TableRef
} from './ast'
import { SqlError } from './errors'
import { tokenize, type Token } from './lexer'

/** Words that end an expression or a select item (so they are never taken as aliases). */
const RESERVED = new Set(
  [
    'FROM',
    'WHERE',
    'GROUP',
    'ORDER',
    'LIMIT',
    'OFFSET',
    'HAVING',
    'JOIN',
    'INNER',
    'LEFT',
    'RIGHT',
    'FULL',
    'CROSS',
    'ON',
    'AS',
    'AND',
    'OR',
    'NOT',
    'UNION',
    'SET',
    'VALUES',
    'ASC',
    'DESC',
    'IS',
    'IN',
    'LIKE',
    'BETWEEN',
    'WITH'
  ].map((s) => s)
)

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

class Parser {
  private readonly tokens: Token[]
  private i = 0

  constructor(private readonly sql: string) {
    this.tokens = tokenize(sql)
  }

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

  // ---- expressions ------------------------------------------------------------------

  expr(): Expr {
    return this.or()
  }

  private or(): Expr {
    let left = this.and()
    while (this.acceptWord('OR')) left = { kind: 'binary', op: 'OR', left, right: this.and() }
    return left
  }

  private and(): Expr {
    let left = this.not()
    while (this.acceptWord('AND')) left = { kind: 'binary', op: 'AND', left, right: this.not() }
    return left
  }

  private not(): Expr {
    if (this.acceptWord('NOT')) return { kind: 'unary', op: 'NOT', expr: this.not() }
    return this.comparison()
  }

  private comparison(): Expr {
    const left = this.additive()
    const t = this.peek()
    if (t.kind === 'op' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(t.value)) {
      this.i++
      const op = t.value === '<>' ? '!=' : (t.value as '=' | '!=' | '<' | '<=' | '>' | '>=')
      return { kind: 'binary', op, left, right: this.additive() }
    }
    if (this.acceptWord('IS')) {
      const not = this.acceptWord('NOT')
      this.expectWord('NULL')
      return { kind: 'isnull', expr: left, not }
    }
    let not = false
    if (
      this.peekWord('NOT') &&
      (this.peekWordAt(1, 'IN') || this.peekWordAt(1, 'LIKE') || this.peekWordAt(1, 'BETWEEN'))
    ) {
      this.i++
      not = true
    }
    if (this.acceptWord('IN')) {
      this.expectOp('(')
      if (this.peekWord('SELECT')) {
        this.skipBalanced()
        return { kind: 'subquery' }
      }
      const list: Expr[] = []
      for (;;) {
        list.push(this.expr())
        if (this.acceptOp(',')) continue
        this.expectOp(')')
        break
      }
      return { kind: 'in', expr: left, list, not }
    }
    if (this.acceptWord('LIKE')) return { kind: 'like', expr: left, pattern: this.additive(), not }
    if (this.acceptWord('BETWEEN')) {
      const low = this.additive()
      this.expectWord('AND')
      return { kind: 'between', expr: left, low, high: this.additive(), not }
    }
    if (not) throw this.error('Expected IN, LIKE or BETWEEN after NOT')
    return left
  }

  private additive(): Expr {
    let left = this.multiplicative()
    for (;;) {
      const t = this.peek()
      if (t.kind === 'op' && (t.value === '+' || t.value === '-' || t.value === '||')) {
        this.i++
        left = { kind: 'binary', op: t.value, left, right: this.multiplicative() }
      } else return left
    }
  }

  private multiplicative(): Expr {
    let left = this.unary()
    for (;;) {
      const t = this.peek()
      if (t.kind === 'op' && (t.value === '*' || t.value === '/' || t.value === '%')) {
        this.i++
        left = { kind: 'binary', op: t.value, left, right: this.unary() }
      } else return left
    }
  }

  private unary(): Expr {
    if (this.acceptOp('-')) {
      const inner = this.unary()
      if (inner.kind === 'literal' && typeof inner.value === 'number') {
        return {
          kind: 'literal',
          value: -inner.value,
          ...(inner.raw ? { raw: `-${inner.raw}` } : {})
        }
      }
      return { kind: 'unary', op: '-', expr: inner }
    }
    if (this.acceptOp('+')) return this.unary()
    return this.primary()
  }

  private primary(): Expr {
    const t = this.next()
    switch (t.kind) {
      case 'number': {
        const value = Number(t.value)
        return /^\d+$/.test(t.value) && !Number.isSafeInteger(value)
          ? { kind: 'literal', value, raw: t.value }
          : { kind: 'literal', value }
      }
      case 'string':
        return { kind: 'literal', value: t.value }
      case 'param': {
        const index = Number(t.value)
        if (index < 1) throw this.error(`Invalid parameter placeholder $${t.value}`)
        return { kind: 'param', index }
      }
      case 'qident':
        return this.columnRest(t.value)
      case 'ident': {
        const up = t.value.toUpperCase()
        if (up === 'NULL') return { kind: 'literal', value: null }
        if (up === 'TRUE') return { kind: 'literal', value: true }
        if (up === 'FALSE') return { kind: 'literal', value: false }
        if (up === 'EXISTS' && this.peekOp('(')) {
          this.i++
          this.skipBalanced()
          return { kind: 'subquery' }
        }
        if (up === 'CURRENT_TIMESTAMP' && !this.peekOp('(')) {
          return { kind: 'func', name: 'NOW', args: [] }
        }
        if ((up === 'CURRENT_USER' || up === 'CURRENT_USER_ID') && !this.peekOp('(')) {
          return { kind: 'func', name: 'CURRENT_USER', args: [] }
        }
        if (this.peekOp('(')) {
          this.i++
          if (this.acceptOp('*')) {
            this.expectOp(')')
            return { kind: 'func', name: up, args: [], star: true }
          }
          const args: Expr[] = []
          if (!this.acceptOp(')')) {
            this.acceptWord('DISTINCT')
            for (;;) {
              args.push(this.expr())
              if (this.acceptOp(',')) continue
              this.expectOp(')')
              break
            }
          }
          return { kind: 'func', name: up === 'CURRENT_USER_ID' ? 'CURRENT_USER' : up, args }
        }
        if (RESERVED.has(up)) throw this.error(`Unexpected keyword ${up}`)
        return this.columnRest(t.value)
      }
      case 'op':
        if (t.value === '(') {
          if (this.peekWord('SELECT')) {
            this.skipBalanced()
            return { kind: 'subquery' }
          }
          const e = this.expr()
          this.expectOp(')')
          return e
        }
        throw this.errorAt(t, `Unexpected ${this.describe(t)}`)
      default:
        throw this.errorAt(t, `Unexpected ${this.describe(t)}`)
    }
  }

  /** `name`, `t.name` or `ns.t.name`: keeps the last part as the column, the rest as the table. */
  private columnRest(first: string): Expr {
    const parts = [first]
    while (this.peekOp('.')) {
      this.i++
      parts.push(this.name())
    }
    const name = parts.pop()!
    return parts.length > 0
      ? { kind: 'column', name, table: parts.join('.') }
      : { kind: 'column', name }
  }

  // ---- helpers ----------------------------------------------------------------------

  private tableRef(): TableRef {
    const first = this.name()
    if (this.acceptOp('.')) return { namespace: first, name: this.name() }
    return { name: first }
  }

  private name(): string {
    const t = this.next()
    if (t.kind === 'ident' || t.kind === 'qident') return t.value
    throw this.errorAt(t, `Expected a name, found ${this.describe(t)}`)
  }

  private nameOrString(): string {
    const t = this.next()
    if (t.kind === 'ident' || t.kind === 'qident' || t.kind === 'string') return t.value
    throw this.errorAt(t, `Expected a name, found ${this.describe(t)}`)
  }

  private nameList(): string[] {
    const names = [this.name()]
    while (this.acceptOp(',')) names.push(this.name())
    return names
  }

  private ifNotExists(): boolean {
    if (this.peekWord('IF')) {
      this.i++
      this.expectWord('NOT')
      this.expectWord('EXISTS')
      return true
    }
    return false
  }

  private ifExists(): boolean {
    if (this.peekWord('IF')) {
      this.i++
      this.expectWord('EXISTS')
      return true
    }
    return false
  }

  /** After an opening parenthesis: skips to its matching close. */
  private skipBalanced(): void {
    let depth = 1
    while (depth > 0) {
      const t = this.next()
      if (t.kind === 'eof') throw this.error('Unbalanced parentheses')
      if (t.kind === 'op' && t.value === '(') depth++
      if (t.kind === 'op' && t.value === ')') depth--
    }
  }

  private skipUntil(words: string[]): void {
    let depth = 0
    for (;;) {
      const t = this.peek()
      if (t.kind === 'eof') return
      if (t.kind === 'op' && t.value === ';' && depth === 0) return
      if (t.kind === 'op' && t.value === '(') depth++
      if (t.kind === 'op' && t.value === ')') {
        if (depth === 0) return
        depth--
      }
      if (depth === 0 && t.kind === 'ident' && words.includes(t.value.toUpperCase())) return
      this.i++
    }
  }

  private peek(): Token {
    return this.tokens[this.i]!
  }

  private next(): Token {
    const t = this.tokens[this.i]!
    if (t.kind !== 'eof') this.i++
    return t
  }

  private peekOp(op: string): boolean {
    const t = this.peek()
    return t.kind === 'op' && t.value === op
  }

  private acceptOp(op: string): boolean {
    if (!this.peekOp(op)) return false
    this.i++
    return true
  }

  private expectOp(op: string): void {
    if (!this.acceptOp(op))
      throw this.error(`Expected '${op}', found ${this.describe(this.peek())}`)
  }

  private peekWord(word: string): boolean {
    return this.peekWordAt(0, word)
  }

  private peekWordAt(offset: number, word: string): boolean {
    const t = this.tokens[this.i + offset]
    return t !== undefined && t.kind === 'ident' && t.value.toUpperCase() === word
  }

  private acceptWord(word: string): boolean {
    if (!this.peekWord(word)) return false
    this.i++
    return true
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word))
      throw this.error(`Expected ${word}, found ${this.describe(this.peek())}`)
  }

  private expectKind(kind: Token['kind']): Token {
    const t = this.next()
    if (t.kind !== kind) throw this.errorAt(t, `Expected a ${kind}, found ${this.describe(t)}`)
    return t
  }

  private describe(t: Token): string {
    switch (t.kind) {
      case 'eof':
        return 'end of input'
      case 'string':
        return `'${t.value}'`
      case 'param':
        return `$${t.value}`
      default:
        return t.value
    }
  }

  private error(message: string): SqlError {
    return this.errorAt(this.peek(), message)
  }

  private errorAt(t: Token, message: string): SqlError {
    return new SqlError('INVALID_SQL', `${message} at position ${t.pos}`)
  }
}
