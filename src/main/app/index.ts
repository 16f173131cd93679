/**
 * Electron main: one secure window, the IPC adapter for the API, the menu.
 * Everything the window can do goes through dispatchCall, exactly like the web bridge.
 */
import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, Menu, session, shell } from 'electron'
import { dispatchCall } from '../api'
import { EventHub } from '../events'
import { createHandlers } from '../handlers'
import { CONTENT_SECURITY_POLICY } from '../bridge/static-files'
import { isExternalLinkAllowed, secureWebPreferences } from './window-options'

const events = new EventHub()
const handlers = createHandlers({ transport: 'electron' })
let mainWindow: BrowserWindow | null = null

function setupIpc(): void {
  ipcMain.handle('api:call', (event, name: unknown, payload: unknown) => {
    // Accept calls only from our own window's top frame.
    if (
      !mainWindow ||
      event.sender.id !== mainWindow.webContents.id ||
      event.senderFrame !== mainWindow.webContents.mainFrame
    ) {
      return { ok: false, error: { code: 'BAD_INPUT', message: 'call from an unknown frame' } }
    }
    return dispatchCall(handlers, name, payload)
  })
  ipcMain.on('api:listen', (event, name: unknown) => {
    if (!mainWindow || event.sender.id !== mainWindow.webContents.id || typeof name !== 'string')
      return
    const wc = event.sender
    const off = (() => {
      try {
        return events.listen(name as never, (payload) => {
          if (!wc.isDestroyed()) wc.send('api:event', name, payload)
        })
      } catch {
        return () => undefined
      }
    })()
    wc.once('destroyed', off)
  })
}

function setupSecurity(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY]
      }
    })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false)
  )
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalLinkAllowed(url)) void shell.openExternal(url)
      return { action: 'deny' }
    })
    contents.on('will-navigate', (event, url) => {
      if (url !== contents.getURL()) event.preventDefault()
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1280,
    height: 820,
    show: false,
    title: 'KalamDB Profiler',
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs'))
  })
  mainWindow.on('ready-to-show', () => mainWindow?.show())
  mainWindow.on('closed', () => (mainWindow = null))
  const devUrl = process.env.ELECTRON_RENDERER_URL
  if (!app.isPackaged && devUrl) void mainWindow.loadURL(devUrl)
  else void mainWindow.loadFile(join(import.meta.dirname, '../renderer/index.html'))
}

void app.whenReady().then(() => {
  setupSecurity()
  setupIpc()
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' }
    ])
  )
  createWindow()
  events.emit('onReady', { t: Date.now() })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
