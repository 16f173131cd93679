// @vitest-environment jsdom
// Mermaid's parser needs a DOM (it sanitizes text with DOMPurify); jsdom provides one.
import { describe, expect, it } from 'vitest'
import { analysisFor } from '../../../test/fixtures/report/analysis'
import { mermaidBlocks } from '../../../test/fixtures/report/checks'
import { sessionInMemory } from '../../../test/fixtures/report/sessions'
import { renderTextReport } from './index'
import { GITHUB_BODY_LIMIT, MERMAID_MAX_POINTS, mermaidChart } from './markdown'

async function parseMermaid(text: string): Promise<unknown> {
  const { default: mermaid } = await import('mermaid')
  return mermaid.parse(text)
}

function linePoints(block: string): number {
  const m = /line \[([^\]]*)\]/.exec(block)
  return m ? m[1]!.split(',').length : 0
}

describe('report/markdown', () => {
  describe('renderMarkdown', () => {
    it('marks bytes per insert measured before any flush', () => {
      const s = sessionInMemory({ kind: 'failed' })
      const attribution = [
        {
          metric: 'heapBytes',
          per: 'insert' as const,
          bytesPerUnit: 2048,
          ci95: [1900, 2200] as [number, number],
          r2: 0.74,
          beforeFlush: true
        }
      ]
      const md = renderTextReport(s, analysisFor(s, { attribution }), 'md')
      expect(md).toMatch(
        /per insert \(95% CI .*\), no flush in the window: includes the rows the server holds until one/
      )
      const html = renderTextReport(s, analysisFor(s, { attribution }), 'html')
      expect(html).toContain('<td>insert (no flush in the window)</td>')
    })

    it('opens with the verdict and the criteria table, units on measured values', () => {
      const s = sessionInMemory({ kind: 'failed' })
      const md = renderTextReport(s, analysisFor(s), 'md')
      const lines = md.split('\n')
      expect(lines[0]).toBe('# KalamDB Profiler: memory-stability: FAILED on KalamDB 0.3.1')
      expect(md.indexOf('## Criteria')).toBeLessThan(md.indexOf('## Over time'))
      expect(md).toContain('| RSS growth over the load phase | &lt; 10% | 18.4% | **FAIL** |')
      expect(md).toContain('| Insert latency p95 | p95 &lt; 500 ms | 42.5 ms | pass |')
      // Criterion text with markup characters is shown, never interpreted.
      expect(md).toContain('&gt;= 95 /s &lt;&amp;&gt; "quoted"')
    })

    it('has the environment, scenario parameters, findings, mappings, latency and the command to reproduce', () => {
      const s = sessionInMemory({ kind: 'failed' })
      const md = renderTextReport(s, analysisFor(s), 'md')
      for (const text of [
        '| KalamDB | 0.3.1 (built 2025-01-10, commit a1b2c3d) |',
        '| OS | Debian GNU/Linux 12 6.1.0-18-amd64 (x64) |',
        '| CPU | AMD EPYC 7B13, 2 cores |',
        '| Memory | 24.0 GiB |',
        '| Profiler | kalamdb-profiler 0.1.0',
        '| `writers` | 10 |',
        '**Problem:** Heap (RssAnon) grows about 2.0 KiB per inserted row',
        '| `anonymous` | anonymous | 110.0 MiB | 150.0 MiB | +40.0 MiB | 36.4% |',
        '| insert | 30,000 | 8.00 ms |',
        '```sh\nnpx kalam-profiler run memory-stability --url http://127.0.0.1:8080 --pid auto --duration 6m\n```'
      ])
        expect(md).toContain(text)
    })

    it('marks criteria that could not be measured, and says why the run ended', () => {
      const s = sessionInMemory({ kind: 'target-crashed' })
      const md = renderTextReport(s, analysisFor(s), 'md')
      expect(md.split('\n')[0]).toContain('TARGET CRASHED')
      expect(md).toContain('kalamdb-server exited with signal SIGSEGV')
      expect(md).toMatch(
        /\| RSS growth over the load phase \| &lt; 10% \| not measured \| _not measurable_ \| the target process exited/
      )
    })

    it('draws RSS, heap, file-mapped and CPU as xychart-beta blocks that Mermaid parses', async () => {
      const s = sessionInMemory({ kind: 'passed' })
      const blocks = mermaidBlocks(renderTextReport(s, analysisFor(s), 'md'))
      expect(blocks.map((b) => /title "([^"]*)"/.exec(b)?.[1])).toEqual([
        'RSS',
        'Heap (RssAnon)',
        'File-mapped (RssFile)',
        'CPU (100% = one core)'
      ])
      for (const b of blocks) {
        expect(b.startsWith('xychart-beta\n')).toBe(true)
        await expect(parseMermaid(b)).resolves.toMatchObject({ diagramType: 'xychart' })
      }
    })

    it('is rejected by the same parser when a block is broken (the check has teeth)', async () => {
      await expect(
        parseMermaid('xychart-beta\n  x-axis "s" 0 --> 1\n  line [1, 2, oops]\n')
      ).rejects.toThrow()
    })
  })

  describe('a 1-hour session sampled at 10 Hz', () => {
    const s = sessionInMemory({ kind: 'failed', durationMs: 3_600_000, intervalMs: 100 })
    const md = renderTextReport(s, analysisFor(s), 'md')

    it('has 36,000 samples and still fits a GitHub issue body', () => {
      expect(s.samples.length).toBeGreaterThanOrEqual(36_000)
      expect(md.length).toBeLessThan(GITHUB_BODY_LIMIT)
    })

    it(`draws at most ${MERMAID_MAX_POINTS} points per series, over minutes, and parses`, async () => {
      const blocks = mermaidBlocks(md)
      expect(blocks).toHaveLength(4)
      for (const b of blocks) {
        expect(linePoints(b)).toBe(MERMAID_MAX_POINTS)
        expect(b).toContain('x-axis "elapsed (min)" 0 --> 60')
        await expect(parseMermaid(b)).resolves.toBeTruthy()
      }
    })
  })

  describe('size guard', () => {
    it('stays under the limit when every list in the session is huge', () => {
      const s = sessionInMemory({ kind: 'failed' })
      const long = 'x'.repeat(2000)
      s.meta.parameters = Object.fromEntries(
        Array.from({ length: 500 }, (_, i) => [`param${i}`, long])
      )
      s.meta.command = Array.from({ length: 2000 }, (_, i) => `--flag${i}=${long}`)
      s.events.push(
        ...Array.from({ length: 2000 }, (_, i) => ({
          t: s.meta.startedAt + i,
          type: 'error' as const,
          source: `src${i}`,
          code: `CODE_${i}`,
          message: long
        })),
        ...Array.from({ length: 2000 }, (_, i) => ({
          t: s.meta.startedAt + i,
          type: 'warning' as const,
          message: long
        }))
      )
      const analysis = analysisFor(s, {
        findings: Array.from({ length: 1000 }, () => ({
          severity: 'problem' as const,
          text: long
        })),
        criteria: Array.from({ length: 1000 }, (_, i) => ({
          name: `criterion ${i} ${long}`,
          threshold: long,
          measured: i,
          unit: 'count' as const,
          pass: false,
          reason: long
        }))
      })
      const md = renderTextReport(s, analysis, 'md')
      expect(md.length).toBeLessThan(GITHUB_BODY_LIMIT)
      expect(md.split('\n')[0]).toContain('FAILED')
      expect(md).toContain('## Reproduce')
    })
  })

  describe('mermaidChart', () => {
    it('picks a byte unit that reads well and a y range around the data', () => {
      const b = mermaidChart('RSS', 'bytes', [200 * 1024 * 1024, 260 * 1024 * 1024], 120_000)
      expect(b).toContain('x-axis "elapsed (s)" 0 --> 120')
      expect(b).toContain('y-axis "MiB" 200 --> 260')
      expect(b).toContain('line [200, 260]')
    })
  })
})
