/**
 * The app's one window: hardened (STYLE.md §6–7) before any content loads — sandboxed,
 * isolated, no Node, our CSP on every response, no permissions, no new windows, no
 * navigation away from the app, http(s) links handed to the system browser.
 */
import { BrowserWindow, session, shell, type WebContents } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../bridge/static-files'
import { isExternalLinkAllowed, secureWebPreferences } from './window-options'

export function hardenSession(): void {
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
  session.defaultSession.setPermissionCheckHandler(() => false)
}

/** Applied to every webContents the app ever creates (app 'web-contents-created'). */
export function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    if (url !== contents.getURL()) {
      event.preventDefault()
      if (isExternalLinkAllowed(url)) void shell.openExternal(url)
    }
  })
  contents.on('will-redirect', (event, url) => {
    if (url !== contents.getURL()) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

export interface MainWindowOptions {
  preloadPath: string
  /** The dev server URL (electron-vite dev), or null to load the built file. */
  devUrl: string | null
  indexHtml: string
  /** Window and taskbar icon (resources/icon.png); macOS takes the bundle's instead. */
  iconPath?: string
}

export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'KalamDB Profiler',
    ...(o.iconPath && process.platform !== 'darwin' ? { icon: o.iconPath } : {}),
    webPreferences: secureWebPreferences(o.preloadPath)
  })
  win.once('ready-to-show', () => win.show())
  if (o.devUrl) void win.loadURL(o.devUrl)
  else void win.loadFile(o.indexHtml)
  return win
}
