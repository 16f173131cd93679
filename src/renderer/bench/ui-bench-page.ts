/**
 * Browser side of `npm run bench -- ui` (bundled by bench/ui.ts, not part of the app):
 * the app's own chart configuration and API client, measured inside Chromium.
 */
import { createApiClient } from '../../shared/client'
import { createBridgeTransport } from '../src/bridge-transport'
import { createChart, updateChart } from '../src/charts/setup'
import type { ChartSpec, Point } from '../src/charts/spec'

export interface ChartBenchResult {
  points: number
  createMs: number
  /** chart.update('none') per batch, ms. */
  updateMs: number[]
  /** From the start of the update to the next animation frame, ms. */
  frameMs: number[]
}

const nextFrame = (): Promise<number> => new Promise((r) => requestAnimationFrame(r))

/**
 * `series` × `perSeries` points (an hour at 10 Hz: 6 × 36,000), then `batches` updates
 * each adding a 250 ms batch (`add` points per series), as the Live view does.
 */
export async function chartBench(o: {
  series: number
  perSeries: number
  batches: number
  add: number
  decimation: boolean
}): Promise<ChartBenchResult> {
  document.body.innerHTML =
    '<div style="width:1200px;height:300px;position:relative"><canvas></canvas></div>'
  const canvas = document.querySelector('canvas')!
  const data: Point[][] = []
  for (let s = 0; s < o.series; s++) {
    const d: Point[] = new Array(o.perSeries)
    for (let i = 0; i < o.perSeries; i++)
      d[i] = { x: i / 10, y: 1e8 + s * 1e7 + Math.sin(i / 50) * 1e6 + ((i * 7919) % 1000) * 1e3 }
    data.push(d)
  }
  const spec: ChartSpec = {
    id: 'bench',
    title: 'bench',
    y: { unit: 'bytes', title: 'memory (bytes)' },
    markers: [{ x: 60, kind: 'phase', label: 'load' }],
    datasets: data.map((d, s) => ({ id: `s${s}`, label: `series ${s}`, color: '#2563eb', data: d }))
  }
  const t0 = performance.now()
  const chart = createChart(canvas, spec)
  if (!o.decimation) {
    const plugins = chart.options.plugins as { decimation?: { enabled: boolean } }
    plugins.decimation!.enabled = false
    chart.update('none')
  }
  await nextFrame()
  const createMs = performance.now() - t0
  const updateMs: number[] = []
  const frameMs: number[] = []
  let n = o.perSeries
  for (let b = 0; b < o.batches; b++) {
    for (const d of data)
      for (let k = 0; k < o.add; k++) d.push({ x: (n + k) / 10, y: 1e8 + Math.random() * 1e6 })
    n += o.add
    const start = performance.now()
    updateChart(chart, spec)
    updateMs.push(performance.now() - start)
    await nextFrame()
    frameMs.push(performance.now() - start)
  }
  chart.destroy()
  return { points: o.series * n, createMs, updateMs, frameMs }
}

/** rAF-to-rAF intervals with nothing to do: what a frame costs this browser at rest. */
export async function idleFrames(n: number): Promise<number[]> {
  const out: number[] = []
  let last = await nextFrame()
  for (let i = 0; i < n; i++) {
    const now = await nextFrame()
    out.push(now - last)
    last = now
  }
  return out
}

/** Subscribes to onSamples through the real client (validation included) and counts. */
export function countSamples(expected: number): Promise<{ received: number; ms: number }> {
  const api = createApiClient(createBridgeTransport(window.location))
  return new Promise((resolve) => {
    let received = 0
    let first = 0
    api.on('onSamples', ({ samples }) => {
      if (received === 0) first = performance.now()
      received += samples.length
      if (received >= expected) resolve({ received, ms: performance.now() - first })
    })
    // The subscription is live once a call has gone through on the same socket.
    void api
      .call('app:info', {})
      .then(() => ((window as unknown as { kpReady: boolean }).kpReady = true))
  })
}

Object.assign(window, { kpBench: { chartBench, countSamples, idleFrames } })
