import { describe, expect, it, vi } from 'vitest'
import type { MenuItemConstructorOptions } from 'electron'
import { menuTemplate } from './menu'

describe('menu', () => {
  describe('menuTemplate', () => {
    it('reaches every view by name with Ctrl/Cmd+1…6', () => {
      const navigate = vi.fn()
      const view = menuTemplate({ navigate, openExternal: vi.fn() }, false).find(
        (m) => m.label === 'View'
      )!
      const items = (view.submenu as MenuItemConstructorOptions[]).filter((i) => i.accelerator)
      expect(items.map((i) => [i.label, i.accelerator])).toEqual([
        ['Targets', 'CmdOrCtrl+1'],
        ['Live', 'CmdOrCtrl+2'],
        ['Scenarios', 'CmdOrCtrl+3'],
        ['Investigation', 'CmdOrCtrl+4'],
        ['Sessions', 'CmdOrCtrl+5'],
        ['Export', 'CmdOrCtrl+6']
      ])
      ;(items[3]!.click as () => void)()
      expect(navigate).toHaveBeenCalledWith('investigation')
    })
  })
})
