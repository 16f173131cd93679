// @vitest-environment jsdom
// Mermaid's parser needs a DOM (it sanitizes text with DOMPurify); jsdom provides one.
/**
 * The comparison reports held to the session reports' checks (issue 8): every Mermaid block
 * of the Markdown parsed by Mermaid itself (what GitHub renders), and the HTML scanned for
 * anything a browser would fetch.
 */
import { describe, expect, it } from 'vitest'
import type { CompareResult } from '../../shared/compare'
import { externalReferences, mermaidBlocks } from '../../../test/fixtures/report/checks'
import { overlayCharts, type OverlayChart } from './charts'
import { compareBench } from './bench'
import { compareComparables, type Comparable } from './load'
import { renderCompareHtml } from './render-html'
import { renderCompareMarkdown } from './render-markdown'
import { benchResult, session, type SessionSpec } from './testing/factories'

async function parseMermaid(text: string): Promise<unknown> {
  const { default: mermaid } = await import('mermaid')
  return mermaid.parse(text)
}

const sides = (a: SessionSpec, b: SessionSpec): [Comparable, Comparable] => [
  { kind: 'session', path: `a-${a.seed}`, session: session(a) },
  { kind: 'session', path: `b-${b.seed}`, session: session(b) }
]

/** Pairs that shape the charts differently: seconds vs minutes axis, KiB vs MiB, unequal lengths. */
const PAIRS: [string, SessionSpec, SessionSpec][] = [
  ['a leak over a minute', { seed: 1 }, { seed: 2, leakBytesPerSec: 400 * 1024 }],
  [
    'ten minutes (minutes axis, more samples than points)',
    { seed: 3, loadS: 600 },
    { seed: 4, loadS: 600, leakBytesPerSec: 50 * 1024 }
  ],
  [
    'a small process (KiB axis) and B twice as long as A',
    { seed: 5, baseBytes: 4 * 1024 * 1024, noiseBytes: 8 * 1024, loadS: 30 },
    { seed: 6, baseBytes: 4 * 1024 * 1024, noiseBytes: 8 * 1024, loadS: 60 }
  ]
]

describe('compare reports', () => {
  describe('Markdown charts', () => {
    it.each(PAIRS)('parse with Mermaid: %s', async (_name, sa, sb) => {
      const [a, b] = sides(sa, sb)
      const charts = overlayCharts(a, b)
      const md = renderCompareMarkdown(compareComparables(a, b), charts)
      const blocks = mermaidBlocks(md)
      expect(blocks).toHaveLength(charts.length)
      expect(blocks.length).toBeGreaterThan(0)
      for (const block of blocks) {
        const lines = [...block.matchAll(/line \[([^\]]*)\]/g)].map((m) => m[1]!.split(','))
        // A then B, each downsampled to what GitHub draws legibly, all numbers.
        expect(lines).toHaveLength(2)
        for (const values of lines) {
          expect(values.length).toBeLessThanOrEqual(100)
          for (const v of values) expect(Number.isFinite(Number(v)), block).toBe(true)
        }
        await expect(parseMermaid(block)).resolves.toMatchObject({ diagramType: 'xychart' })
      }
    })

    it('parse with a title Mermaid would otherwise end early', async () => {
      const chart: OverlayChart = {
        id: 'rssBytes',
        title: 'RSS "resident": A and B',
        unit: 'bytes',
        series: [
          {
            label: 'A',
            points: [
              [0, 1024 ** 2],
              [1000, 2 * 1024 ** 2]
            ]
          },
          {
            label: 'B',
            points: [
              [0, 1024 ** 2],
              [2000, 3 * 1024 ** 2]
            ]
          }
        ],
        spanMs: 2000
      }
      const r = compareBench(benchResult(1), benchResult(2))
      const blocks = mermaidBlocks(renderCompareMarkdown(r, [chart]))
      expect(blocks).toHaveLength(1)
      await expect(parseMermaid(blocks[0]!)).resolves.toMatchObject({ diagramType: 'xychart' })
    })
  })

  describe('HTML', () => {
    const cases: [string, () => { r: CompareResult; charts: OverlayChart[] }][] = [
      [
        'bench results',
        () => ({
          r: compareBench(benchResult(1), benchResult(2, { medianMs: 21 }), {
            labels: ['https://example.com/a.json', '<b>.json']
          }),
          charts: []
        })
      ],
      [
        'sessions with charts',
        () => {
          const [a, b] = sides({ seed: 1 }, { seed: 2, leakBytesPerSec: 400 * 1024 })
          return { r: compareComparables(a, b), charts: overlayCharts(a, b) }
        }
      ]
    ]

    it.each(cases)('references nothing outside the file: %s', (_name, make) => {
      const { r, charts } = make()
      const html = renderCompareHtml(r, charts)
      expect(html).toContain('<svg')
      expect(externalReferences(html)).toEqual([])
    })
  })
})
