/**
 * Ground truth (issue 3, "How this is checked"): a C process nobody here controls the
 * numbers of allocates heap, maps a file, opens connections and burns CPU on command; the
 * sampler's deltas must match what it did: heap and mapped-file deltas within 3%, RSS
 * within 2% of VmRSS read at the same moment, socket counts exact, CPU within ±10 points.
 * The machine is 2 noisy cores, so CPU is compared with the helper's own measured CPU time
 * (what it actually got), not with its nominal duty.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sample } from '../../src/shared/sample'
import { startSampler } from '../../src/main/sampler/sampler'
import type { RunningSampler } from '../../src/main/sampler/types'
import { parseStatus } from '../../src/main/sampler/proc-status'
import {
  compileGroundTruth,
  startGroundTruth,
  type GroundTruthProcess
} from '../helpers/ground-truth'

const MIB = 1024 * 1024
const HEAP_MIB = 64
const FILE_MIB = 32
const OUT_CONNECTIONS = 5
const IN_CONNECTIONS = 3
const INTERVAL_MS = 200

/** A sample with VmRSS read by the test right when the sample arrived. */
interface Observed {
  sample: Sample
  vmRssBytes: number
  /** No helper command ran between the previous sample and this one: RSS was not moving. */
  quiet: boolean
}

describe.runIf(process.platform === 'linux')('sampler ground truth', () => {
  let dir = ''
  let helper: GroundTruthProcess
  let sampler: RunningSampler
  const observed: Observed[] = []
  const waiters: { after: number; resolve: (o: Observed) => void }[] = []
  let listener: Server
  const peers: Socket[] = []
  // Commands started so far, and whether one is running: a sample read while the helper
  // allocates cannot be compared with a VmRSS read a moment later.
  let commands = 0
  let running = 0
  let commandsAtLastSample = 0
  const send = async (command: string, timeoutMs?: number): Promise<string> => {
    commands++
    running++
    try {
      return await helper.send(command, timeoutMs)
    } finally {
      running--
    }
  }

  /** The first sample whose read started after now (t is the tick it was taken at). */
  function nextSample(): Promise<Observed> {
    const after = Date.now()
    return new Promise((resolve) => waiters.push({ after, resolve }))
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kp-ground-truth-'))
    helper = await startGroundTruth(compileGroundTruth(dir))
    // The helper's connections end when it closes them or exits: a reset then is expected,
    // not an error of the test.
    listener = createServer((s) => {
      s.on('error', () => undefined)
      peers.push(s)
    })
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r))
    sampler = startSampler(
      {
        pid: helper.pid,
        port: helper.port,
        intervalMs: INTERVAL_MS,
        // Sockets at every sample, whatever they cost: the test compares right after each act.
        socketIntervalMs: 0,
        readBudget: 0
      },
      {
        onSample(sample) {
          const status = parseStatus(readFileSync(`/proc/${helper.pid}/status`, 'utf8'))
          const quiet = running === 0 && commands === commandsAtLastSample
          commandsAtLastSample = commands
          const o = { sample, vmRssBytes: status.vmRssBytes!, quiet }
          observed.push(o)
          for (let i = waiters.length - 1; i >= 0; i--) {
            if (sample.t > waiters[i]!.after) waiters.splice(i, 1)[0]!.resolve(o)
          }
        }
      }
    )
  })

  afterAll(async () => {
    await sampler?.stop()
    await helper?.stop()
    peers.forEach((p) => p.destroy())
    await new Promise((r) => listener?.close(r))
    rmSync(dir, { recursive: true, force: true })
  })

  it('sees a heap allocation in heapBytes within 3%', async () => {
    const before = await nextSample()
    await send(`heap ${HEAP_MIB}`)
    const after = await nextSample()
    const delta = after.sample.heapBytes - before.sample.heapBytes
    expect(Math.abs(delta - HEAP_MIB * MIB) / (HEAP_MIB * MIB)).toBeLessThan(0.03)
  })

  it('sees a mapped and read file in fileMappedBytes within 3%', async () => {
    const file = join(dir, 'data.bin')
    writeFileSync(file, Buffer.alloc(FILE_MIB * MIB, 0xa5))
    const before = await nextSample()
    await send(`file ${file}`)
    const after = await nextSample()
    const delta = after.sample.fileMappedBytes - before.sample.fileMappedBytes
    expect(Math.abs(delta - FILE_MIB * MIB) / (FILE_MIB * MIB)).toBeLessThan(0.03)
  })

  it('counts outbound and inbound TCP connections exactly, and their closing', async () => {
    const before = await nextSample()
    await send(`connect ${(listener.address() as { port: number }).port} ${OUT_CONNECTIONS}`)
    const clients = await Promise.all(
      Array.from(
        { length: IN_CONNECTIONS },
        () =>
          new Promise<Socket>((resolve) => {
            const c = connect(helper.port, '127.0.0.1', () => resolve(c))
            c.on('error', () => undefined)
          })
      )
    )
    await send(`accept ${IN_CONNECTIONS}`)
    const open = await nextSample()
    expect(open.sample.tcpConnections - before.sample.tcpConnections).toBe(
      OUT_CONNECTIONS + IN_CONNECTIONS
    )
    expect(open.sample.portConnections! - before.sample.portConnections!).toBe(IN_CONNECTIONS)
    expect(open.sample.socketsAt).toBe(open.sample.t)

    await send('close')
    const closed = await nextSample()
    expect(closed.sample.tcpConnections).toBe(before.sample.tcpConnections)
    expect(closed.sample.portConnections).toBe(before.sample.portConnections)
    clients.forEach((c) => c.destroy())
  })

  it('measures CPU within ±10 points of what the helper burned', async () => {
    const start = Date.now()
    const answer = await send('burn 50 3000', 20_000)
    const end = Date.now()
    const [cpuMs, wallMs] = answer.split(' ').map(Number) as [number, number]
    const burned = (cpuMs / wallMs) * 100
    // Samples whose whole interval lies inside the burn (each covers [t - interval, t]).
    const inside = observed
      .map((o) => o.sample)
      .filter((s) => s.t - INTERVAL_MS >= start + 50 && s.t <= end - 50 && s.cpuPercent !== null)
    expect(inside.length).toBeGreaterThanOrEqual(8)
    const measured = inside.reduce((sum, s) => sum + s.cpuPercent!, 0) / inside.length
    expect(Math.abs(measured - burned)).toBeLessThanOrEqual(10)
    // And the split is sane: a busy loop is user time.
    const user = inside.reduce((sum, s) => sum + s.cpuUserPercent!, 0) / inside.length
    expect(user).toBeGreaterThan(measured * 0.8)
  })

  it('reports RSS within 2% of VmRSS read at the same moment, in every quiet sample', async () => {
    // A dozen samples with the helper idle, besides those taken between earlier commands.
    for (let i = 0; i < 12; i++) await nextSample()
    const quiet = observed.filter((o) => o.quiet)
    expect(quiet.length).toBeGreaterThan(10)
    for (const o of quiet) {
      expect(Math.abs(o.sample.rssBytes - o.vmRssBytes) / o.vmRssBytes).toBeLessThan(0.02)
    }
  })
})
