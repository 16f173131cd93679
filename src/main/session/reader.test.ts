import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import type { SessionData } from '../../shared/session'
import { listSessionDirs, readSession } from './reader'
import { SessionWriter } from './writer'

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kp-reader-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const sampleLine = (t: number): string =>
  JSON.stringify({ t, pid: 7, rssBytes: 1000 + t, heapBytes: 500, fileMappedBytes: 500 })

describe('session', () => {
  describe('readSession', () => {
    it('reads a minimal directory: session.json with the contract fields and samples.ndjson', async () => {
      const dir = tempDir()
      writeFileSync(
        join(dir, 'session.json'),
        JSON.stringify({ scenario: 'sample', target: { pid: 7 }, startedAt: 5, extra: 'kept' })
      )
      writeFileSync(join(dir, 'samples.ndjson'), `${sampleLine(1)}\n${sampleLine(2)}\n`)
      const s = await readSession(dir)
      expect(s.samples.map((x) => x.t)).toEqual([1, 2])
      expect(s.events).toEqual([])
      expect(s.latency).toBeNull()
      expect(s.verdicts).toBeNull()
      expect(s.meta).toMatchObject({ scenario: 'sample', target: { pid: 7 }, extra: 'kept' })
      // No status and no writer: it cannot have finished cleanly.
      expect(s.meta.status).toBe('interrupted')
    })

    it('keeps every whole line of a session torn by a crash and counts the torn one', async () => {
      const dir = tempDir()
      const w = new SessionWriter(dir, {
        scenario: 'memory-stability',
        target: { pid: 7 },
        startedAt: 0
      })
      w.flush()
      appendFileSync(join(dir, 'samples.ndjson'), `${sampleLine(1)}\n${sampleLine(2).slice(0, 20)}`)
      appendFileSync(join(dir, 'events.ndjson'), '{"t":1,"type":"phase","phase":"load"}\n')
      // Pretend the writer died: a pid that cannot exist.
      writeFileSync(
        join(dir, 'session.json'),
        JSON.stringify({
          scenario: 'memory-stability',
          target: { pid: 7 },
          startedAt: 0,
          status: 'running',
          writerPid: 2 ** 22 + 1
        })
      )
      const s = await readSession(dir)
      expect(s.samples).toHaveLength(1)
      expect(s.skippedLines).toBe(1)
      expect(s.events).toEqual([{ t: 1, type: 'phase', phase: 'load' }])
      expect(s.meta.status).toBe('interrupted')
      w.finish('interrupted')
    })

    it('reads gzipped samples and events, as kept for large sessions and attached to issues', async () => {
      const dir = tempDir()
      writeFileSync(
        join(dir, 'session.json'),
        JSON.stringify({ scenario: 'sample', target: { pid: 7 }, startedAt: 0 })
      )
      writeFileSync(
        join(dir, 'samples.ndjson.gz'),
        gzipSync(`${sampleLine(1)}\n${sampleLine(2)}\n${sampleLine(3)}\n`)
      )
      writeFileSync(
        join(dir, 'events.ndjson.gz'),
        gzipSync('{"t":1,"type":"phase","phase":"load"}\n')
      )
      const s = await readSession(dir)
      expect(s.samples.map((x) => x.t)).toEqual([1, 2, 3])
      expect(s.events).toEqual([{ t: 1, type: 'phase', phase: 'load' }])
      expect(s.skippedLines).toBe(0)
    })

    it('prefers the plain file when both it and a gzipped one exist', async () => {
      const dir = tempDir()
      writeFileSync(
        join(dir, 'session.json'),
        JSON.stringify({ scenario: 'sample', target: { pid: 7 }, startedAt: 0 })
      )
      writeFileSync(join(dir, 'samples.ndjson'), `${sampleLine(10)}\n`)
      writeFileSync(join(dir, 'samples.ndjson.gz'), gzipSync(`${sampleLine(1)}\n`))
      writeFileSync(join(dir, 'events.ndjson'), '{"t":10,"type":"phase","phase":"idle"}\n')
      writeFileSync(
        join(dir, 'events.ndjson.gz'),
        gzipSync('{"t":1,"type":"phase","phase":"load"}\n')
      )
      const s = await readSession(dir)
      expect(s.samples.map((x) => x.t)).toEqual([10])
      expect(s.events).toEqual([{ t: 10, type: 'phase', phase: 'idle' }])
    })

    it('keeps the whole lines of a gzipped file cut short and counts the torn one', async () => {
      const dir = tempDir()
      writeFileSync(
        join(dir, 'session.json'),
        JSON.stringify({ scenario: 'sample', target: { pid: 7 }, startedAt: 0 })
      )
      // A gzip stream without its end (no final block, no trailer), as a crash leaves it.
      const lines = Array.from({ length: 200 }, (_, i) => sampleLine(i + 1)).join('\n')
      const whole = gzipSync(`${lines}\n`)
      writeFileSync(join(dir, 'samples.ndjson.gz'), whole.subarray(0, whole.length >> 1))
      const s = await readSession(dir)
      expect(s.samples.length).toBeGreaterThan(20)
      expect(s.samples.length).toBeLessThan(200)
      expect(s.samples.map((x) => x.t)).toEqual(s.samples.map((_, i) => i + 1))
      expect(s.skippedLines).toBe(1)
    })

    it('reads the minimal session.json a person writes: scenario, pid, start', async () => {
      const dir = tempDir()
      writeFileSync(join(dir, 'samples.ndjson'), `${sampleLine(5000)}\n${sampleLine(6000)}\n`)
      const read = async (meta: object): Promise<SessionData['meta']> => {
        writeFileSync(join(dir, 'session.json'), JSON.stringify(meta))
        return (await readSession(dir)).meta
      }
      expect(await read({ scenario: 'sample', pid: 42, start: 1000 })).toMatchObject({
        scenario: 'sample',
        target: { pid: 42 },
        startedAt: 1000,
        endedAt: null,
        status: 'interrupted'
      })
      const iso = '2026-12-07T12:00:00.000Z'
      expect(await read({ scenario: 'x', pid: 42, startedAt: iso, endedAt: iso })).toMatchObject({
        target: { pid: 42 },
        startedAt: Date.parse(iso),
        endedAt: Date.parse(iso)
      })
      // target.pid wins over a top-level pid; no start at all is the first sample's time.
      expect(await read({ scenario: 'x', pid: 1, target: { pid: 2, url: 'u' } })).toMatchObject({
        target: { pid: 2, url: 'u' },
        startedAt: 5000
      })
      expect((await read({ scenario: 'x' })).target).toEqual({ pid: null })
    })

    it('reports a live run as running', async () => {
      const dir = tempDir()
      const w = new SessionWriter(dir, { scenario: 'sample', target: { pid: 7 }, startedAt: 0 })
      expect((await readSession(dir)).meta.status).toBe('running')
      w.finish('completed')
      expect((await readSession(dir)).meta.status).toBe('completed')
    })

    it('fails in one line for a folder that is not a session', async () => {
      const dir = tempDir()
      await expect(readSession(dir)).rejects.toMatchObject({
        code: 'SESSION_INVALID',
        message: expect.stringMatching(/session\.json is missing/)
      })
      // Judged before samples.ndjson is looked for: the first thing wrong is the one said.
      writeFileSync(join(dir, 'session.json'), '{not json')
      await expect(readSession(dir)).rejects.toMatchObject({
        code: 'SESSION_INVALID',
        message: expect.stringMatching(/session\.json is not valid JSON/)
      })
      writeFileSync(join(dir, 'samples.ndjson'), '')
      for (const [meta, error] of [
        [[1, 2], /session\.json is not a JSON object/],
        [{ target: { pid: 7 }, startedAt: 0 }, /session\.json lacks scenario/],
        [{ scenario: '', pid: 7, startedAt: 0 }, /session\.json lacks scenario/],
        [{ scenario: 'x', pid: 7, startedAt: 'yesterday' }, /startedAt is not a time/],
        [{ scenario: 'x', pid: 7, start: true }, /start is not a time/]
      ] as const) {
        writeFileSync(join(dir, 'session.json'), JSON.stringify(meta))
        await expect(readSession(dir)).rejects.toMatchObject({
          code: 'SESSION_INVALID',
          message: expect.stringMatching(error)
        })
      }
      writeFileSync(
        join(dir, 'session.json'),
        JSON.stringify({ scenario: 'x', target: { pid: 7 }, startedAt: 0 })
      )
      rmSync(join(dir, 'samples.ndjson'))
      await expect(readSession(dir)).rejects.toThrow(/samples\.ndjson is missing/)
      writeFileSync(join(dir, 'samples.ndjson.gz'), 'not gzip')
      await expect(readSession(dir)).rejects.toMatchObject({
        code: 'SESSION_INVALID',
        message: expect.stringMatching(/cannot read .*samples\.ndjson\.gz/)
      })
    })

    it('names a session inside a folder of them, as `run all --out` writes', async () => {
      const root = tempDir()
      const started = { 'memory-stability': 1, 'writers-and-listeners': 2 }
      for (const [name, startedAt] of Object.entries(started)) {
        const w = new SessionWriter(join(root, name), {
          scenario: name,
          target: { pid: 7 },
          startedAt
        })
        w.finish('passed')
      }
      // The first scenario the run started, not whichever readdir lists first.
      await expect(readSession(root)).rejects.toMatchObject({
        code: 'SESSION_INVALID',
        message: `${root} is not a session directory but a folder of 2 sessions: name one, e.g. ${join(root, 'memory-stability')}`
      })
      rmSync(join(root, 'memory-stability'), { recursive: true })
      await expect(readSession(root)).rejects.toThrow(
        `a folder of one session: name one, e.g. ${join(root, 'writers-and-listeners')}`
      )
    })

    it('reads snapshots, latency and verdicts when present', async () => {
      const dir = tempDir()
      const w = new SessionWriter(dir, { scenario: 'sample', target: { pid: 7 }, startedAt: 0 })
      w.writeSnapshot('after load', { pid: 7 })
      w.writeLatency({ schemaVersion: 1, unit: 'us', operations: {} })
      w.writeVerdicts([{ name: 'x', threshold: '< 1', measured: 0, unit: 'count', pass: true }])
      w.finish('passed')
      const s = await readSession(dir)
      expect(s.snapshots).toEqual([
        { name: 'after_load', file: join('snapshots', 'after_load.json'), snapshot: { pid: 7 } }
      ])
      expect(s.latency?.unit).toBe('us')
      expect(s.verdicts?.[0]?.name).toBe('x')
      expect(s.unreadable).toBeUndefined()
    })

    it('leaves out, by name, what lacks the session format and reads the rest', async () => {
      const dir = tempDir()
      const criterion = { name: 'x', threshold: '< 1', measured: 0, unit: 'count', pass: true }
      writeFileSync(
        join(dir, 'session.json'),
        JSON.stringify({
          scenario: 'sample',
          target: { pid: 7, url: 5 },
          startedAt: 5,
          endedAt: 1e300,
          machine: 'laptop',
          profilerVersion: '0.1.0'
        })
      )
      writeFileSync(
        join(dir, 'samples.ndjson'),
        [
          JSON.stringify({ t: 1, rssBytes: 100, heapBytes: 'x', threads: 1e300, fds: 3 }),
          JSON.stringify({ t: 1e300, rssBytes: 100 }),
          JSON.stringify({ t: 2, rssBytes: 1e300 }),
          JSON.stringify({ t: 3, rssBytes: 101, server: 'x' })
        ].join('\n')
      )
      writeFileSync(
        join(dir, 'events.ndjson'),
        [
          JSON.stringify({ t: 1, type: 'counters', inserts: true }),
          JSON.stringify({ t: 1, type: 'phase', phase: 'load' }),
          JSON.stringify({ t: 2, type: 'from-a-later-version', x: 1 })
        ].join('\n')
      )
      writeFileSync(join(dir, 'latency.json'), JSON.stringify({ insert: 5 }))
      writeFileSync(join(dir, 'verdicts.json'), JSON.stringify([null, criterion, { name: 5 }]))
      const s = await readSession(dir)
      // A sample keeps its time and RSS; a figure that is no number is not measured.
      expect(s.samples).toEqual([
        { t: 1, rssBytes: 100, fds: 3 },
        { t: 3, rssBytes: 101 }
      ])
      expect(s.events.map((e) => e.type)).toEqual(['phase', 'from-a-later-version'])
      expect(s.skippedLines).toBe(3)
      expect(s.latency).toBeNull()
      expect(s.verdicts).toEqual([criterion])
      expect(s.meta.endedAt).toBeNull()
      expect(s.meta.target).toEqual({ pid: 7 })
      expect(s.meta.profilerVersion).toBe('0.1.0')
      expect(s.unreadable).toEqual([
        "session.json's endedAt",
        "session.json's target.url",
        "session.json's machine",
        'latency.json',
        '2 of the 3 criteria in verdicts.json'
      ])
    })

    it('names a verdicts.json that is not a list of criteria, and a torn latency.json', async () => {
      const dir = tempDir()
      writeFileSync(join(dir, 'session.json'), JSON.stringify({ scenario: 'sample', start: 1 }))
      writeFileSync(join(dir, 'samples.ndjson'), sampleLine(1))
      writeFileSync(join(dir, 'verdicts.json'), JSON.stringify({ name: 'x' }))
      // Torn by a crash while it was written.
      writeFileSync(join(dir, 'latency.json'), '{"schemaVersion":1,"unit":"us","oper')
      const s = await readSession(dir)
      expect(s.verdicts).toBeNull()
      expect(s.latency).toBeNull()
      expect(s.unreadable).toEqual(['latency.json', 'verdicts.json'])
    })
  })

  describe('listSessionDirs', () => {
    it('lists session folders newest first and ignores others', async () => {
      const root = tempDir()
      for (const [name, startedAt] of [
        ['a', 1],
        ['b', 3],
        ['c', 2]
      ] as const) {
        mkdirSync(join(root, name))
        writeFileSync(join(root, name, 'session.json'), JSON.stringify({ startedAt }))
      }
      mkdirSync(join(root, 'not-a-session'))
      expect(await listSessionDirs(root)).toEqual(['b', 'c', 'a'].map((n) => join(root, n)))
      expect(await listSessionDirs(join(root, 'missing'))).toEqual([])
    })

    it('lists the sessions of a `run all` folder among the others, but not inside a session', async () => {
      const root = tempDir()
      const write = (dir: string, startedAt: number): void => {
        mkdirSync(dir, { recursive: true })
        writeFileSync(join(dir, 'session.json'), JSON.stringify({ startedAt }))
      }
      write(join(root, 'one'), 2)
      write(join(root, 'all', 'memory-stability'), 1)
      write(join(root, 'all', 'query-latency'), 3)
      // A session's own subfolders and hidden folders are not searched.
      write(join(root, 'one', 'nested'), 4)
      write(join(root, '.trash', 'old'), 5)
      expect(await listSessionDirs(root)).toEqual([
        join(root, 'all', 'query-latency'),
        join(root, 'one'),
        join(root, 'all', 'memory-stability')
      ])
    })
  })
})
