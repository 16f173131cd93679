import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startBridge } from '../../bridge/server'
import { EventHub } from '../../events'
import { createServices } from '../../handlers'
import { benchDirs } from '../../services/bench-dirs'
import { defaultEngine } from '../../services/engine'
import { sessionDirs } from '../../services/session-dirs'
import { defineCommand } from '../command'
import { port } from '../parse-options'

interface UiOptions {
  port: number
  rendererDir?: string
  sessionsDir?: string
  benchDir?: string
}

/**
 * Files built next to the CLI bundle (out/cli/index.js → out/renderer). This module may
 * sit in the entry or in a chunk one folder down, so both places are tried.
 */
function builtPath(rel: string): string {
  const candidates = [
    new URL(`../${rel}`, import.meta.url),
    new URL(`../../${rel}`, import.meta.url)
  ]
  const found = candidates.map((u) => fileURLToPath(u)).find((p) => existsSync(p))
  return found ?? fileURLToPath(candidates[0]!)
}

function cliEntry(): string {
  const candidates = [
    new URL('./index.js', import.meta.url),
    new URL('../index.js', import.meta.url)
  ]
  const found = candidates.map((u) => fileURLToPath(u)).find((p) => existsSync(p))
  return found ?? fileURLToPath(candidates[0]!)
}

export default defineCommand<UiOptions>({
  name: 'ui',
  summary: 'serve the app UI to a browser on 127.0.0.1 (token-protected)',
  details:
    'Open the printed URL: it carries a one-time token that the page then keeps in a cookie.\nOther pages on this machine cannot reach the API without it.\nRuns are recorded in ./profiler-sessions (or KP_SESSIONS_DIR, or --sessions-dir).\nSaved bench results are listed from ./profiler-bench (and KP_BENCH_DIR, or --bench-dir).',
  options: [
    {
      flags: '--port <port>',
      description: 'port on 127.0.0.1 (0 = a free port)',
      parse: port,
      default: 0
    },
    {
      flags: '--renderer-dir <dir>',
      description: 'serve the UI from this folder (default: the built one)'
    },
    {
      flags: '--sessions-dir <dir>',
      description: 'record and list sessions here',
      defaultDescription: './profiler-sessions, or KP_SESSIONS_DIR'
    },
    {
      flags: '--bench-dir <dir>',
      description: 'list and compare saved bench results (bench --save) from here too',
      defaultDescription: './profiler-bench, or KP_BENCH_DIR'
    }
  ],
  async run(_args, opts, ctx) {
    const events = new EventHub()
    const services = createServices({
      transport: 'web',
      events,
      engine: defaultEngine(),
      sessionDirs: sessionDirs({ env: ctx.env, cwd: ctx.cwd, explicit: opts.sessionsDir }),
      benchDirs: benchDirs({ env: ctx.env, cwd: ctx.cwd, explicit: opts.benchDir }),
      simulator: { execPath: process.execPath, cliEntry: cliEntry() }
    })
    const bridge = await startBridge({
      port: opts.port,
      rendererDir: opts.rendererDir ?? builtPath('renderer'),
      handlers: services.handlers,
      events
    })
    ctx.stdout.write(`KalamDB Profiler UI: ${bridge.url}\n(open it in a browser; Ctrl-C to stop)\n`)
    events.emit('onReady', { t: Date.now() })
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve()
      ctx.signal.addEventListener('abort', () => resolve(), { once: true })
    })
    await bridge.close()
    await services.dispose()
    return 0
  }
})
