/**
 * A Chart.js bar chart of one latency histogram. Drawn once per spec (a recorded session
 * does not change); the canvas has a text alternative and the bars are also a table for
 * screen readers, since a canvas alone says nothing.
 */
import { useEffect, useRef, useState } from 'react'
import type { Chart } from 'chart.js'
import { createBarChart } from './bar-setup'
import { bucketLabel, histogramConfig, histogramSummary, type HistogramSpec } from './histogram'

export function HistogramChart({
  spec,
  height = 180
}: {
  spec: HistogramSpec
  height?: number
}): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const chartRef = useRef<Chart<'bar', number[], string> | null>(null)
  const [failed, setFailed] = useState<string | null>(null)

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas) return
    try {
      chartRef.current = createBarChart(canvas, histogramConfig(spec))
    } catch (e) {
      setFailed(e instanceof Error ? e.message : String(e))
    }
    return () => {
      chartRef.current?.destroy()
      chartRef.current = null
    }
  }, [spec])

  const summary = histogramSummary(spec)
  return (
    <figure className="chart" data-chart={spec.id} aria-labelledby={`${spec.id}-title`}>
      <figcaption id={`${spec.id}-title`}>
        <span className="chart-title">{spec.title}</span>
      </figcaption>
      <div className="chart-canvas" style={{ height }}>
        <canvas ref={canvasRef} role="img" aria-label={`${spec.title}: ${summary}`} />
      </div>
      {failed && <p role="alert">The chart could not be drawn: {failed}</p>}
      <table className="visually-hidden">
        <caption>{spec.title}</caption>
        <thead>
          <tr>
            <th scope="col">Latency</th>
            <th scope="col">Count</th>
          </tr>
        </thead>
        <tbody>
          {spec.bars.map((b) => (
            <tr key={b.fromMs}>
              <td>{bucketLabel(b)}</td>
              <td>{b.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
