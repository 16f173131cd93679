/**
 * The built preload as Electron's sandbox loads it: there, require() knows only 'electron', so
 * one externalized dependency (zod, say) throws before contextBridge runs and the page never
 * gets window.profiler. Reads what `npm run build` wrote (npm test builds first); builds nothing.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const PRELOAD = resolve('out/preload/index.cjs')

/** Every require( call in the text: the literal it names, or the call as written if not one. */
function requiredModules(code: string): string[] {
  return [...code.matchAll(/\brequire\s*\(([^)]*)\)/g)].map(([call, argument = '']) => {
    const literal = /^\s*(["'`])([^"'`]+)\1\s*$/.exec(argument)
    return literal?.[2] ?? call
  })
}

describe('preload bundle', () => {
  it('requires nothing but electron', () => {
    if (!existsSync(PRELOAD)) {
      throw new Error(
        `${PRELOAD} is missing: run \`npx electron-vite build\` (npm test runs \`npm run build\` first)`
      )
    }
    const required = requiredModules(readFileSync(PRELOAD, 'utf8'))
    expect(required, 'the preload must call require("electron")').toContain('electron')
    expect(required.filter((m) => m !== 'electron')).toEqual([])
  })

  it('finds every kind of require call', () => {
    expect(
      requiredModules('const a = require("electron"); require(\'zod\'); require(name)')
    ).toEqual(['electron', 'zod', 'require(name)'])
  })
})
