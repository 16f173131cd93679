import { describe, expect, it } from 'vitest'
import { attachRequest, EMPTY_FORM } from './Targets.utils'

describe('Targets.utils', () => {
  describe('attachRequest', () => {
    it('builds a request from a PID, a URL and a password login', () => {
      expect(
        attachRequest({
          ...EMPTY_FORM,
          pid: ' 42 ',
          url: 'http://127.0.0.1:8080/',
          user: 'admin',
          password: 'p',
          remember: true
        })
      ).toEqual({
        request: {
          pid: 42,
          url: 'http://127.0.0.1:8080',
          credentials: { user: 'admin', password: 'p' },
          remember: true
        }
      })
    })

    it('uses saved credentials for a URL given without any', () => {
      expect(attachRequest({ ...EMPTY_FORM, url: 'http://localhost:8080' })).toEqual({
        request: { url: 'http://localhost:8080', useSaved: true }
      })
    })

    it('sends a token login and the setup flag only with credentials', () => {
      expect(
        attachRequest({ ...EMPTY_FORM, pid: '7', auth: 'token', token: 'abc', setup: true })
      ).toEqual({
        request: { pid: 7, credentials: { token: 'abc' }, setup: true }
      })
      expect(attachRequest({ ...EMPTY_FORM, pid: '7', setup: true })).toEqual({
        request: { pid: 7 }
      })
    })

    it('says what to fix in one line', () => {
      expect(attachRequest(EMPTY_FORM)).toEqual({ error: 'Give a PID, a server URL, or both' })
      expect(attachRequest({ ...EMPTY_FORM, pid: '-3' })).toEqual({
        error: 'PID must be a positive whole number'
      })
      expect(attachRequest({ ...EMPTY_FORM, url: 'ftp://x' })).toEqual({
        error: 'URL must look like http://127.0.0.1:8080'
      })
      expect(attachRequest({ ...EMPTY_FORM, pid: '1', password: 'p' })).toEqual({
        error: 'Give the user name that goes with the password'
      })
    })
  })
})
