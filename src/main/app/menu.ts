/**
 * The application menu as data: one item per view with a keyboard accelerator
 * (Ctrl/Cmd+1 … 6, in tab order), so every view is reachable without the mouse.
 */
import type { MenuItemConstructorOptions } from 'electron'
import { VIEWS, type ViewName } from '../../shared/api'

export const VIEW_LABELS: Record<ViewName, string> = {
  targets: 'Targets',
  live: 'Live',
  scenarios: 'Scenarios',
  investigation: 'Investigation',
  sessions: 'Sessions',
  export: 'Export'
}

export interface MenuActions {
  navigate(view: ViewName): void
  openExternal(url: string): void
}

export const PROJECT_URL = 'https://github.com/jamals86/KalamDB'

export function menuTemplate(actions: MenuActions, isMac: boolean): MenuItemConstructorOptions[] {
  const views: MenuItemConstructorOptions[] = VIEWS.map((view, i) => ({
    label: VIEW_LABELS[view],
    accelerator: `CmdOrCtrl+${i + 1}`,
    click: () => actions.navigate(view)
  }))
  return [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Export report…',
          accelerator: 'CmdOrCtrl+E',
          click: () => actions.navigate('export')
        },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' }
      ]
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...views,
        { type: 'separator' },
        { role: 'reload' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'KalamDB on GitHub', click: () => actions.openExternal(PROJECT_URL) }]
    }
  ]
}
