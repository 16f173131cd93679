/**
 * The Electron main bundle's sampler thread: `npm run build` writes out/main/sampler-worker.js
 * beside out/main/index.js, which names it; the worker itself needs nothing from Electron,
 * so it runs here under plain Node as it would in the app. Reads what the build wrote (npm
 * test builds first); builds nothing.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { Sample } from '../../src/shared/sample'
import { startInWorker } from '../../src/main/sampler/worker-host'
import { until } from '../helpers/until'

const MAIN = resolve('out/main/index.js')
const WORKER = resolve('out/main/sampler-worker.js')

function built(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`npm run build\` (npm test runs it first)`)
  }
  return readFileSync(path, 'utf8')
}

describe('main bundle', () => {
  it('names the sampler worker built beside it', () => {
    built(WORKER)
    expect(built(MAIN)).toMatch(
      /useSamplerWorker\(new URL\("\.\/sampler-worker\.js", import\.meta\.url\)\)/
    )
  })

  it.runIf(process.platform === 'linux')(
    'samples from the built worker without Electron',
    async () => {
      built(WORKER)
      const child = spawn('sleep', ['30'], { stdio: 'ignore' })
      try {
        const samples: Sample[] = []
        const errors: Error[] = []
        const sampler = startInWorker(
          pathToFileURL(WORKER),
          { pid: child.pid!, intervalMs: 100 },
          { onSample: (s) => samples.push(s), onError: (e) => errors.push(e) }
        )
        await until(
          'a sample or an error',
          () => (samples.length > 0 || errors.length > 0 ? true : undefined),
          10_000
        )
        await sampler.stop()
        expect(errors).toEqual([])
        expect(samples[0]).toMatchObject({ pid: child.pid })
        expect(samples[0]!.rssBytes).toBeGreaterThan(0)
      } finally {
        child.kill('SIGKILL')
      }
    }
  )
})
