import { describe, expect, it } from 'vitest'
import { assertTargetAllowed, isLoopbackUrl, portOfUrl } from './guard'

describe('workload/guard', () => {
  describe('isLoopbackUrl', () => {
    it('accepts loopback hosts and refuses others', () => {
      for (const u of [
        'http://127.0.0.1:8080',
        'http://localhost:1',
        'http://[::1]:8080',
        'http://127.1.2.3'
      ])
        expect(isLoopbackUrl(u)).toBe(true)
      for (const u of [
        'http://10.0.0.1:8080',
        'http://example.com',
        'http://0.0.0.0:8080',
        'nonsense'
      ])
        expect(isLoopbackUrl(u)).toBe(false)
    })
  })

  describe('assertTargetAllowed', () => {
    it('refuses a remote URL with a hint unless allowed', () => {
      expect(() => assertTargetAllowed('http://10.1.2.3:8080', false)).toThrow(
        /not a loopback address/
      )
      expect(() => assertTargetAllowed('http://10.1.2.3:8080', true)).not.toThrow()
    })
  })

  describe('portOfUrl', () => {
    it("takes the written port, else the scheme's default", () => {
      expect(portOfUrl('http://127.0.0.1:8080')).toBe(8080)
      expect(portOfUrl('http://localhost')).toBe(80)
      expect(portOfUrl('https://localhost')).toBe(443)
      expect(portOfUrl('nonsense')).toBeNull()
    })
  })
})
