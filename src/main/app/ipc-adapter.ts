/**
 * The Electron transport of the API, main side, kept free of Electron itself (it gets
 * ipcMain and the window's webContents as plain objects) so a test drives it with a fake
 * ipcMain/ipcRenderer pair. After electron/fiddle's `ipc.ts`: calls are accepted only from
 * our window's top frame, and events wait in a queue until the renderer says it is ready.
 */
import { apiEvents, IPC_CHANNELS, type CallResult, type EventName } from '../../shared/api'
import { dispatchCall, type ApiHandlers } from '../api'
import type { EventHub } from '../events'

const IPC_CALL = IPC_CHANNELS.call
const IPC_READY = IPC_CHANNELS.ready
const IPC_EVENT = IPC_CHANNELS.event

export interface WebContentsLike {
  readonly id: number
  readonly mainFrame: unknown
  isDestroyed(): boolean
  send(channel: string, ...args: unknown[]): void
}

export interface IpcEventLike {
  readonly sender: { readonly id: number }
  readonly senderFrame: unknown
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (...args: never[]) => void): unknown
}

export interface IpcAdapterOptions {
  ipcMain: IpcMainLike
  handlers: ApiHandlers
  events: EventHub
  /** The one window allowed to talk to us, or null while there is none. */
  window(): WebContentsLike | null
  /** Events kept while the renderer is not ready; the oldest go first beyond it. */
  maxQueue?: number
}

export interface IpcAdapter {
  /** The page is (re)loading: hold events until its preload says ready again. */
  resetReady(): void
  dispose(): void
}

export const REJECTED_FRAME: CallResult = {
  ok: false,
  error: { code: 'BAD_INPUT', message: 'rejected: call from a frame that is not the app window' }
}

export function createIpcAdapter(o: IpcAdapterOptions): IpcAdapter {
  const maxQueue = o.maxQueue ?? 2000
  let ready = false
  let queue: [EventName, unknown][] = []

  const fromOurTopFrame = (event: IpcEventLike): WebContentsLike | null => {
    const wc = o.window()
    if (!wc || wc.isDestroyed()) return null
    return event.sender.id === wc.id && event.senderFrame === wc.mainFrame ? wc : null
  }

  o.ipcMain.handle(IPC_CALL, (event, name: unknown, payload: unknown) => {
    if (!fromOurTopFrame(event)) return REJECTED_FRAME
    return dispatchCall(o.handlers, name, payload)
  })

  const onReady = (event: IpcEventLike): void => {
    const wc = fromOurTopFrame(event)
    if (!wc) return
    ready = true
    const pending = queue
    queue = []
    for (const [name, payload] of pending) wc.send(IPC_EVENT, name, payload)
  }
  o.ipcMain.on(IPC_READY, onReady)

  const unlisten = (Object.keys(apiEvents) as EventName[]).map((name) =>
    o.events.listen(name, (payload) => {
      const wc = o.window()
      if (ready && wc && !wc.isDestroyed()) {
        wc.send(IPC_EVENT, name, payload)
        return
      }
      queue.push([name, payload])
      if (queue.length > maxQueue) queue.splice(0, queue.length - maxQueue)
    })
  )

  return {
    resetReady() {
      ready = false
    },
    dispose() {
      o.ipcMain.removeHandler(IPC_CALL)
      o.ipcMain.removeListener(IPC_READY, onReady)
      for (const off of unlisten) off()
      queue = []
    }
  }
}
