import { describe, expect, it } from 'vitest'
import { analysisFor, metricFactory } from '../../../test/fixtures/report/analysis'
import { externalReferences } from '../../../test/fixtures/report/checks'
import { all, parseHtml, type Doc } from '../../../test/fixtures/report/dom'
import { sessionInMemory } from '../../../test/fixtures/report/sessions'
import { renderTextReport } from './index'
import type { JsonReport } from './json'

function dom(html: string): Doc {
  return parseHtml(html)
}

describe('report/html', () => {
  describe('renderHtml', () => {
    const s = sessionInMemory({ kind: 'failed' })
    const html = renderTextReport(s, analysisFor(s), 'html')
    const doc = dom(html)

    it('references nothing outside the file and forbids fetching by CSP', () => {
      expect(externalReferences(html)).toEqual([])
      expect(html).not.toMatch(/<script[^>]*\bsrc\s*=/i)
      expect(html).not.toMatch(/<link\b/i)
      expect(
        doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content')
      ).toContain("default-src 'none'")
    })

    it('puts the verdict first, then criteria and findings, then charts', () => {
      const ids = all(doc.querySelectorAll('main > section')).map((e) => e.id)
      expect(doc.querySelector('main > header h1')?.textContent).toBe(
        'KalamDB Profiler: memory-stability: FAILED on KalamDB 0.3.1'
      )
      expect(ids.slice(0, 4)).toEqual(['criteria', 'findings', 'memory', 'charts'])
      expect(ids).toEqual(
        expect.arrayContaining([
          'mappings',
          'latency',
          'events',
          'environment',
          'scenario',
          'reproduce'
        ])
      )
      const rows = all(doc.querySelectorAll('#criteria tbody tr')).map((r) =>
        all(r.children).map((c) => c.textContent)
      )
      expect(rows[0]).toEqual([
        'RSS growth over the load phase',
        '< 10%',
        '18.4%',
        'FAIL',
        'RSS grew 18.4% while the threshold is < 10%.'
      ])
      expect(rows[3]![1]).toBe('>= 95 /s <&> "quoted"')
    })

    it('draws inline SVG charts with units on both axes and the phases marked', () => {
      const svgs = all(doc.querySelectorAll('#charts svg'))
      expect(svgs.length).toBe(4)
      const memory = svgs[0]!
      const axisTitles = all(memory.querySelectorAll('.axistitle')).map((t) => t.textContent)
      expect(axisTitles).toEqual(['elapsed time (m:ss)', 'MiB'])
      expect(all(svgs[1]!.querySelectorAll('.axistitle')).map((t) => t.textContent)).toContain(
        'percent of one core'
      )
      const phaseLabels = all(memory.querySelectorAll('.phaselabel')).map(
        (t) => t.childNodes[0]?.textContent
      )
      expect(phaseLabels).toEqual(['setup', 'baseline', 'load', 'cooldown'])
      expect(memory.querySelectorAll('polyline').length).toBe(4)
      // The failed flush is a full-height marker with its label on hover.
      expect(all(memory.querySelectorAll('line.marker title')).map((t) => t.textContent)).toContain(
        '2:42 flush profiler.events failed'
      )
    })

    it('embeds the complete JSON report as inert data that parses back', () => {
      const data = doc.getElementById('kalam-profiler-data')
      expect(data?.getAttribute('type')).toBe('application/json')
      const report = JSON.parse(data!.textContent!) as JsonReport
      expect(report.samples).toHaveLength(s.samples.length)
      expect(report.analysis.status).toBe('failed')
    })

    it('prints an unbounded slope interval as -∞ to ∞, not as a 300-digit size', () => {
      const base = analysisFor(s)
      const unbounded = renderTextReport(
        s,
        {
          ...base,
          metrics: {
            ...base.metrics,
            fileMappedBytes: metricFactory({ slopeCi95: [-Number.MAX_VALUE, Number.MAX_VALUE] })
          }
        },
        'html'
      )
      const cells = all(dom(unbounded).querySelectorAll('#memory td.num .muted')).map(
        (e) => e.textContent
      )
      expect(cells).toContain('95% CI -∞ to ∞')
      expect(cells.join(' ')).not.toMatch(/e\+\d/)
    })

    it('is printable: A4 page rule and charts kept whole across pages', () => {
      expect(html).toContain('@page { size: A4;')
      expect(html).toMatch(
        /@media print \{[^}]*\}[\s\S]*figure, tr, \.verdict, pre \{ break-inside: avoid; \}/
      )
    })
  })

  describe('escaping', () => {
    it('cannot be broken out of by text in the session, not even by </script> in the data block', () => {
      const s = sessionInMemory({ kind: 'passed' })
      s.events.push({
        t: s.meta.startedAt + 1,
        type: 'marker',
        label: '</script><script>alert(1)</script><img src=x>'
      })
      const html = renderTextReport(s, analysisFor(s), 'html')
      const doc = dom(html)
      expect(doc.querySelectorAll('script').length).toBe(1)
      expect(doc.querySelectorAll('img').length).toBe(0)
      expect(externalReferences(html)).toEqual([])
      const report = JSON.parse(
        doc.getElementById('kalam-profiler-data')!.textContent!
      ) as JsonReport
      expect(
        report.events.some((e) => e.type === 'marker' && e.label.startsWith('</script>'))
      ).toBe(true)
    })
  })

  describe('long sessions', () => {
    it('thins a 1-hour 10 Hz series to the point budget while keeping its peak', () => {
      const s = sessionInMemory({ kind: 'failed', durationMs: 3_600_000, intervalMs: 100 })
      const peak = s.samples[20_000]!
      peak.rssBytes = 900 * 1024 * 1024
      const html = renderTextReport(s, analysisFor(s), 'html', {
        embedData: false,
        maxChartPoints: 2000
      })
      const doc = dom(html)
      const rss = doc.querySelector('#charts svg polyline')!
      expect(rss.getAttribute('points')!.split(' ').length).toBeLessThanOrEqual(2000)
      // The y axis reaches the spike: its top label is at least 900 MiB.
      const labels = all(doc.querySelectorAll('#charts svg')[0]!.querySelectorAll('.ylabel')).map(
        (t) => Number(t.textContent)
      )
      expect(Math.max(...labels)).toBeGreaterThanOrEqual(900)
      expect(doc.getElementById('kalam-profiler-data')).toBeNull()
      expect(doc.querySelector('#charts figcaption')?.textContent).toContain(
        '36,001 samples per series'
      )
    })
  })
})
