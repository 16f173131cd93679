import { describe, expect, it } from 'vitest'
import {
  bucketLabel,
  formatEdgeMs,
  histogramConfig,
  histogramSummary,
  type HistogramSpec
} from './histogram'

const spec = (bars: HistogramSpec['bars']): HistogramSpec => ({
  id: 'h',
  title: 'insert latency histogram',
  operation: 'insert',
  bars,
  color: '#2563eb'
})

describe('charts/histogram', () => {
  it('labels log-spaced edges without float noise, the unit once', () => {
    expect(formatEdgeMs(0.001)).toBe('0.001')
    expect(formatEdgeMs(0.002 * 3)).toBe('0.006')
    expect(formatEdgeMs(5000)).toBe('5,000')
    expect(bucketLabel({ fromMs: 0.5, toMs: 1, count: 3 })).toBe('0.5–1 ms')
  })

  it('sums the histogram up in words', () => {
    expect(histogramSummary(spec([]))).toBe('No insert latency recorded.')
    expect(histogramSummary(spec([{ fromMs: 1, toMs: 2, count: 1 }]))).toBe(
      '1 insert; most (1) took 1–2 ms.'
    )
    expect(
      histogramSummary(
        spec([
          { fromMs: 1, toMs: 2, count: 1200 },
          { fromMs: 2, toMs: 5, count: 0 },
          { fromMs: 5, toMs: 10, count: 3 }
        ])
      )
    ).toBe('1,203 inserts; most (1,200) took 1–2 ms, the slowest 3 took 5–10 ms.')
  })

  it('is a bar chart with units on both axes and no animation', () => {
    const c = histogramConfig(
      spec([
        { fromMs: 0.2, toMs: 0.5, count: 4 },
        { fromMs: 0.5, toMs: 1, count: 2 }
      ])
    )
    expect(c.type).toBe('bar')
    expect(c.data.labels).toEqual(['0.2–0.5 ms', '0.5–1 ms'])
    expect(c.data.datasets[0]?.data).toEqual([4, 2])
    expect(c.options?.animation).toBe(false)
    const scales = c.options?.scales as Record<string, { title: { text: string } }>
    expect(scales.x?.title.text).toBe('latency (ms)')
    expect(scales.y?.title.text).toBe('inserts (count)')
  })
})
