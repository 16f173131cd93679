import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseBatch } from '../sql/parser'
import { SqlError } from '../sql/errors'
import { Engine, type ExecContext, type StatementResult, type Change } from './engine'

let dir: string
let engine: Engine
let changes: Change[]
const admin: ExecContext = { user: 'admin', role: 'dba', params: [], namespace: 'default' }

function run(sql: string, ctx: Partial<ExecContext> = {}): StatementResult[] {
  return parseBatch(sql).map((s) => engine.execute(s, { ...admin, ...ctx }))
}

function rows(sql: string, ctx: Partial<ExecContext> = {}): unknown[][] {
  const r = run(sql, ctx)[0]!
  if (r.kind !== 'rows') throw new Error(`not rows: ${r.kind}`)
  return r.rows
}

async function flushAndWait(table: string): Promise<void> {
  const r = run(`STORAGE FLUSH TABLE ${table}`)[0]!
  if (r.kind !== 'message') throw new Error('kind')
  const id = /Job ID: (FL-[0-9a-f]{12})/.exec(r.message)?.[1]
  if (!id) throw new Error(r.message)
  for (let i = 0; i < 200; i++) {
    const s = rows(`SELECT status FROM system.jobs WHERE job_id = '${id}'`)[0]![0]
    if (s === 'completed') return
    await new Promise((res) => setTimeout(res, 5))
  }
  throw new Error('flush did not complete')
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kp-sim-engine-'))
  changes = []
  engine = new Engine({
    dataDir: dir,
    limits: { defaultLimit: 50, maxLimit: 1000 },
    flushRows: 10_000,
    flushIntervalMs: 300_000,
    onChange: (c) => changes.push(c)
  })
  engine.createUser('admin', 'kalamdb123', 'dba', null)
  engine.createUser('alice', 'alice-pass', 'user', null)
  run('CREATE NAMESPACE app')
})

afterEach(async () => {
  await engine.jobs.drain(1000)
  rmSync(dir, { recursive: true, force: true })
})

describe('sim/engine', () => {
  describe('Engine.execute', () => {
    it('answers COUNT(*), ORDER BY and pk lookups the same before and after a flush', async () => {
      run("CREATE TABLE app.t (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')")
      const values = Array.from({ length: 120 }, (_, i) => `(${i + 1}, 'v${i + 1}')`).join(',')
      run(`INSERT INTO app.t (id, v) VALUES ${values}`)
      const before = {
        count: rows('SELECT COUNT(*) FROM app.t'),
        desc: rows('SELECT id FROM app.t ORDER BY id DESC LIMIT 3'),
        one: rows('SELECT v FROM app.t WHERE id = 77')
      }
      await flushAndWait('app.t')
      expect(readdirSync(join(dir, 'storage', 'app', 't'))).toEqual(['batch-0.ndjson'])
      expect(engine.storageStats().activeEntries).toBe(0)
      expect(rows('SELECT COUNT(*) FROM app.t')).toEqual(before.count)
      expect(rows('SELECT id FROM app.t ORDER BY id DESC LIMIT 3')).toEqual(before.desc)
      expect(rows('SELECT v FROM app.t WHERE id = 77')).toEqual(before.one)
      expect(before.count).toEqual([['120']])
      expect(before.desc).toEqual([['120'], ['119'], ['118']])
    })

    it('lets newer versions in the memtable win over flushed rows, tombstones included', async () => {
      run("CREATE TABLE app.t (id INT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')")
      run("INSERT INTO app.t (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')")
      await flushAndWait('app.t')
      run("UPDATE app.t SET v = 'B' WHERE id = 2")
      run('DELETE FROM app.t WHERE id = 3')
      expect(rows('SELECT id, v FROM app.t')).toEqual([
        [1, 'a'],
        [2, 'B']
      ])
      expect(rows('SELECT COUNT(*) AS n FROM app.t')).toEqual([['2']])
      await flushAndWait('app.t')
      expect(rows('SELECT id, v FROM app.t')).toEqual([
        [1, 'a'],
        [2, 'B']
      ])
      expect(() => run("INSERT INTO app.t (id, v) VALUES (1, 'again')")).toThrow(
        /Primary key violation/
      )
      run("INSERT INTO app.t (id, v) VALUES (3, 'back')")
      expect(rows('SELECT COUNT(*) FROM app.t')).toEqual([['3']])
    })

    it('applies the implicit LIMIT 50 and caps LIMIT at 1000', () => {
      run("CREATE TABLE app.t (id INT PRIMARY KEY) WITH (TYPE = 'SHARED')")
      run(
        `INSERT INTO app.t (id) VALUES ${Array.from({ length: 1200 }, (_, i) => `(${i})`).join(',')}`
      )
      expect(rows('SELECT * FROM app.t')).toHaveLength(50)
      expect(rows('SELECT * FROM app.t LIMIT 5000')).toHaveLength(1000)
      expect(rows('SELECT COUNT(*) FROM app.t')).toEqual([['1200']])
    })

    it('keeps USER-table rows in one partition per user', () => {
      run("CREATE TABLE app.m (id INT PRIMARY KEY, body TEXT) WITH (TYPE = 'USER')")
      run("INSERT INTO app.m (id, body) VALUES (1, 'admin row')")
      run("INSERT INTO app.m (id, body) VALUES (1, 'alice row')", { user: 'alice', role: 'user' })
      expect(rows('SELECT body FROM app.m')).toEqual([['admin row']])
      expect(rows('SELECT body FROM app.m', { user: 'alice', role: 'user' })).toEqual([
        ['alice row']
      ])
      expect(changes.map((c) => c.partition)).toEqual(['admin', 'alice'])
    })

    it('enforces SHARED access levels and admin-only system tables', () => {
      run("CREATE SHARED TABLE app.pub (k TEXT PRIMARY KEY, v TEXT) WITH (ACCESS_LEVEL = 'PUBLIC')")
      run('CREATE SHARED TABLE app.priv (k TEXT PRIMARY KEY, v TEXT)')
      const alice = { user: 'alice', role: 'user' as const }
      expect(rows('SELECT * FROM app.pub', alice)).toEqual([])
      expect(() => run("INSERT INTO app.pub (k, v) VALUES ('a', 'b')", alice)).toThrow(SqlError)
      expect(() => rows('SELECT * FROM app.priv', alice)).toThrow(/Access denied/)
      expect(() => rows('SELECT * FROM system.users', alice)).toThrow(/requires dba or system role/)
    })

    it('reports flush outcomes like KalamDB: started, skipped when empty, skipped when busy', () => {
      run("CREATE TABLE app.t (id INT PRIMARY KEY) WITH (TYPE = 'SHARED')")
      expect(run('STORAGE FLUSH TABLE app.t')[0]).toEqual({
        kind: 'message',
        message: "Storage flush skipped: no pending writes for table 'app.t'"
      })
      run('INSERT INTO app.t (id) VALUES (1)')
      expect(run('STORAGE FLUSH TABLE app.t')[0]).toMatchObject({
        message: expect.stringMatching(
          /^Storage flush started for table 'app\.t'\. Job ID: FL-[0-9a-f]{12}$/
        )
      })
      expect(run('STORAGE FLUSH TABLE app.t')[0]).toEqual({
        kind: 'message',
        message: "Storage flush skipped: a flush is already queued or running for table 'app.t'"
      })
      expect(rows('SELECT status FROM system.jobs')).toEqual([['new']])
    })

    it('flushes automatically at the table row policy', async () => {
      run(
        "CREATE TABLE app.t (id INT PRIMARY KEY) WITH (TYPE = 'SHARED', FLUSH_POLICY = 'rows:10')"
      )
      run(
        `INSERT INTO app.t (id) VALUES ${Array.from({ length: 10 }, (_, i) => `(${i})`).join(',')}`
      )
      expect(engine.jobs.size).toBe(1)
      for (let i = 0; i < 100 && engine.storageStats().sstBytes === 0; i++)
        await new Promise((r) => setTimeout(r, 5))
      expect(engine.storageStats()).toMatchObject({ activeEntries: 0, liveRows: 10 })
    })

    it('rejects bad DDL with safe, specific messages', () => {
      expect(() => run("CREATE TABLE app.x (id INT) WITH (TYPE = 'USER')")).toThrow(
        /require a PRIMARY KEY/
      )
      expect(() => run('CREATE STREAM TABLE app.s (id TEXT PRIMARY KEY)')).toThrow(
        /require TTL_SECONDS/
      )
      expect(() => run('CREATE TABLE app.y (id INT PRIMARY KEY) WITH (TTL_SECONDS = 5)')).toThrow(
        /only valid for STREAM/
      )
      expect(() => run('CREATE TABLE nope.z (id INT PRIMARY KEY)')).toThrow(
        /Namespace 'nope' does not exist/
      )
      expect(() => run('CREATE NAMESPACE app')).toThrow(/already exists/)
    })

    it('refuses to drop a namespace with tables unless CASCADE', () => {
      run("CREATE TABLE app.t (id INT PRIMARY KEY) WITH (TYPE = 'SHARED')")
      expect(() => run('DROP NAMESPACE app')).toThrow(/Use DROP NAMESPACE app CASCADE/)
      expect(run('DROP NAMESPACE app CASCADE')[0]).toEqual({
        kind: 'message',
        message: "Namespace 'app' dropped successfully"
      })
      expect(engine.tables.size).toBe(0)
    })

    it('keeps BIGINT values above 2^53 exact from params and literals', () => {
      run("CREATE TABLE app.t (id BIGINT PRIMARY KEY) WITH (TYPE = 'SHARED')")
      run('INSERT INTO app.t (id) VALUES ($1), (9007199254740993)', {
        params: ['9007199254740995']
      })
      expect(rows('SELECT id FROM app.t ORDER BY id')).toEqual([
        ['9007199254740993'],
        ['9007199254740995']
      ])
    })

    it('evicts STREAM rows after TTL_SECONDS as hard deletes, never flushing them', () => {
      run(
        'CREATE STREAM TABLE app.ev (event_id TEXT PRIMARY KEY, payload TEXT) WITH (TTL_SECONDS = 1)'
      )
      run("INSERT INTO app.ev (event_id, payload) VALUES ('e1', 'p')")
      expect(rows('SELECT COUNT(*) FROM app.ev')).toEqual([['1']])
      engine.tick(Date.now() + 500)
      expect(rows('SELECT COUNT(*) FROM app.ev')).toEqual([['1']])
      engine.tick(Date.now() + 1500)
      expect(rows('SELECT COUNT(*) FROM app.ev')).toEqual([['0']])
      expect(changes.map((c) => [c.type, c.evicted ?? false])).toEqual([
        ['insert', false],
        ['delete', true]
      ])
      expect(() => run('STORAGE FLUSH TABLE app.ev')).toThrow(/not supported for STREAM/)
    })
  })
})
