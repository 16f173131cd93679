/**
 * Cursor over the tokens of one SQL text with the small helpers every parser level uses
 * (peek/accept/expect, keyword matching, errors carrying the position).
 */
import type { TableRef } from './ast'
import { SqlError } from './errors'
import { tokenize, type Token } from './lexer'

export class TokenStream {
  protected readonly tokens: Token[]
  protected i = 0

  constructor(protected readonly sql: string) {
    this.tokens = tokenize(sql)
  }

  // ---- helpers ----------------------------------------------------------------------

  protected tableRef(): TableRef {
    const first = this.name()
    if (this.acceptOp('.')) return { namespace: first, name: this.name() }
    return { name: first }
  }

  protected name(): string {
    const t = this.next()
    if (t.kind === 'ident' || t.kind === 'qident') return t.value
    throw this.errorAt(t, `Expected a name, found ${this.describe(t)}`)
  }

  protected nameOrString(): string {
    const t = this.next()
    if (t.kind === 'ident' || t.kind === 'qident' || t.kind === 'string') return t.value
    throw this.errorAt(t, `Expected a name, found ${this.describe(t)}`)
  }

  protected nameList(): string[] {
    const names = [this.name()]
    while (this.acceptOp(',')) names.push(this.name())
    return names
  }

  protected ifNotExists(): boolean {
    if (this.peekWord('IF')) {
      this.i++
      this.expectWord('NOT')
      this.expectWord('EXISTS')
      return true
    }
    return false
  }

  protected ifExists(): boolean {
    if (this.peekWord('IF')) {
      this.i++
      this.expectWord('EXISTS')
      return true
    }
    return false
  }

  /** After an opening parenthesis: skips to its matching close. */
  protected skipBalanced(): void {
    let depth = 1
    while (depth > 0) {
      const t = this.next()
      if (t.kind === 'eof') throw this.error('Unbalanced parentheses')
      if (t.kind === 'op' && t.value === '(') depth++
      if (t.kind === 'op' && t.value === ')') depth--
    }
  }

  protected skipUntil(words: string[]): void {
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

  protected peek(): Token {
    return this.tokens[this.i]!
  }

  protected next(): Token {
    const t = this.tokens[this.i]!
    if (t.kind !== 'eof') this.i++
    return t
  }

  protected peekOp(op: string): boolean {
    const t = this.peek()
    return t.kind === 'op' && t.value === op
  }

  protected acceptOp(op: string): boolean {
    if (!this.peekOp(op)) return false
    this.i++
    return true
  }

  protected expectOp(op: string): void {
    if (!this.acceptOp(op))
      throw this.error(`Expected '${op}', found ${this.describe(this.peek())}`)
  }

  protected peekWord(word: string): boolean {
    return this.peekWordAt(0, word)
  }

  protected peekWordAt(offset: number, word: string): boolean {
    const t = this.tokens[this.i + offset]
    return t !== undefined && t.kind === 'ident' && t.value.toUpperCase() === word
  }

  protected acceptWord(word: string): boolean {
    if (!this.peekWord(word)) return false
    this.i++
    return true
  }

  protected expectWord(word: string): void {
    if (!this.acceptWord(word))
      throw this.error(`Expected ${word}, found ${this.describe(this.peek())}`)
  }

  protected expectKind(kind: Token['kind']): Token {
    const t = this.next()
    if (t.kind !== kind) throw this.errorAt(t, `Expected a ${kind}, found ${this.describe(t)}`)
    return t
  }

  protected describe(t: Token): string {
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

  protected error(message: string): SqlError {
    return this.errorAt(this.peek(), message)
  }

  protected errorAt(t: Token, message: string): SqlError {
    return new SqlError('INVALID_SQL', `${message} at position ${t.pos}`)
  }
}
