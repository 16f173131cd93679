/**
 * Tokenizer of the simulator's SQL subset. Keywords are plain identifiers compared
 * case-insensitively by the parser, so column names like `status` or `key` need no quoting.
 */
import { SqlError } from './errors'

export type TokenKind = 'ident' | 'qident' | 'string' | 'number' | 'param' | 'op' | 'eof'

export interface Token {
  kind: TokenKind
  /** Identifier as written (quoted ones without quotes), string contents, number text, op. */
  value: string
  /** Offset of the token's first character in the source text. */
  pos: number
  end: number
}

const OPS = [
  '<=',
  '>=',
  '<>',
  '!=',
  '||',
  '=',
  '<',
  '>',
  '(',
  ')',
  ',',
  ';',
  '.',
  '*',
  '+',
  '-',
  '/',
  '%'
]

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql.charCodeAt(i)
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++
      continue
    }
    // -- comment
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      while (i < n && sql.charCodeAt(i) !== 10) i++
      continue
    }
    // /* comment */
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const close = sql.indexOf('*/', i + 2)
      if (close < 0) throw new SqlError('INVALID_SQL', 'Unterminated block comment')
      i = close + 2
      continue
    }
    const start = i
    if (c === 39) {
      // 'string' with '' escapes. Whole runs between quotes are sliced, never built a
      // character at a time: V8 keeps `s += ch` as a rope of one 32-byte node per character,
      // and an inserted row keeps its strings in the memtable (2.4 KiB for a 100-character
      // payload instead of ~0.2).
      let value = ''
      i++
      for (;;) {
        const q = sql.indexOf("'", i)
        if (q < 0)
          throw new SqlError('INVALID_SQL', `Unterminated string literal at position ${start}`)
        value = value === '' ? sql.slice(i, q) : value + sql.slice(i, q)
        if (sql[q + 1] === "'") {
          value += "'"
          i = q + 2
          continue
        }
        i = q + 1
        break
      }
      tokens.push({ kind: 'string', value, pos: start, end: i })
      continue
    }
    if (c === 34 || c === 96) {
      // "quoted" or `quoted` identifier
      const quote = sql[i]!
      const close = sql.indexOf(quote, i + 1)
      if (close < 0)
        throw new SqlError('INVALID_SQL', `Unterminated quoted identifier at position ${start}`)
      tokens.push({ kind: 'qident', value: sql.slice(i + 1, close), pos: start, end: close + 1 })
      i = close + 1
      continue
    }
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      while (i < n && isDigit(sql.charCodeAt(i))) i++
      if (sql.charCodeAt(i) === 46 && isDigit(sql.charCodeAt(i + 1))) {
        i++
        while (i < n && isDigit(sql.charCodeAt(i))) i++
      }
      if (sql[i] === 'e' || sql[i] === 'E') {
        let j = i + 1
        if (sql[j] === '+' || sql[j] === '-') j++
        if (isDigit(sql.charCodeAt(j))) {
          i = j
          while (i < n && isDigit(sql.charCodeAt(i))) i++
        }
      }
      tokens.push({ kind: 'number', value: sql.slice(start, i), pos: start, end: i })
      continue
    }
    if (c === 36) {
      // $1
      i++
      while (i < n && isDigit(sql.charCodeAt(i))) i++
      if (i === start + 1)
        throw new SqlError('INVALID_SQL', `Invalid parameter placeholder at position ${start}`)
      tokens.push({ kind: 'param', value: sql.slice(start + 1, i), pos: start, end: i })
      continue
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(sql.charCodeAt(i))) i++
      tokens.push({ kind: 'ident', value: sql.slice(start, i), pos: start, end: i })
      continue
    }
    const op = OPS.find((o) => sql.startsWith(o, i))
    if (op === undefined) {
      throw new SqlError('INVALID_SQL', `Unexpected character '${sql[i]}' at position ${i}`)
    }
    tokens.push({ kind: 'op', value: op, pos: start, end: i + op.length })
    i += op.length
  }
  tokens.push({ kind: 'eof', value: '', pos: n, end: n })
  return tokens
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c)
}
