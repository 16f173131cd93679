import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { listSessionDirs, readSession } from '../session/reader'
import { exportFileName, exportSession } from './exporter'
import { SessionStore } from './session-store'

describe('exporter', () => {
  let root: string
  let dir: string
  let sessions: SessionStore
  const engine = {
    analyzeSession: vi.fn(() => ({}) as never),
    renderReport: vi.fn(async (_s: unknown, _a: unknown, format: string) =>
      format === 'pdf' ? new Uint8Array([37, 80, 68, 70]) : `report ${format}`
    )
  }
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kp-exp-'))
    dir = join(root, '2026-11-25T10-00-00-memory-stability')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'session.json'),
      JSON.stringify({
        schemaVersion: 1,
        scenario: 'memory-stability',
        target: { pid: 1 },
        startedAt: 1,
        endedAt: 2,
        status: 'passed'
      })
    )
    writeFileSync(join(dir, 'samples.ndjson'), '')
    sessions = new SessionStore([root], { readSession, listSessionDirs })
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  describe('exportSession', () => {
    it('hands the report to the browser as a download when there is no save dialog', async () => {
      const r = await exportSession({ engine, sessions, secrets: () => ['pw'] }, dir, 'md')
      expect(r).toEqual({
        kind: 'download',
        filename: '2026-11-25T10-00-00-memory-stability.md',
        mimeType: 'text/markdown; charset=utf-8',
        base64: Buffer.from('report md').toString('base64')
      })
      expect(engine.renderReport).toHaveBeenLastCalledWith(
        expect.anything(),
        expect.anything(),
        'md',
        { secrets: ['pw'] }
      )
    })

    it('writes where the dialog says, or nothing when it is cancelled', async () => {
      const out = join(root, 'r.html')
      const saved = await exportSession(
        { engine, sessions, chooseSavePath: async () => out },
        dir,
        'html'
      )
      expect(saved).toEqual({ kind: 'saved', path: out, bytes: 11 })
      expect(readFileSync(out, 'utf8')).toBe('report html')
      engine.renderReport.mockClear()
      expect(
        await exportSession({ engine, sessions, chooseSavePath: async () => null }, dir, 'csv')
      ).toEqual({ kind: 'cancelled' })
      expect(engine.renderReport).not.toHaveBeenCalled()
    })

    it('prints PDF from the HTML report where the front end can print', async () => {
      const printToPdf = vi.fn(
        async (html: string) => new Uint8Array(Buffer.from(`PDF of ${html}`))
      )
      const r = await exportSession({ engine, sessions, printToPdf }, dir, 'pdf')
      expect(printToPdf).toHaveBeenCalledWith('report html')
      expect(engine.renderReport).toHaveBeenLastCalledWith(
        expect.anything(),
        expect.anything(),
        'html',
        { secrets: [], embedData: false }
      )
      expect(r).toMatchObject({ kind: 'download', mimeType: 'application/pdf' })
    })

    it('refuses a directory outside the sessions folders', async () => {
      await expect(exportSession({ engine, sessions }, '/etc', 'md')).rejects.toMatchObject({
        code: 'SESSION_INVALID'
      })
    })
  })

  describe('exportFileName', () => {
    it('names JUnit files .junit.xml so they are not mistaken for other XML', () => {
      expect(exportFileName('/x/s1', 'junit')).toBe('s1.junit.xml')
      expect(exportFileName('/x/s1', 'pdf')).toBe('s1.pdf')
    })
  })
})
