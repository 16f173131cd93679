import { describe, expect, it } from 'vitest'
import { analysisFor } from '../../../test/fixtures/report/analysis'
import { sessionInMemory } from '../../../test/fixtures/report/sessions'
import { renderTextReport } from './index'
import { REPORT_KIND, REPORT_SCHEMA_VERSION, type JsonReport } from './json'

describe('report/json', () => {
  describe('renderJson', () => {
    it('holds everything: metadata, samples, events, histograms, snapshots, verdicts, analysis', () => {
      const s = sessionInMemory({ kind: 'failed' })
      const analysis = analysisFor(s)
      const r = JSON.parse(
        renderTextReport(s, analysis, 'json', { now: 1_700_000_000_000 })
      ) as JsonReport
      expect(r.kind).toBe(REPORT_KIND)
      expect(r.schemaVersion).toBe(REPORT_SCHEMA_VERSION)
      expect(r.generatedAt).toBe(1_700_000_000_000)
      expect(r.generator).toEqual({ name: 'kalamdb-profiler', version: expect.any(String) })
      expect(r.session.name).toBe('memory-stability-20250115')
      expect(r.session.meta.scenario).toBe('memory-stability')
      expect(r.samples).toEqual(s.samples)
      expect(r.events).toEqual(s.events)
      expect(r.latency?.operations.insert?.histogram).toMatch(/^HISTF/)
      expect(r.snapshots.map((x) => x.name)).toEqual(['after-load', 'before-load'])
      expect(r.verdicts).toEqual(s.verdicts)
      expect(r.analysis).toEqual(analysis)
    })

    it('writes one line per sample and per event so a long run stays small and greppable', () => {
      const s = sessionInMemory({ kind: 'passed' })
      const text = renderTextReport(s, analysisFor(s), 'json')
      const sampleLines = text
        .split('\n')
        .filter((l) => l.startsWith('    {"t":') && l.includes('"rssBytes"'))
      expect(sampleLines).toHaveLength(s.samples.length)
    })
  })
})
