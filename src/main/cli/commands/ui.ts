import { fileURLToPath } from 'node:url'
import { startBridge } from '../../bridge/server'
import { EventHub } from '../../events'
import { createHandlers } from '../../handlers'
import { defineCommand } from '../command'
import { port } from '../parse-options'

interface UiOptions {
  port: number
  rendererDir?: string
}

/** The renderer is built next to the CLI bundle: out/cli/index.js → out/renderer. */
const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../renderer', import.meta.url))

export default defineCommand<UiOptions>({
  name: 'ui',
  summary: 'serve the app UI to a browser on 127.0.0.1 (token-protected)',
  details:
    'Open the printed URL: it carries a one-time token that the page then keeps in a cookie.\nOther pages on this machine cannot reach the API without it.',
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
    }
  ],
  async run(_args, opts, ctx) {
    const events = new EventHub()
    const bridge = await startBridge({
      port: opts.port,
      rendererDir: opts.rendererDir ?? DEFAULT_RENDERER_DIR,
      handlers: createHandlers({ transport: 'web' }),
      events
    })
    ctx.stdout.write(`KalamDB Profiler UI: ${bridge.url}\n(open it in a browser; Ctrl-C to stop)\n`)
    events.emit('onReady', { t: Date.now() })
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve()
      ctx.signal.addEventListener('abort', () => resolve(), { once: true })
    })
    await bridge.close()
    return 0
  }
})
