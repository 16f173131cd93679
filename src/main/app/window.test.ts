/**
 * The window as Electron receives it: webPreferences passed to BrowserWindow, the CSP put
 * on every response, permissions, new windows and navigation. Electron cannot run here, so
 * its module is replaced by recording fakes.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'

const recorded = vi.hoisted(() => ({
  windows: [] as { options: Record<string, unknown>; loaded: string[] }[],
  headers: null as null | ((d: unknown, cb: (r: unknown) => void) => void),
  permission: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
  opened: [] as string[]
}))

vi.mock('electron', () => {
  class BrowserWindow {
    loaded: string[] = []
    constructor(options: Record<string, unknown>) {
      recorded.windows.push({ options, loaded: this.loaded })
    }
    once(): void {}
    show(): void {}
    async loadURL(u: string): Promise<void> {
      this.loaded.push(u)
    }
    async loadFile(f: string): Promise<void> {
      this.loaded.push(f)
    }
  }
  return {
    BrowserWindow,
    shell: { openExternal: async (u: string) => void recorded.opened.push(u) },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (f: typeof recorded.headers) => (recorded.headers = f) },
        setPermissionRequestHandler: (f: typeof recorded.permission) => (recorded.permission = f),
        setPermissionCheckHandler: () => undefined
      }
    }
  }
})

const { createMainWindow, hardenContents, hardenSession } = await import('./window')

describe('window', () => {
  beforeEach(() => {
    recorded.windows.length = 0
    recorded.opened.length = 0
  })

  describe('createMainWindow', () => {
    it('creates the window sandboxed, isolated and without Node, and loads only our file', () => {
      createMainWindow({
        preloadPath: '/app/preload.cjs',
        devUrl: null,
        indexHtml: '/app/index.html'
      })
      const w = recorded.windows[0]!
      expect(w.options.webPreferences).toMatchObject({
        preload: '/app/preload.cjs',
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInSubFrames: false,
        webviewTag: false,
        webSecurity: true,
        allowRunningInsecureContent: false
      })
      expect(w.loaded).toEqual(['/app/index.html'])
    })

    it("gives the window the icon from resources/ (not on macOS, which takes the bundle's)", () => {
      const iconPath = join(import.meta.dirname, '../../../resources/icon.png')
      expect(existsSync(iconPath)).toBe(true)
      createMainWindow({ preloadPath: '/p.cjs', devUrl: null, indexHtml: '/i.html', iconPath })
      const w = recorded.windows[0]!
      expect(w.options.icon).toBe(process.platform === 'darwin' ? undefined : iconPath)
    })
  })

  describe('hardenSession', () => {
    it('puts the strict CSP on every response and denies every permission', () => {
      hardenSession()
      let headers: Record<string, string[]> = {}
      recorded.headers!({ responseHeaders: { 'x-a': ['1'] } }, (r) => {
        headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders
      })
      const csp = headers['Content-Security-Policy']![0]!
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("object-src 'none'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toMatch(/unsafe-eval|https?:/)
      expect(headers['x-a']).toEqual(['1'])
      const answers: boolean[] = []
      recorded.permission!({}, 'media', (ok) => answers.push(ok))
      recorded.permission!({}, 'notifications', (ok) => answers.push(ok))
      expect(answers).toEqual([false, false])
    })
  })

  describe('hardenContents', () => {
    function contents(url: string) {
      const on = new Map<string, (e: { preventDefault(): void }, u?: string) => void>()
      let openHandler: ((d: { url: string }) => { action: string }) | null = null
      const wc = {
        getURL: () => url,
        setWindowOpenHandler: (f: typeof openHandler) => (openHandler = f),
        on: (name: string, f: (e: { preventDefault(): void }, u?: string) => void) =>
          on.set(name, f)
      }
      hardenContents(wc as never)
      return { on, open: (u: string) => openHandler!({ url: u }) }
    }

    it('denies every new window and sends http(s) links to the system browser only', () => {
      const c = contents('file:///app/index.html')
      expect(c.open('https://github.com/jamals86/KalamDB')).toEqual({ action: 'deny' })
      expect(c.open('file:///etc/passwd')).toEqual({ action: 'deny' })
      expect(recorded.opened).toEqual(['https://github.com/jamals86/KalamDB'])
    })

    it('cancels navigation away from the app, redirects and webviews', () => {
      const c = contents('file:///app/index.html')
      for (const [name, url] of [
        ['will-navigate', 'https://evil.example/'],
        ['will-redirect', 'https://evil.example/'],
        ['will-attach-webview', undefined]
      ] as const) {
        const prevent = vi.fn()
        c.on.get(name)!({ preventDefault: prevent }, url)
        expect(prevent, name).toHaveBeenCalled()
      }
      const prevent = vi.fn()
      c.on.get('will-navigate')!({ preventDefault: prevent }, 'file:///app/index.html')
      expect(prevent).not.toHaveBeenCalled()
    })
  })
})
