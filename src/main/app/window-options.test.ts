import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../bridge/static-files'
import { isExternalLinkAllowed, secureWebPreferences } from './window-options'
import { readFileSync } from 'node:fs'

describe('window-options', () => {
  describe('secureWebPreferences', () => {
    it('keeps the renderer sandboxed and isolated from Node', () => {
      const p = secureWebPreferences('/x/preload.cjs')
      expect(p).toMatchObject({
        preload: '/x/preload.cjs',
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false
      })
    })
  })

  describe('isExternalLinkAllowed', () => {
    it('lets only http(s) links out to the system browser', () => {
      expect(isExternalLinkAllowed('https://github.com/jamals86/KalamDB/issues')).toBe(true)
      expect(isExternalLinkAllowed('file:///etc/passwd')).toBe(false)
      expect(isExternalLinkAllowed('javascript:alert(1)')).toBe(false)
      expect(isExternalLinkAllowed('not a url')).toBe(false)
    })
  })

  describe('content security policy', () => {
    it('allows nothing from outside the app, in the header and in the page', () => {
      for (const csp of [
        CONTENT_SECURITY_POLICY,
        /content="([^"]+)"/.exec(readFileSync('src/renderer/index.html', 'utf8'))?.[1] ?? ''
      ]) {
        expect(csp).toContain("default-src 'self'")
        expect(csp).toContain("script-src 'self'")
        expect(csp).toContain("object-src 'none'")
        expect(csp).not.toMatch(/https?:|unsafe-eval/)
      }
    })
  })
})
