/**
 * Electron main: one secure window, the IPC adapter for the API, the menu, PDF export,
 * credentials saved with safeStorage. Everything the window can do goes through
 * dispatchCall, exactly like the web bridge. One setup step per concern, all before the
 * window loads (electron/fiddle `main.ts`).
 */
import { join } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, shell } from 'electron'
import type { ExportFormat, ViewName } from '../../shared/api'
import { EventHub } from '../events'
import { createServices, type AppServices } from '../handlers'
import { createFileCredentialStore } from '../services/credentials'
import { defaultEngine } from '../services/engine'
import { benchDirs } from '../services/bench-dirs'
import { electronSessionsDir, sessionDirs } from '../services/session-dirs'
import { useSamplerWorker } from '../sampler/worker-host'
import { createIpcAdapter, type IpcAdapter, type IpcMainLike } from './ipc-adapter'
import { menuTemplate } from './menu'
import { printHtmlToPdf } from './pdf'
import { createMainWindow, hardenContents, hardenSession } from './window'
import { isExternalLinkAllowed } from './window-options'

// Built beside this file (electron.vite.config.ts): the sampler's schedule runs on its own thread.
useSamplerWorker(new URL('./sampler-worker.js', import.meta.url))

const events = new EventHub()
let mainWindow: BrowserWindow | null = null
let services: AppServices | null = null
let adapter: IpcAdapter | null = null

const FILTERS: Record<ExportFormat, { name: string; extensions: string[] }> = {
  md: { name: 'Markdown', extensions: ['md'] },
  html: { name: 'HTML', extensions: ['html'] },
  json: { name: 'JSON', extensions: ['json'] },
  csv: { name: 'CSV', extensions: ['csv'] },
  junit: { name: 'JUnit XML', extensions: ['xml'] },
  pdf: { name: 'PDF', extensions: ['pdf'] }
}

function setupServices(): AppServices {
  return createServices({
    transport: 'electron',
    events,
    engine: defaultEngine(),
    sessionDirs: sessionDirs({
      env: process.env,
      cwd: process.cwd(),
      appDir: electronSessionsDir(app.getPath('userData'))
    }),
    // Bench results saved by the CLI (`bench --save`): KP_BENCH_DIR, then ./profiler-bench.
    benchDirs: benchDirs({ env: process.env, cwd: process.cwd() }),
    // The simulator is the built CLI run by Electron's own Node.
    simulator: {
      execPath: process.execPath,
      cliEntry: join(import.meta.dirname, '../cli/index.js'),
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }
    },
    credentialStore: createFileCredentialStore(join(app.getPath('userData'), 'credentials.json'), {
      available: () => safeStorage.isEncryptionAvailable(),
      encrypt: (plain) => safeStorage.encryptString(plain),
      decrypt: (cipher) => safeStorage.decryptString(cipher)
    }),
    chooseSavePath: async (suggestedName, format) => {
      const options = {
        title: 'Export report',
        defaultPath: join(app.getPath('documents'), suggestedName),
        filters: [FILTERS[format]]
      }
      const r = mainWindow
        ? await dialog.showSaveDialog(mainWindow, options)
        : await dialog.showSaveDialog(options)
      return r.canceled || !r.filePath ? null : r.filePath
    },
    printToPdf: printHtmlToPdf
  })
}

function setupIpc(s: AppServices): IpcAdapter {
  return createIpcAdapter({
    ipcMain: ipcMain as unknown as IpcMainLike,
    handlers: s.handlers,
    events,
    window: () => mainWindow?.webContents ?? null
  })
}

function setupMenu(): void {
  const navigate = (view: ViewName): void => events.emit('onNavigate', { view })
  const openExternal = (url: string): void => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url)
  }
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate({ navigate, openExternal }, process.platform === 'darwin'))
  )
}

function openWindow(): void {
  const devUrl = !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null
  mainWindow = createMainWindow({
    preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
    devUrl,
    indexHtml: join(import.meta.dirname, '../renderer/index.html'),
    // out/main → the checkout (or the packaged app's root), where resources/ lives.
    iconPath: join(import.meta.dirname, '../../resources/icon.png')
  })
  // A reload gets a new preload: hold events until it says ready.
  mainWindow.webContents.on('did-start-loading', () => adapter?.resetReady())
  mainWindow.on('closed', () => (mainWindow = null))
}

app.on('web-contents-created', (_e, contents) => hardenContents(contents))

void app.whenReady().then(() => {
  hardenSession()
  services = setupServices()
  adapter = setupIpc(services)
  setupMenu()
  openWindow()
  events.emit('onReady', { t: Date.now() })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow()
  })
})

let quitting = false
app.on('before-quit', (event) => {
  // Stop runs, sampling and the simulator before the process goes.
  if (quitting || !services) return
  event.preventDefault()
  quitting = true
  adapter?.dispose()
  void services.dispose().finally(() => app.quit())
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
