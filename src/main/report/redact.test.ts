import { describe, expect, it } from 'vitest'
import {
  REDACTED,
  isSecretKey,
  redactArgv,
  redactText,
  redactValue,
  stripSecretArgs
} from './redact'

describe('report/redact', () => {
  describe('redactArgv', () => {
    it('blanks the value of --password, --token and --configured in both spellings', () => {
      expect(
        redactArgv([
          'run',
          '--user',
          'admin',
          '--password',
          's3cret-pw',
          '--token=abc.def.ghi',
          '--configured',
          'admin:kalamdb123'
        ])
      ).toEqual([
        'run',
        '--user',
        'admin',
        '--password',
        REDACTED,
        `--token=${REDACTED}`,
        '--configured',
        `admin:${REDACTED}`
      ])
    })

    it('blanks an Authorization header but keeps other headers', () => {
      expect(
        redactArgv(['-H', 'Authorization: Bearer xyz123456', '--header', 'X-Trace: 1'])
      ).toEqual(['-H', `Authorization: ${REDACTED}`, '--header', 'X-Trace: 1'])
    })

    it('scrubs KALAMDB_PASSWORD=… and URL passwords inside plain arguments', () => {
      expect(
        redactArgv(['KALAMDB_PASSWORD=pw12345', '--url', 'http://u:pw12345@127.0.0.1:8080'])
      ).toEqual([`KALAMDB_PASSWORD=${REDACTED}`, '--url', `http://u:${REDACTED}@127.0.0.1:8080`])
    })
  })

  describe('stripSecretArgs', () => {
    it('drops secret flags with their values so the command can be pasted', () => {
      expect(
        stripSecretArgs(['run', 'x', '--password', 'pw', '--token=t', 'KALAMDB_TOKEN=t', '--quick'])
      ).toEqual(['run', 'x', '--quick'])
    })
  })

  describe('redactText', () => {
    it('scrubs bearer tokens, JWTs, basic auth and key=value secrets in free text', () => {
      const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig-nature_x'
      const out = redactText(
        `Authorization: Bearer ${jwt}; authorization=Basic YWRtaW46cHc=; token=tok123456 "password": "pw-9876" apiKey: k-1234 see ${jwt}`
      )
      for (const secret of [jwt, 'YWRtaW46cHc=', 'tok123456', 'pw-9876', 'k-1234'])
        expect(out).not.toContain(secret)
    })

    it('scrubs literal secrets the caller knows, wherever they appear', () => {
      expect(redactText('login as admin/hunter2-pw failed', ['hunter2-pw'])).toBe(
        `login as admin/${REDACTED} failed`
      )
    })

    it('leaves ordinary text alone', () => {
      const text = 'RATE_LIMIT_EXCEEDED: 100 requests per second; tokens expired: 0; passed 3 of 4'
      expect(redactText(text)).toBe(text)
    })
  })

  describe('isSecretKey', () => {
    it('recognises credential keys in any case or separator style', () => {
      for (const k of [
        'password',
        'KALAMDB_PASSWORD',
        'adminPassword',
        'token',
        'accessToken',
        'refresh_token',
        'apiKey',
        'Authorization',
        'Cookie',
        'clientSecret',
        'credentials',
        'auth',
        'jwt'
      ])
        expect(isSecretKey(k), k).toBe(true)
    })

    it('does not take data keys for secrets', () => {
      for (const k of [
        'key',
        'rssBytes',
        'threshold',
        'reason',
        'connection',
        'passed',
        'tokensUsed'
      ])
        expect(isSecretKey(k), k).toBe(false)
    })
  })

  describe('redactValue', () => {
    it('blanks string and object values under secret keys but keeps a criterion’s pass flag', () => {
      const v = redactValue({
        criteria: [{ name: 'x', pass: true }],
        auth: { user: 'admin', password: 'pw' },
        target: { url: 'http://a:pw2222@h:1', token: 'tok' },
        command: ['run', '--password', 'pw']
      })
      expect(v).toEqual({
        criteria: [{ name: 'x', pass: true }],
        auth: REDACTED,
        target: { url: `http://a:${REDACTED}@h:1`, token: REDACTED },
        command: ['run', '--password', REDACTED]
      })
    })
  })
})
