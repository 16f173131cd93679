import { describe, expect, it } from 'vitest'
import { shortLabel, visibleMarkers } from './markers'
import { chartConfig, formatAxisValue, pointCount, type ChartSpec } from './spec'

const spec: ChartSpec = {
  id: 'm',
  title: 'Memory',
  y: { unit: 'bytes', title: 'memory (bytes)' },
  y2: { unit: 'count', title: 'things (count)' },
  datasets: [
    {
      id: 'a',
      label: 'heap',
      color: '#000',
      data: [{ x: 0, y: 1 }],
      fill: 'origin',
      stacked: true
    },
    { id: 'b', label: 'n', color: '#111', data: [], axis: 'y2' }
  ]
}

describe('spec', () => {
  describe('chartConfig', () => {
    it('keeps an hour at 10 Hz cheap: no animation, no parsing, sorted data, decimation', () => {
      const c = chartConfig(spec)
      expect(c.options).toMatchObject({ animation: false, parsing: false, normalized: true })
      expect(c.options?.plugins?.decimation).toEqual({ enabled: true, algorithm: 'lttb' })
      expect(c.data.datasets[0]).toMatchObject({
        parsing: false,
        normalized: true,
        pointRadius: 0,
        fill: 'origin'
      })
      expect(c.data.datasets[0]!.data).toBe(spec.datasets[0]!.data)
      expect(c.data.datasets[1]!.yAxisID).toBe('y2')
    })

    it('labels every axis with its unit, the time axis too', () => {
      const scales = chartConfig(spec).options!.scales as Record<
        string,
        { title: { text: string } }
      >
      expect(scales.x!.title.text).toBe('time since start (m:ss)')
      expect(scales.y!.title.text).toBe('memory (bytes)')
      expect(scales.y2!.title.text).toBe('things (count)')
    })
  })

  describe('formatAxisValue', () => {
    it('formats ticks in the axis unit', () => {
      expect(formatAxisValue('bytes', 3 * 1024 * 1024)).toBe('3.0 MiB')
      expect(formatAxisValue('percent', 12.345)).toBe('12.3%')
      expect(formatAxisValue('per-sec', 200)).toBe('200/s')
      expect(formatAxisValue('ms', 2.5)).toBe('2.50 ms')
    })
  })

  describe('pointCount', () => {
    it('counts the points of every dataset', () => {
      expect(pointCount(spec)).toBe(1)
    })
  })

  describe('markers', () => {
    it('keeps markers inside the visible range and short labels', () => {
      const items = [0, 5, 10].map((x) => ({ x, kind: 'phase' as const, label: `p${x}` }))
      expect(visibleMarkers(items, 1, 10).map((m) => m.x)).toEqual([5, 10])
      expect(shortLabel('a very long phase label indeed')).toBe('a very long pha…')
    })
  })
})
