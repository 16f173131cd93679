/**
 * `npm run bench -- ui [--quick]`: the UI's two hot paths, measured in headless Chromium.
 *
 * 1. Chart update: one chart holding 6 series × 36,000 points (an hour at 10 Hz) with
 *    the Live view's configuration, then 250 ms batches appended; time of chart.update and
 *    of the whole frame (update to the next animation frame), against the same chart with
 *    decimation off as the in-process reference.
 * 2. Bridge throughput: samples pushed through the web bridge's WebSocket to the page's
 *    typed client (JSON + zod validation included), in samples per second.
 *
 * It prints figures; it asserts nothing (2 noisy cores).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { AppInfo } from '../src/shared/api'
import type { Sample } from '../src/shared/sample'

const CHROMIUM = process.env.KP_CHROMIUM ?? '/usr/bin/chromium'
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

interface ChartBenchResult {
  points: number
  createMs: number
  updateMs: number[]
  frameMs: number[]
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}

const f1 = (n: number): string => n.toFixed(1)

function sample(t: number): Sample {
  return {
    t,
    pid: 4242,
    rssBytes: 512 * 1024 * 1024 + (t % 1000),
    pssBytes: null,
    ussBytes: null,
    heapBytes: 300 * 1024 * 1024,
    fileMappedBytes: 200 * 1024 * 1024,
    stackBytes: 135_168,
    swapBytes: 0,
    cpuPercent: 42.5,
    cpuUserPercent: 40,
    cpuSystemPercent: 2.5,
    threads: 37,
    fds: 211,
    tcpConnections: 54,
    portConnections: 51,
    wsConnections: 50
  }
}

/** The bench page bundle: the app's chart setup and client, built for the browser. */
async function buildPage(dir: string): Promise<string> {
  const { build } = await import('vite')
  await build({
    configFile: false,
    logLevel: 'error',
    build: {
      outDir: dir,
      emptyOutDir: false,
      minify: true,
      lib: {
        entry: resolve('src/renderer/bench/ui-bench-page.ts'),
        formats: ['iife'],
        name: 'kpBenchPage',
        fileName: () => 'bench.js'
      }
    }
  })
  return join(dir, 'bench.js')
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick')
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(
      `bench ui: no Chromium at ${CHROMIUM} (install chromium or set KP_CHROMIUM)\n`
    )
    process.exitCode = 2
    return
  }
  const { chromium } = await import('playwright-core')
  const { startBridge } = await import('../src/main/bridge/server')
  const { EventHub } = await import('../src/main/events')
  const { partialHandlers } = await import('../src/main/api')
  const tmp = mkdtempSync(join(tmpdir(), 'kp-bench-ui-'))
  const events = new EventHub()
  const info: AppInfo = {
    version: 'bench',
    transport: 'web',
    platform: process.platform,
    sessionsDir: tmp,
    sessionDirs: [tmp],
    capabilities: { saveCredentials: false, saveDialog: false }
  }
  let bridge: Awaited<ReturnType<typeof startBridge>> | undefined
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined
  try {
    process.stdout.write('building the bench page…\n')
    await buildPage(tmp)
    writeFileSync(
      join(tmp, 'index.html'),
      '<!doctype html><meta charset="utf-8"><title>bench</title><body><script src="/bench.js"></script></body>'
    )
    bridge = await startBridge({
      port: 0,
      rendererDir: tmp,
      handlers: partialHandlers({ 'app:info': async () => info }),
      events
    })
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 800 }
    })
    const page = await context.newPage()
    await page.goto(bridge.url)
    await page.waitForFunction(() => 'kpBench' in globalThis)

    // 1. Chart update with 6 × 36,000 points.
    const batches = quick ? 20 : 60
    const chart = (decimation: boolean): Promise<ChartBenchResult> =>
      page.evaluate(
        (o) =>
          (
            globalThis as unknown as {
              kpBench: { chartBench(o: unknown): Promise<ChartBenchResult> }
            }
          ).kpBench.chartBench(o),
        { series: 6, perSeries: 36_000, batches, add: 3, decimation }
      )
    const idle = await page.evaluate(
      (n) =>
        (
          globalThis as unknown as { kpBench: { idleFrames(n: number): Promise<number[]> } }
        ).kpBench.idleFrames(n),
      30
    )
    await chart(true) // warm-up: JIT and fonts
    const dec = await chart(true)
    const raw = await chart(false)
    const row = (name: string, r: ChartBenchResult): string =>
      `${name.padEnd(22)} ${String(r.points).padStart(8)} pts  create ${f1(r.createMs).padStart(7)} ms  update p50 ${f1(pct(r.updateMs, 50)).padStart(6)} ms p95 ${f1(pct(r.updateMs, 95)).padStart(6)} ms  frame p50 ${f1(pct(r.frameMs, 50)).padStart(6)} ms p95 ${f1(pct(r.frameMs, 95)).padStart(6)} ms`
    process.stdout.write(
      `\nchart update, 6 series × 36,000 points, ${batches} batches of 3 points per series (Chromium, software rendering)\n`
    )
    process.stdout.write(`${row('decimation (LTTB)', dec)}\n${row('no decimation (ref.)', raw)}\n`)
    process.stdout.write(
      `idle frame (nothing drawn) p50 ${f1(pct(idle, 50))} ms: the browser's own frame pacing\n`
    )
    process.stdout.write(
      `frame time p50 with decimation: ${f1(pct(dec.frameMs, 50))} ms = ${f1(pct(raw.frameMs, 50) / pct(dec.frameMs, 50))}× faster than without\n`
    )

    // 2. Bridge throughput to the page's client.
    const perBatch = 250
    const total = quick ? 50_000 : 200_000
    const counting = page.evaluate(
      (n) =>
        (
          globalThis as unknown as {
            kpBench: { countSamples(n: number): Promise<{ received: number; ms: number }> }
          }
        ).kpBench.countSamples(n),
      total
    )
    await page.waitForFunction(
      () => (globalThis as unknown as { kpReady?: boolean }).kpReady === true
    )
    const batch = Array.from({ length: perBatch }, (_, i) => sample(1_764_000_000_000 + i * 100))
    const started = performance.now()
    for (let sent = 0; sent < total; sent += perBatch) {
      events.emit('onSamples', { samples: batch })
      // Yield so the socket drains: a burst would only measure Node's buffer.
      if ((sent / perBatch) % 8 === 7) await new Promise((r) => setImmediate(r))
    }
    const got = await counting
    const wall = performance.now() - started
    const rate = (got.received / wall) * 1000
    process.stdout.write(
      `\nbridge throughput: ${got.received} samples in ${total / perBatch} batches of ${perBatch}: ${Math.round(rate).toLocaleString('en-US')} samples/s to the page's typed client (${f1(wall)} ms; JSON + zod validation included)\n`
    )
    process.stdout.write(
      `headroom: ${Math.round(rate / 10).toLocaleString('en-US')}× the 10 samples/s of a 10 Hz live view\n`
    )
  } finally {
    await context?.close()
    await bridge?.close()
    rmSync(tmp, { recursive: true, force: true })
  }
}
