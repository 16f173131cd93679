import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { fixture } from '../../../test/fixtures/kalamdb/fake-server'
import { decodeFrame, nextBatchFrame, subscribeFrame } from './frames'
import { exactInteger, parseJsonExact } from './json'
import { createUserSql, ident, qualifiedTable, sqlLiteral, sqlString } from './sql-text'

describe('frames', () => {
  describe('decodeFrame', () => {
    it('reads a text frame', () => {
      const d = decodeFrame(Buffer.from(fixture('ws-auth-success.json')), false)
      expect(d).toEqual({
        ok: true,
        frame: {
          type: 'auth_success',
          user: 'admin',
          role: 'dba',
          protocol: { serialization: 'json', compression: 'gzip' }
        }
      })
    })

    it('inflates a gzip binary frame', () => {
      const d = decodeFrame(gzipSync(Buffer.from(fixture('ws-initial-data-batch.json'))), true)
      expect(d.ok && d.frame.type).toBe('initial_data_batch')
    })

    it('reads last_seq_id beyond 2^53 as its exact digits', () => {
      const d = decodeFrame(
        Buffer.from('{"type":"x","batch_control":{"last_seq_id":1234567890123456789},"n":1.25}'),
        false
      )
      expect(d.ok && d.frame).toEqual({
        type: 'x',
        batch_control: { last_seq_id: '1234567890123456789' },
        n: 1.25
      })
    })

    it.each([
      [Buffer.from([0x1f, 0x8b, 1, 2, 3]), true, /does not inflate/],
      [Buffer.from([0x92, 0xa1, 0x61]), true, /is not gzip/],
      [Buffer.from('{"type":'), false, /malformed JSON/],
      [Buffer.from('[1,2]'), false, /not a JSON object/],
      [Buffer.from('{"no":"type"}'), false, /without a "type"/]
    ])('reports a broken frame as PROTOCOL (%#)', (data, binary, message) => {
      const d = decodeFrame(data, binary)
      expect(d.ok).toBe(false)
      expect(!d.ok && d.error).toMatchObject({
        code: 'PROTOCOL',
        message: expect.stringMatching(message)
      })
    })
  })

  describe('subscribeFrame', () => {
    it('writes options as numbers, from as its exact digits', () => {
      expect(
        subscribeFrame('s1', 'SELECT * FROM app.t', { lastRows: 5, from: '1234567890123456789' })
      ).toBe(
        '{"type":"subscribe","subscription":{"id":"s1","sql":"SELECT * FROM app.t","options":{"last_rows":5,"from":1234567890123456789}}}'
      )
    })

    it('rejects a from that is not an integer', () => {
      expect(() => subscribeFrame('s1', 'x', { from: '1e5' })).toThrow(/must be an integer/)
    })
  })

  describe('nextBatchFrame', () => {
    it('omits last_seq_id when there is none', () => {
      expect(nextBatchFrame('s1', null)).toBe('{"type":"next_batch","subscription_id":"s1"}')
    })
  })
})

describe('json', () => {
  describe('parseJsonExact', () => {
    it('keeps unsafe integers as strings and everything else as JSON.parse does', () => {
      expect(
        parseJsonExact('[9007199254740993, 9007199254740991, 0.1234567890123456789, "x"]')
      ).toEqual(['9007199254740993', 9007199254740991, Number('0.1234567890123456789'), 'x'])
    })
  })

  describe('exactInteger', () => {
    it('gives digits for integer numbers and strings, null otherwise', () => {
      expect(exactInteger(7345812093018112)).toBe('7345812093018112')
      expect(exactInteger('42')).toBe('42')
      expect(exactInteger(1.5)).toBeNull()
      expect(exactInteger(null)).toBeNull()
    })
  })
})

describe('sql-text', () => {
  it('escapes string literals SQL-style', () => {
    expect(sqlString("it's")).toBe("'it''s'")
    expect(sqlLiteral(null)).toBe('NULL')
    expect(sqlLiteral(12n)).toBe('12')
    expect(() => sqlLiteral(Number.NaN)).toThrow(/cannot write NaN/)
  })

  it('accepts only KalamDB names', () => {
    expect(ident('app_1')).toBe('app_1')
    expect(() => ident('a-b')).toThrow(/invalid name 'a-b'/)
    expect(qualifiedTable('app.msgs')).toBe('app.msgs')
    expect(() => qualifiedTable('msgs')).toThrow(/expected namespace.table/)
  })

  it('writes CREATE USER as PROTOCOL.md §7 shows it', () => {
    expect(createUserSql('alice', 'S3cret-pass!', 'user')).toBe(
      "CREATE USER 'alice' WITH PASSWORD 'S3cret-pass!' ROLE user"
    )
  })
})
