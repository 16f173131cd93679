/**
 * `npm start` where Electron's runtime cannot run (no display here, no binary download):
 * one clear line, then the same UI served by the bridge.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const built = [
  'out/main/index.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
  'out/cli/index.js'
].every((f) => existsSync(f))

describe('npm start', () => {
  it.runIf(built)('falls back to the web bridge with one line naming why', async () => {
    const env = { ...process.env }
    delete env.DISPLAY
    delete env.WAYLAND_DISPLAY
    const child = spawn(process.execPath, ['scripts/start.js'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no UI URL in time: ${out}`)), 20_000)
        child.stdout.on('data', () => {
          if (/http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(out)) {
            clearTimeout(timer)
            resolve()
          }
        })
      })
      const lines = out.trim().split('\n')
      expect(lines[0]).toMatch(
        /^Electron runtime not available \(.+\): serving the same UI to your browser instead\.$/
      )
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)![0]
      const first = await fetch(url, { redirect: 'manual' })
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!
      const page = await fetch(new URL('/', url), { headers: { cookie } })
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('KalamDB Profiler')
    } finally {
      child.kill('SIGINT')
      await new Promise((r) => child.once('exit', r))
    }
  })
})
