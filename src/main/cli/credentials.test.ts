import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { memoryContext } from './context'
import { resolveCredentials } from './credentials'

describe('credentials', () => {
  describe('resolveCredentials', () => {
    it('takes --user/--password from flags over the environment', async () => {
      const ctx = memoryContext({ env: { KALAMDB_USER: 'env', KALAMDB_PASSWORD: 'envpw' } })
      expect(await resolveCredentials({ user: 'admin', password: 'pw' }, ctx)).toEqual({
        user: 'admin',
        password: 'pw'
      })
    })

    it('fills a missing field from the environment', async () => {
      const ctx = memoryContext({ env: { KALAMDB_PASSWORD: 'envpw' } })
      expect(await resolveCredentials({ user: 'admin' }, ctx)).toEqual({
        user: 'admin',
        password: 'envpw'
      })
    })

    it('takes --token, and KALAMDB_TOKEN when no user flag is given', async () => {
      expect(await resolveCredentials({ token: 't1' }, memoryContext())).toEqual({ token: 't1' })
      const ctx = memoryContext({
        env: { KALAMDB_TOKEN: 't2', KALAMDB_USER: 'u', KALAMDB_PASSWORD: 'p' }
      })
      expect(await resolveCredentials({}, ctx)).toEqual({ token: 't2' })
    })

    it('refuses a token together with user/password flags', async () => {
      await expect(
        resolveCredentials({ token: 't', user: 'u' }, memoryContext())
      ).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: 'use either --token or --user/--password, not both'
      })
    })

    it('asks for a missing password on a terminal', async () => {
      const questions: string[] = []
      const ctx = memoryContext({
        promptSecret: async (q) => {
          questions.push(q)
          return 'typed'
        }
      })
      expect(await resolveCredentials({ user: 'admin' }, ctx)).toEqual({
        user: 'admin',
        password: 'typed'
      })
      expect(questions).toEqual(["Password for KalamDB user 'admin': "])
    })

    it('fails with one line naming every way when nothing is given', async () => {
      await expect(resolveCredentials({}, memoryContext())).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message:
          'no credentials: pass --user and --password, or --token (or set KALAMDB_USER and KALAMDB_PASSWORD, or KALAMDB_TOKEN)'
      })
      await expect(resolveCredentials({ user: 'admin' }, memoryContext())).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: "no password for user 'admin': pass --password or set KALAMDB_PASSWORD"
      })
    })

    it('never shows the secret in JSON or inspection', async () => {
      const creds = await resolveCredentials({ user: 'admin', password: 's3cret' }, memoryContext())
      expect(JSON.stringify(creds)).not.toContain('s3cret')
      expect(inspect(creds)).not.toContain('s3cret')
      const token = await resolveCredentials({ token: 'tok-s3cret' }, memoryContext())
      expect(JSON.stringify({ token })).not.toContain('tok-s3cret')
      expect(`${inspect(token)}`).not.toContain('tok-s3cret')
    })
  })
})
