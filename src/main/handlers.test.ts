import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dispatchCall } from './api'
import { EventHub } from './events'
import { createServices, type AppServices } from './handlers'
import { fakeEngine } from './services/test-engine'

describe('handlers', () => {
  let root: string
  let services: AppServices
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kp-handlers-'))
    services = createServices({
      transport: 'web',
      events: new EventHub(),
      sessionDirs: [join(root, 'app'), join(root, 'cli')],
      simulator: null,
      engine: fakeEngine()
    })
  })
  afterEach(async () => {
    await services.dispose()
    rmSync(root, { recursive: true, force: true })
  })

  describe('createServices', () => {
    it('describes the front end: folders, and no save dialog or credential saving in a browser', async () => {
      expect(await dispatchCall(services.handlers, 'app:info', {})).toMatchObject({
        ok: true,
        value: {
          transport: 'web',
          sessionsDir: join(root, 'app'),
          sessionDirs: [join(root, 'app'), join(root, 'cli')],
          capabilities: { saveCredentials: false, saveDialog: false }
        }
      })
    })

    it('rejects an attach without pid or URL before any service runs', async () => {
      expect(await dispatchCall(services.handlers, 'target:attach', {})).toEqual({
        ok: false,
        error: { code: 'BAD_INPUT', message: 'target:attach: give a pid or a URL' }
      })
      expect(
        await dispatchCall(services.handlers, 'target:attach', { url: 'file:///etc/passwd' })
      ).toMatchObject({
        ok: false,
        error: { code: 'BAD_INPUT' }
      })
    })

    it('never opens, analyses, exports or deletes outside the sessions folders', async () => {
      for (const name of ['session:open', 'session:analyze', 'session:delete'] as const) {
        expect(await dispatchCall(services.handlers, name, { dir: '/etc' })).toMatchObject({
          ok: false,
          error: { code: 'SESSION_INVALID' }
        })
      }
      expect(
        await dispatchCall(services.handlers, 'session:export', { dir: '/etc', format: 'md' })
      ).toMatchObject({
        ok: false,
        error: { code: 'SESSION_INVALID' }
      })
    })

    it('says the simulator is not part of a build that has none, and snapshots need a process', async () => {
      expect(await dispatchCall(services.handlers, 'sim:start', {})).toMatchObject({
        ok: false,
        error: { code: 'INTERNAL' }
      })
      expect(await dispatchCall(services.handlers, 'snapshot:take', {})).toMatchObject({
        ok: false,
        error: { code: 'BAD_INPUT', message: 'attach to a local process before taking a snapshot' }
      })
    })

    it('reports the state of a fresh engine', async () => {
      expect(await dispatchCall(services.handlers, 'app:state', {})).toEqual({
        ok: true,
        value: {
          attachment: null,
          simulator: null,
          run: null,
          lastRun: null,
          live: { intervalMs: 1000, pollServer: true, sampling: false }
        }
      })
    })
  })
})
