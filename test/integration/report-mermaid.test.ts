// @vitest-environment jsdom
/**
 * The Markdown report's charts, from sessions recorded on disk and analysed by the real
 * analysis, parsed by Mermaid itself (the parser GitHub's renderer runs). Mermaid needs a DOM
 * to sanitize text, hence jsdom here; the rest of the report tests run under plain Node.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyzeSession } from '../../src/main/analysis'
import { MERMAID_MAX_POINTS, renderTextReport } from '../../src/main/report'
import { readSession } from '../../src/main/session/reader'
import { mermaidBlocks } from '../fixtures/report/checks'
import { recordSession, type SessionKind } from '../fixtures/report/sessions'

const KINDS: SessionKind[] = ['passed', 'failed', 'target-crashed', 'interrupted']
let root: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kp-report-mermaid-'))
  for (const kind of KINDS) recordSession(join(root, kind), { kind, intervalMs: 500 })
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('report Markdown charts', () => {
  it.each(KINDS)('parse with Mermaid for a %s session', async (kind) => {
    const { default: mermaid } = await import('mermaid')
    const session = await readSession(join(root, kind))
    const md = renderTextReport(session, analyzeSession(session), 'md')
    const blocks = mermaidBlocks(md)
    expect(blocks).toHaveLength(4)
    for (const block of blocks) {
      const points = /line \[([^\]]*)\]/.exec(block)![1]!.split(',').length
      expect(points).toBeLessThanOrEqual(MERMAID_MAX_POINTS)
      await expect(mermaid.parse(block)).resolves.toMatchObject({ diagramType: 'xychart' })
    }
  })
})
