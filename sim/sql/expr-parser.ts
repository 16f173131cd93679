/** Expressions of the SQL subset: precedence OR < AND < NOT < comparison < + - || < * / % < unary. */
import type { Expr } from './ast'
import { TokenStream } from './token-stream'

/** Words that end an expression or a select item (so they are never taken as aliases). */
export const RESERVED = new Set(
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

export class ExprParser extends TokenStream {
  // ---- expressions ------------------------------------------------------------------

  expr(): Expr {
    return this.or()
  }

  protected or(): Expr {
    let left = this.and()
    while (this.acceptWord('OR')) left = { kind: 'binary', op: 'OR', left, right: this.and() }
    return left
  }

  protected and(): Expr {
    let left = this.not()
    while (this.acceptWord('AND')) left = { kind: 'binary', op: 'AND', left, right: this.not() }
    return left
  }

  protected not(): Expr {
    if (this.acceptWord('NOT')) return { kind: 'unary', op: 'NOT', expr: this.not() }
    return this.comparison()
  }

  protected comparison(): Expr {
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

  protected additive(): Expr {
    let left = this.multiplicative()
    for (;;) {
      const t = this.peek()
      if (t.kind === 'op' && (t.value === '+' || t.value === '-' || t.value === '||')) {
        this.i++
        left = { kind: 'binary', op: t.value, left, right: this.multiplicative() }
      } else return left
    }
  }

  protected multiplicative(): Expr {
    let left = this.unary()
    for (;;) {
      const t = this.peek()
      if (t.kind === 'op' && (t.value === '*' || t.value === '/' || t.value === '%')) {
        this.i++
        left = { kind: 'binary', op: t.value, left, right: this.unary() }
      } else return left
    }
  }

  protected unary(): Expr {
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

  protected primary(): Expr {
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
  protected columnRest(first: string): Expr {
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
}
