/**
 * A Chart.js time chart bound to a ChartSpec. Data arrays are shared with the caller and
 * redrawn at most once per animation frame when `version` changes, so a burst of batches
 * costs one draw. Zoom and pan with the wheel and drag, or with the buttons (keyboard).
 */
import { useEffect, useRef, useState } from 'react'
import type { Chart } from 'chart.js'
import { createChart, updateChart } from './setup'
import { pointCount, type ChartSpec, type Point } from './spec'

export interface TimeSeriesChartProps {
  spec: ChartSpec
  /** Shown over the chart while it has no points. */
  emptyText?: string
  /** Bump to redraw (data arrays grow in place). */
  version: number
  /** Text alternative: the latest values, with units. */
  summary: string
  height?: number
}

export function TimeSeriesChart({
  spec,
  version,
  summary,
  emptyText = 'No data yet.',
  height = 220
}: TimeSeriesChartProps): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement | null>(null)
  const chartRef = useRef<Chart<'line', Point[]> | null>(null)
  const specRef = useRef(spec)
  const [failed, setFailed] = useState<string | null>(null)
  specRef.current = spec

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas) return
    try {
      chartRef.current = createChart(canvas, specRef.current)
    } catch (e) {
      setFailed(e instanceof Error ? e.message : String(e))
    }
    return () => {
      chartRef.current?.destroy()
      chartRef.current = null
    }
    // A different chart (other datasets or axes) is a new chart.
  }, [spec.id, spec.datasets.length, spec.y2 !== undefined])

  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      if (chartRef.current) updateChart(chartRef.current, specRef.current)
    })
    return () => cancelAnimationFrame(frame)
  }, [version, spec])

  const zoom = (factor: number): void => chartRef.current?.zoom(factor)
  const points = pointCount(spec)
  return (
    <figure
      className="chart"
      data-chart={spec.id}
      data-points={points}
      aria-labelledby={`${spec.id}-title`}
    >
      <figcaption id={`${spec.id}-title`}>
        <span className="chart-title">{spec.title}</span>
        <span className="chart-tools">
          <button type="button" onClick={() => zoom(1.5)} aria-label={`Zoom in on ${spec.title}`}>
            +
          </button>
          <button
            type="button"
            onClick={() => zoom(1 / 1.5)}
            aria-label={`Zoom out of ${spec.title}`}
          >
            −
          </button>
          <button
            type="button"
            onClick={() => chartRef.current?.resetZoom()}
            aria-label={`Reset zoom of ${spec.title}`}
          >
            Reset
          </button>
        </span>
      </figcaption>
      <div className="chart-canvas" style={{ height }}>
        <canvas ref={canvasRef} role="img" aria-label={`${spec.title}: ${summary}`} />
        {points === 0 && <p className="chart-empty muted">{emptyText}</p>}
      </div>
      {failed && <p role="alert">The chart could not be drawn: {failed}</p>}
      <p className="visually-hidden" aria-live="off">
        {summary}
      </p>
    </figure>
  )
}
