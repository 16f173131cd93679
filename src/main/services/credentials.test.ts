import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileCredentialStore, type Cipher } from './credentials'

/** Stands in for safeStorage: reversible, and visibly not plain text. */
function cipher(available = true): Cipher {
  return {
    available: () => available,
    encrypt: (s) => Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ 0x5a)),
    decrypt: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8')
  }
}

describe('credentials', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kp-cred-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  describe('createFileCredentialStore', () => {
    it('saves encrypted per server, loads back, forgets', async () => {
      const file = join(dir, 'c.json')
      const store = createFileCredentialStore(file, cipher())
      await store.save('http://127.0.0.1:8080/', { user: 'admin', password: 'hunter2-secret' })
      expect(readFileSync(file, 'utf8')).not.toContain('hunter2')
      expect(await store.has('http://127.0.0.1:8080')).toBe(true)
      expect(await store.load('http://127.0.0.1:8080/v1')).toEqual({
        user: 'admin',
        password: 'hunter2-secret'
      })
      expect(await store.load('http://127.0.0.1:9999')).toBeNull()
      await store.forget('http://127.0.0.1:8080')
      expect(await store.load('http://127.0.0.1:8080')).toBeNull()
    })

    it('writes nothing when the platform cannot encrypt', async () => {
      const file = join(dir, 'c.json')
      const store = createFileCredentialStore(file, cipher(false))
      await store.save('http://127.0.0.1:8080', { token: 'abc' })
      expect(() => readFileSync(file)).toThrow()
      expect(await store.load('http://127.0.0.1:8080')).toBeNull()
    })
  })
})
