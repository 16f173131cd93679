import { describe, expect, it } from 'vitest'
import { SqlError } from './errors'
import { parseBatch, parseStatement } from './parser'

describe('sim/sql/parser', () => {
  describe('parseStatement', () => {
    it('parses the namespace statements of PROTOCOL.md §7', () => {
      expect(parseStatement('CREATE NAMESPACE IF NOT EXISTS app')).toEqual({
        kind: 'create_namespace',
        name: 'app',
        ifNotExists: true
      })
      expect(parseStatement('DROP NAMESPACE IF EXISTS app CASCADE')).toEqual({
        kind: 'drop_namespace',
        name: 'app',
        ifExists: true,
        cascade: true
      })
    })

    it('parses CREATE TABLE with column constraints, defaults and WITH options', () => {
      const s = parseStatement(
        "CREATE TABLE app.msgs (id BIGINT PRIMARY KEY DEFAULT SNOWFLAKE_ID(), body TEXT NOT NULL, created_at TIMESTAMP DEFAULT NOW()) WITH (TYPE = 'USER', FLUSH_POLICY = 'rows:1000,interval:60')"
      )
      expect(s).toMatchObject({
        kind: 'create_table',
        table: { namespace: 'app', name: 'msgs' },
        primaryKey: ['id'],
        options: { TYPE: 'USER', FLUSH_POLICY: 'rows:1000,interval:60' }
      })
      if (s.kind !== 'create_table') throw new Error('kind')
      expect(s.columns.map((c) => [c.name, c.type, c.notNull])).toEqual([
        ['id', 'BIGINT', false],
        ['body', 'TEXT', true],
        ['created_at', 'TIMESTAMP', false]
      ])
      expect(s.columns[0]!.default).toEqual({ kind: 'func', name: 'SNOWFLAKE_ID', args: [] })
      expect(s.columns[2]!.default).toEqual({ kind: 'func', name: 'NOW', args: [] })
    })

    it('reads the table type from the prefix form and a table-level PRIMARY KEY', () => {
      expect(
        parseStatement('CREATE USER TABLE app.msgs2 (id INT PRIMARY KEY, body TEXT)')
      ).toMatchObject({
        tableType: 'USER'
      })
      expect(
        parseStatement(
          "CREATE SHARED TABLE app.cfg (k TEXT, v TEXT, PRIMARY KEY (k)) WITH (ACCESS_LEVEL = 'PUBLIC')"
        )
      ).toMatchObject({
        tableType: 'SHARED',
        primaryKey: ['k'],
        options: { ACCESS_LEVEL: 'PUBLIC' }
      })
      expect(
        parseStatement(
          'CREATE STREAM TABLE app.events (event_id TEXT PRIMARY KEY, payload TEXT) WITH (TTL_SECONDS = 30)'
        )
      ).toMatchObject({ tableType: 'STREAM', options: { TTL_SECONDS: '30' } })
    })

    it('rewrites AUTO_INCREMENT to DEFAULT SNOWFLAKE_ID()', () => {
      const s = parseStatement('CREATE TABLE app.t (id BIGINT PRIMARY KEY AUTO_INCREMENT)')
      if (s.kind !== 'create_table') throw new Error('kind')
      expect(s.columns[0]!.default).toEqual({ kind: 'func', name: 'SNOWFLAKE_ID', args: [] })
    })

    it('parses both CREATE USER forms', () => {
      expect(parseStatement("CREATE USER 'alice' WITH PASSWORD 'S3cret-pass!' ROLE user")).toEqual({
        kind: 'create_user',
        name: 'alice',
        password: 'S3cret-pass!',
        role: 'user',
        ifNotExists: false
      })
      expect(parseStatement("CREATE USER admin WITH PASSWORD 'x1234567' ROLE 'dba'")).toMatchObject(
        {
          name: 'admin',
          role: 'dba'
        }
      )
      expect(parseStatement("DROP USER IF EXISTS 'alice'")).toEqual({
        kind: 'drop_user',
        name: 'alice',
        ifExists: true
      })
    })

    it('parses multi-row INSERT with literals and $N parameters', () => {
      expect(parseStatement("INSERT INTO app.msgs (id, body) VALUES (1, 'a'), ($1, $2)")).toEqual({
        kind: 'insert',
        table: { namespace: 'app', name: 'msgs' },
        columns: ['id', 'body'],
        rows: [
          [
            { kind: 'literal', value: 1 },
            { kind: 'literal', value: 'a' }
          ],
          [
            { kind: 'param', index: 1 },
            { kind: 'param', index: 2 }
          ]
        ]
      })
    })

    it('keeps integers above 2^53 exact as raw text', () => {
      const s = parseStatement('SELECT * FROM app.t WHERE id = 7345812093018112123')
      if (s.kind !== 'select') throw new Error('kind')
      expect(s.where).toMatchObject({ right: { kind: 'literal', raw: '7345812093018112123' } })
    })

    it('parses SELECT with WHERE, AND, ORDER BY, LIMIT and COUNT(*) AS', () => {
      const s = parseStatement(
        'SELECT id, body FROM app.msgs WHERE id > 0 AND id <= 10 ORDER BY id DESC LIMIT 100'
      )
      expect(s).toMatchObject({
        kind: 'select',
        from: { namespace: 'app', name: 'msgs' },
        where: { kind: 'binary', op: 'AND' },
        orderBy: [{ expr: { kind: 'column', name: 'id' }, desc: true }],
        limit: { kind: 'literal', value: 100 }
      })
      expect(parseStatement('SELECT COUNT(*) AS cnt FROM app.msgs')).toMatchObject({
        items: [{ kind: 'expr', expr: { kind: 'func', name: 'COUNT', star: true }, alias: 'cnt' }]
      })
    })

    it('parses IN lists, IS NULL, LIKE and BETWEEN', () => {
      const s = parseStatement(
        "SELECT metric_name FROM system.stats WHERE metric_name IN ('a', 'b') AND v IS NOT NULL AND n LIKE 'x%' AND k BETWEEN 1 AND 2"
      )
      expect(JSON.stringify(s)).toContain('"kind":"in"')
      expect(JSON.stringify(s)).toContain(
        '"kind":"isnull","expr":{"kind":"column","name":"v"},"not":true'
      )
      expect(JSON.stringify(s)).toContain('"kind":"like"')
      expect(JSON.stringify(s)).toContain('"kind":"between"')
    })

    it('parses UPDATE, DELETE, STORAGE FLUSH and EXECUTE AS USER', () => {
      expect(parseStatement("UPDATE app.msgs SET body = 'c' WHERE id = 1")).toMatchObject({
        kind: 'update',
        sets: [{ column: 'body', value: { kind: 'literal', value: 'c' } }]
      })
      expect(parseStatement('DELETE FROM app.msgs WHERE id = 2')).toMatchObject({ kind: 'delete' })
      expect(parseStatement('STORAGE FLUSH TABLE app.msgs')).toEqual({
        kind: 'flush_table',
        table: { namespace: 'app', name: 'msgs' }
      })
      expect(parseStatement('STORAGE FLUSH ALL IN app')).toEqual({
        kind: 'flush_all',
        namespace: 'app'
      })
      expect(parseStatement('STORAGE FLUSH ALL IN NAMESPACE app')).toEqual({
        kind: 'flush_all',
        namespace: 'app'
      })
      expect(parseStatement('STORAGE FLUSH ALL')).toEqual({ kind: 'flush_all' })
      expect(parseStatement("EXECUTE AS USER 'alice' (SELECT * FROM app.msgs)")).toMatchObject({
        kind: 'execute_as',
        user: 'alice',
        statement: { kind: 'select' }
      })
    })

    it('treats keywords as plain identifiers where a name is expected', () => {
      expect(parseStatement('SELECT status, key FROM system.jobs WHERE status = $1')).toMatchObject(
        {
          items: [{ expr: { name: 'status' } }, { expr: { name: 'key' } }]
        }
      )
    })
  })

  describe('parseBatch', () => {
    it('splits statements on semicolons outside strings and keeps each source text', () => {
      const b = parseBatch(
        "INSERT INTO a.t (v) VALUES ('x;y'); SELECT 1 ;; DELETE FROM a.t WHERE v = 'it''s'"
      )
      expect(b.map((s) => s.sql)).toEqual([
        "INSERT INTO a.t (v) VALUES ('x;y')",
        'SELECT 1',
        "DELETE FROM a.t WHERE v = 'it''s'"
      ])
      expect(b[2]!.statement).toMatchObject({ where: { right: { value: "it's" } } })
    })

    it('ignores comments', () => {
      expect(parseBatch('-- hello\nSELECT 1 /* x */')).toHaveLength(1)
    })

    it('rejects statements it does not know with INVALID_SQL naming them', () => {
      const e = catchError(() => parseBatch('FLUSH TABLE app.msgs'))
      expect(e).toBeInstanceOf(SqlError)
      expect(e.code).toBe('INVALID_SQL')
      expect(e.message).toMatch(/Unsupported SQL statement: FLUSH/)
    })

    it('rejects trailing garbage and unterminated strings with the position', () => {
      expect(catchError(() => parseBatch('SELECT 1 2')).message).toMatch(/position 9/)
      expect(catchError(() => parseBatch("SELECT 'abc")).message).toMatch(/Unterminated string/)
    })

    it('flags the clauses subscriptions must reject', () => {
      const s = parseStatement('SELECT a.x FROM app.t a JOIN app.u b ON a.x = b.x GROUP BY a.x')
      expect(s).toMatchObject({ hasJoin: true, tableAlias: 'a', groupBy: [{ kind: 'column' }] })
    })
  })
})

function catchError(fn: () => unknown): SqlError {
  try {
    fn()
  } catch (e) {
    return e as SqlError
  }
  throw new Error('expected an error')
}
