/**
 * Discovery against real processes: small Node children that look like KalamDB from the
 * outside (process.title = 'kalamdb-server', an HTTP port whose /health answers like
 * KalamDB and a silent "Raft" port) or like anything else.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import type { Target } from '../../src/shared/api'
import { TargetSchema } from '../../src/shared/api'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { discover, discoverTargets, findPidListeningOn } from '../../src/main/target/discovery'

/** The child: `node -e CHILD <mode>`; prints its ports as one JSON line once listening. */
const CHILD = `
const http = require('node:http'), net = require('node:net')
const mode = process.argv[1]
if (mode !== 'plain' && mode !== 'unnamed') process.title = 'kalamdb-server'
const body = mode === 'plain'
  ? '{"status":"ok"}'
  : JSON.stringify({ status: 'healthy', version: '0.4.3-test', api_version: 'v1', build_date: 'x' })
const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)))
const api = http.createServer((req, res) => {
  if (req.url === '/health') res.writeHead(200, { 'content-type': 'application/json' }).end(body)
  else res.writeHead(404).end()
})
const raft = net.createServer(() => {})
;(async () => {
  const ports = mode === 'named-silent' ? { raft: await listen(raft) } : { http: await listen(api) }
  if (mode === 'kalamdb') ports.raft = await listen(raft)
  console.log(JSON.stringify(ports))
})()
setInterval(() => {}, 1000)
`

type Mode = 'kalamdb' | 'plain' | 'named-silent' | 'unnamed'

interface Child {
  pid: number
  http?: number
  raft?: number
}

const children: ChildProcess[] = []

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve()
          c.once('exit', () => resolve())
          c.kill('SIGKILL')
        })
    )
  )
})

async function startChild(mode: Mode): Promise<Child> {
  const child = spawn(process.execPath, ['-e', CHILD, mode], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  children.push(child)
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} child did not start`)), 10_000)
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer)
      resolve(l)
    })
    child.once('exit', (code) => reject(new Error(`${mode} child exited with ${code}`)))
  })
  return { pid: child.pid!, ...(JSON.parse(line) as { http?: number; raft?: number }) }
}

/** A port nobody listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

const byPid = (targets: Target[], pid: number): Target | undefined =>
  targets.find((t) => t.pid === pid)

describe('discovery (integration)', () => {
  describe('discoverTargets', () => {
    it('finds a KalamDB server and picks the port whose /health answers', async () => {
      const kalam = await startChild('kalamdb')
      const plain = await startChild('plain')
      const targets = await discoverTargets()
      const t = byPid(targets, kalam.pid)
      expect(t).toEqual({
        pid: kalam.pid,
        name: 'kalamdb-server',
        command: expect.stringContaining('kalamdb-server'),
        listeningPorts: [kalam.http!, kalam.raft!].sort((a, b) => a - b),
        isKalamDb: true,
        httpPort: kalam.http,
        baseUrl: `http://127.0.0.1:${kalam.http}`,
        version: '0.4.3-test',
        rssBytes: expect.any(Number)
      })
      expect(t!.rssBytes).toBeGreaterThan(1024 * 1024)
      expect(() => TargetSchema.parse(t)).not.toThrow()
      // Not KalamDB by name or by health: listed only with --all.
      expect(byPid(targets, plain.pid)).toBeUndefined()
    })

    it('finds a server by its /health answer alone, whatever the process is called', async () => {
      const unnamed = await startChild('unnamed')
      const t = (await discoverTargets()).find((x) => x.pid === unnamed.pid)
      expect(t).toMatchObject({
        name: 'node',
        isKalamDb: true,
        httpPort: unnamed.http,
        baseUrl: `http://127.0.0.1:${unnamed.http}`,
        version: '0.4.3-test'
      })
    })

    it('lists every listening process with all, KalamDB or not', async () => {
      const kalam = await startChild('kalamdb')
      const plain = await startChild('plain')
      const targets = await discoverTargets({ all: true })
      expect(byPid(targets, kalam.pid)?.isKalamDb).toBe(true)
      expect(byPid(targets, plain.pid)).toMatchObject({
        isKalamDb: false,
        httpPort: null,
        baseUrl: null,
        version: null,
        listeningPorts: [plain.http]
      })
      // KalamDB servers come first.
      expect(targets.findIndex((t) => t.pid === kalam.pid)).toBeLessThan(
        targets.findIndex((t) => t.pid === plain.pid)
      )
    })

    it('lists a process named kalamdb-server whose health does not answer, as not verified', async () => {
      const silent = await startChild('named-silent')
      const found = await discover()
      expect(byPid(found.targets, silent.pid)).toMatchObject({
        name: 'kalamdb-server',
        isKalamDb: false,
        httpPort: null,
        listeningPorts: [silent.raft]
      })
    })
  })

  describe('findPidListeningOn', () => {
    it('finds the process holding a listening port, and null for a free port', async () => {
      const kalam = await startChild('kalamdb')
      expect(await findPidListeningOn(kalam.http!)).toBe(kalam.pid)
      expect(await findPidListeningOn(kalam.raft!)).toBe(kalam.pid)
      expect(await findPidListeningOn(await freePort())).toBeNull()
    })
  })

  describe('CLI targets', () => {
    it('prints the targets as JSON with --json', async () => {
      const kalam = await startChild('kalamdb')
      const ctx = memoryContext()
      expect(await runCli(['targets', '--json'], ctx)).toBe(0)
      const targets = (JSON.parse(ctx.out()) as unknown[]).map((t) => TargetSchema.parse(t))
      expect(byPid(targets, kalam.pid)?.httpPort).toBe(kalam.http)
    })

    it('prints an aligned table with units', async () => {
      const kalam = await startChild('kalamdb')
      const ctx = memoryContext()
      expect(await runCli(['targets'], ctx)).toBe(0)
      const lines = ctx.out().split('\n')
      expect(lines[0]).toMatch(/^\s*PID\s+NAME\s+HTTP\s+VERSION\s+RSS\s+PORTS\s+URL\s+COMMAND$/)
      const row = lines.find((l) => l.trimStart().startsWith(`${kalam.pid} `))
      expect(row).toBeDefined()
      expect(row).toContain(`http://127.0.0.1:${kalam.http}`)
      expect(row).toContain('0.4.3-test')
      expect(row).toMatch(/\d+\.\d MiB/)
      // Columns line up: the URL starts at the same place in the header and the row.
      expect(row!.indexOf('http://')).toBe(lines[0]!.indexOf('URL'))
    })

    it('rejects an unknown flag with one line and exit code 2', async () => {
      const ctx = memoryContext()
      expect(await runCli(['targets', '--bogus'], ctx)).toBe(2)
      expect(ctx.err()).toMatch(/^error: unknown option '--bogus'\n/)
    })
  })
})
