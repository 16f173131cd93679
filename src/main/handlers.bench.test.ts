import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dispatchCall } from './api'
import { saveResult } from './benchmark/history'
import { benchResult } from './compare/testing/factories'
import { EventHub } from './events'
import { createServices, type AppServices } from './handlers'
import { fakeEngine } from './services/test-engine'

describe('handlers: saved bench results', () => {
  let root: string
  let services: AppServices
  let a: string
  let b: string
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'kp-handlers-bench-'))
    a = await saveResult(join(root, 'bench'), benchResult(1, { version: '0.4.3' }))
    b = await saveResult(join(root, 'bench'), benchResult(2, { version: '0.4.4', medianMs: 20 }))
    services = createServices({
      transport: 'web',
      events: new EventHub(),
      sessionDirs: [join(root, 'sessions')],
      benchDirs: [join(root, 'bench')],
      simulator: null,
      engine: fakeEngine()
    })
  })
  afterEach(async () => {
    await services.dispose()
    rmSync(root, { recursive: true, force: true })
  })

  it('lists the results of the history folder', async () => {
    const r = await dispatchCall(services.handlers, 'bench:list', {})
    expect(r).toMatchObject({
      ok: true,
      value: {
        dirs: [join(root, 'bench')],
        results: [
          { path: b, version: '0.4.4', quick: true },
          { path: a, version: '0.4.3', quick: true }
        ],
        unreadable: []
      }
    })
  })

  it('compares two of them: the comparison `compare --json` prints', async () => {
    const r = await dispatchCall(services.handlers, 'bench:compare', { a, b })
    expect(r).toMatchObject({
      ok: true,
      value: { schemaVersion: 1, kind: 'bench', verdict: 'regression' }
    })
  })

  it('never reads outside the history folders, and says which file is malformed', async () => {
    const outside = join(root, 'sessions', 'x.json')
    mkdirSync(join(root, 'sessions'))
    writeFileSync(outside, JSON.stringify(benchResult(3)))
    expect(await dispatchCall(services.handlers, 'bench:compare', { a, b: outside })).toEqual({
      ok: false,
      error: {
        code: 'BAD_INPUT',
        message: `${outside} is not a bench result in a bench history folder (${join(root, 'bench')})`
      }
    })
    const broken = join(root, 'bench', 'broken.json')
    writeFileSync(broken, 'nope')
    expect(await dispatchCall(services.handlers, 'bench:compare', { a, b: broken })).toEqual({
      ok: false,
      error: {
        code: 'BAD_INPUT',
        message: 'bench/broken.json is not JSON: it is not a bench result'
      }
    })
  })

  it('rejects malformed requests before any file is read', async () => {
    for (const payload of [{}, { a }, { a, b: '' }, { a, b, path: '/etc' }, { a: 1, b }, null]) {
      expect(await dispatchCall(services.handlers, 'bench:compare', payload)).toMatchObject({
        ok: false,
        error: { code: 'BAD_INPUT', message: expect.stringMatching(/^bench:compare: /) }
      })
    }
    expect(await dispatchCall(services.handlers, 'bench:list', { dir: '/etc' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_INPUT' }
    })
    expect(await dispatchCall(services.handlers, 'bench:open', { path: a })).toMatchObject({
      ok: false,
      error: { code: 'BAD_INPUT', message: "unknown call 'bench:open'" }
    })
  })

  it('defaults to ./profiler-bench of the engine when no folder is given', async () => {
    const s = createServices({
      transport: 'web',
      events: new EventHub(),
      sessionDirs: [join(root, 'sessions')],
      simulator: null,
      engine: fakeEngine()
    })
    const r = await dispatchCall(s.handlers, 'bench:list', {})
    await s.dispose()
    expect(r).toMatchObject({ ok: true, value: { dirs: [join(process.cwd(), 'profiler-bench')] } })
  })
})
