import { describe, expect, it, vi } from 'vitest'
import { createApiClient } from '../../shared/client'
import { createIpcTransport, type IpcRendererLike } from '../../preload/transport'
import { partialHandlers } from '../api'
import { EventHub } from '../events'
import {
  createIpcAdapter,
  REJECTED_FRAME,
  type IpcEventLike,
  type IpcMainLike,
  type WebContentsLike
} from './ipc-adapter'

type Listener = (event: IpcEventLike, ...args: unknown[]) => unknown

/** ipcMain, one window's webContents and its ipcRenderer, wired like Electron wires them. */
function fakeElectron() {
  const handles = new Map<string, Listener>()
  const ons = new Map<string, Set<Listener>>()
  const rendererListeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>()
  const mainFrame = { name: 'top' }
  const sent: unknown[][] = []
  const wc: WebContentsLike & { destroyed: boolean } = {
    id: 1,
    mainFrame,
    destroyed: false,
    isDestroyed() {
      return this.destroyed
    },
    send(channel, ...args) {
      sent.push([channel, ...args])
      for (const l of rendererListeners.get(channel) ?? []) l({}, ...args)
    }
  }
  const ipcMain: IpcMainLike = {
    handle: (ch, l) => void handles.set(ch, l),
    removeHandler: (ch) => void handles.delete(ch),
    on(ch, l) {
      let s = ons.get(ch)
      if (!s) ons.set(ch, (s = new Set()))
      s.add(l)
    },
    removeListener: (ch, l) => void ons.get(ch)?.delete(l as Listener)
  }
  /** A renderer of some frame of some webContents. */
  const renderer = (sender = { id: wc.id }, senderFrame: unknown = mainFrame): IpcRendererLike => ({
    async invoke(ch, ...args) {
      const h = handles.get(ch)
      if (!h) throw new Error(`No handler registered for '${ch}'`)
      return h({ sender, senderFrame }, ...args)
    },
    send(ch, ...args) {
      for (const l of ons.get(ch) ?? []) l({ sender, senderFrame }, ...args)
    },
    on(ch, l) {
      let s = rendererListeners.get(ch)
      if (!s) rendererListeners.set(ch, (s = new Set()))
      s.add(l)
    }
  })
  return { ipcMain, wc, renderer, handles, sent, mainFrame }
}

const INFO = {
  version: '1.0.0',
  transport: 'electron' as const,
  platform: 'linux',
  sessionsDir: '/s',
  sessionDirs: ['/s'],
  capabilities: { saveCredentials: true, saveDialog: true }
}

function setup() {
  const fake = fakeElectron()
  const events = new EventHub()
  const targets = vi.fn(async () => [])
  const adapter = createIpcAdapter({
    ipcMain: fake.ipcMain,
    handlers: partialHandlers({ 'app:info': async () => INFO, 'targets:list': targets }),
    events,
    window: () => fake.wc
  })
  return { ...fake, events, adapter, targets }
}

describe('ipc-adapter', () => {
  describe('calls', () => {
    it('answers a call from our window through the typed client', async () => {
      const s = setup()
      const api = createApiClient(createIpcTransport(s.renderer()))
      expect(await api.call('app:info', {})).toEqual(INFO)
    })

    it('rejects unknown calls and malformed payloads without running a handler', async () => {
      const s = setup()
      const ipc = s.renderer()
      expect(await ipc.invoke('api:call', 'fs:rm', { path: '/' })).toMatchObject({
        ok: false,
        error: { code: 'BAD_INPUT', message: "unknown call 'fs:rm'" }
      })
      expect(await ipc.invoke('api:call', 'targets:list', { all: 'yes' })).toMatchObject({
        ok: false,
        error: { code: 'BAD_INPUT' }
      })
      expect(await ipc.invoke('api:call', 'targets:list', { all: true, extra: 1 })).toMatchObject({
        ok: false,
        error: { code: 'BAD_INPUT' }
      })
      expect(s.targets).not.toHaveBeenCalled()
    })

    it('rejects calls from a subframe or another webContents', async () => {
      const s = setup()
      const fromSubframe = s.renderer({ id: s.wc.id }, { name: 'iframe' })
      const fromOther = s.renderer({ id: 99 }, s.mainFrame)
      expect(await fromSubframe.invoke('api:call', 'targets:list', {})).toEqual(REJECTED_FRAME)
      expect(await fromOther.invoke('api:call', 'targets:list', {})).toEqual(REJECTED_FRAME)
      expect(s.targets).not.toHaveBeenCalled()
    })

    it('stops answering once disposed', async () => {
      const s = setup()
      s.adapter.dispose()
      await expect(s.renderer().invoke('api:call', 'app:info', {})).rejects.toThrow(/No handler/)
    })
  })

  describe('events', () => {
    it('queues events until the renderer is ready, then delivers them in order', () => {
      const s = setup()
      s.events.emit('onReady', { t: 1 })
      s.events.emit('onNavigate', { view: 'live' })
      expect(s.sent).toEqual([])
      const api = createApiClient(createIpcTransport(s.renderer()))
      const got: unknown[] = []
      api.on('onReady', (p) => got.push(p))
      api.on('onNavigate', (p) => got.push(p))
      s.events.emit('onReady', { t: 2 })
      expect(got).toEqual([{ t: 1 }, { view: 'live' }, { t: 2 }])
    })

    it('holds events again while the page reloads, and ignores ready from another frame', () => {
      const s = setup()
      createIpcTransport(s.renderer())
      s.adapter.resetReady()
      s.events.emit('onReady', { t: 3 })
      s.renderer({ id: s.wc.id }, { name: 'iframe' }).send('api:ready')
      expect(s.sent).toEqual([])
      const api = createApiClient(createIpcTransport(s.renderer()))
      const got: unknown[] = []
      api.on('onReady', (p) => got.push(p))
      expect(got).toEqual([{ t: 3 }])
    })

    it('keeps only the newest events when the queue overflows', () => {
      const fake = fakeElectron()
      const events = new EventHub()
      createIpcAdapter({
        ipcMain: fake.ipcMain,
        handlers: partialHandlers({}),
        events,
        window: () => fake.wc,
        maxQueue: 2
      })
      for (let t = 1; t <= 5; t++) events.emit('onReady', { t })
      const api = createApiClient(createIpcTransport(fake.renderer()))
      const got: unknown[] = []
      api.on('onReady', (p) => got.push(p))
      expect(got).toEqual([{ t: 4 }, { t: 5 }])
    })

    it('drops malformed events in the client instead of handing them to the page', () => {
      const s = setup()
      const api = createApiClient(createIpcTransport(s.renderer()))
      const got: unknown[] = []
      api.on('onNavigate', (p) => got.push(p))
      s.wc.send('api:event', 'onNavigate', { view: 'settings' })
      s.wc.send('api:event', 42, {})
      expect(got).toEqual([])
    })
  })
})
