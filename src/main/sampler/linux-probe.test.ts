import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { LinuxProbe } from './linux-probe'
import { startSampler } from './sampler'
import { parseStatus } from './proc-status'

const isLinux = process.platform === 'linux'
const PLAN_ALL = { status: true, rollup: true, sockets: true }

/** One past the largest pid the kernel hands out: never a process. */
function unusedPid(): number {
  return Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim())
}

const cleanup: (() => void)[] = []
afterEach(() => {
  while (cleanup.length) cleanup.pop()!()
})

function spawnSleeper(args = ['30']): ChildProcess {
  const child = spawn('sleep', args, { stdio: 'ignore' })
  cleanup.push(() => child.kill('SIGKILL'))
  return child
}

function fixture(name: string): string {
  return readFileSync(new URL(`../../../test/fixtures/proc/${name}`, import.meta.url), 'utf8')
}

/**
 * A fake /proc/PID built from the captured fixtures: fd/ holds symlinks whose targets are
 * the captured links (readlink returns them as the kernel's would).
 */
function fakeProc(options: {
  links: string[]
  tcp6: 'fixture' | 'unreadable'
  /** net/sockstat6's text; absent: no such file. */
  sockstat6?: string
}): string {
  const root = mkdtempSync(join(tmpdir(), 'kp-fake-proc-'))
  cleanup.push(() => rmSync(root, { recursive: true, force: true }))
  const dir = join(root, '77')
  mkdirSync(join(dir, 'fd'), { recursive: true })
  mkdirSync(join(dir, 'net'))
  writeFileSync(join(dir, 'status'), fixture('status-node.txt'))
  writeFileSync(join(dir, 'stat'), fixture('stat-node.txt'))
  writeFileSync(join(dir, 'statm'), fixture('statm-node.txt'))
  writeFileSync(join(dir, 'smaps_rollup'), fixture('smaps_rollup-node.txt'))
  writeFileSync(join(dir, 'net', 'tcp'), fixture('net-tcp.txt'))
  // A directory cannot be read as a file: proof that the probe did not try.
  if (options.tcp6 === 'fixture') writeFileSync(join(dir, 'net', 'tcp6'), fixture('net-tcp6.txt'))
  else mkdirSync(join(dir, 'net', 'tcp6'))
  if (options.sockstat6 !== undefined) {
    writeFileSync(join(dir, 'net', 'sockstat6'), options.sockstat6)
  }
  options.links.forEach((link, i) => symlinkSync(link, join(dir, 'fd', String(i))))
  return root
}

const CAPTURED_LINKS = fixture('fd-links.txt')
  .split('\n')
  .filter(Boolean)
  .map((l) => l.slice(l.indexOf(' ') + 1))
const CAPTURED_PORT = Number(fixture('server-port.txt').trim())

describe.runIf(isLinux)('sampler/linux-probe', () => {
  describe('LinuxProbe on captured /proc texts', () => {
    it('finds IPv4, IPv6 and IPv4-mapped connections across tcp and tcp6', async () => {
      const probe = new LinuxProbe(
        77,
        CAPTURED_PORT,
        fakeProc({ links: CAPTURED_LINKS, tcp6: 'fixture' })
      )
      await probe.open()
      const r = (await probe.read(PLAN_ALL))!
      await probe.close()
      expect(r.sockets).toEqual({ tcpConnections: 6, portConnections: 3 })
      // From statm (pages of 4 KiB): resident = VmRSS, resident − shared = RssAnon, shared −
      // RssShmem = RssFile, as status says them in kB.
      expect(r.memory).toMatchObject({
        rssBytes: 40372 * 1024,
        heapBytes: 6328 * 1024,
        fileMappedBytes: 34044 * 1024,
        stackBytes: 132 * 1024,
        threads: 7
      })
      expect(r.rollup).toEqual({ pssBytes: 22411 * 1024, ussBytes: (4 + 6328) * 1024 })
    })

    it('does not read tcp6 when every socket was found in tcp', async () => {
      // Only the two IPv4 client sockets of the capture, plus non-sockets.
      const links = ['/dev/null', 'pipe:[19314]', 'socket:[19322]', 'socket:[19326]']
      const probe = new LinuxProbe(77, CAPTURED_PORT, fakeProc({ links, tcp6: 'unreadable' }))
      await probe.open()
      const r = (await probe.read(PLAN_ALL))!
      await probe.close()
      expect(r.sockets).toEqual({ tcpConnections: 2, portConnections: 0 })
    })

    it('skips tcp6 when sockstat6 says the namespace has no TCPv6 socket', async () => {
      // IPv4 sockets plus a unix one (never in a TCP table): without sockstat6 the unix
      // socket would send the probe on to the unreadable tcp6.
      const links = ['socket:[19322]', 'socket:[19326]', 'socket:[999999]']
      const sockstat6 = 'TCP6: inuse 0\nUDP6: inuse 0\nUDPLITE6: inuse 0\nRAW6: inuse 0\n'
      const probe = new LinuxProbe(
        77,
        CAPTURED_PORT,
        fakeProc({ links, tcp6: 'unreadable', sockstat6 })
      )
      await probe.open()
      const r = (await probe.read(PLAN_ALL))!
      await probe.close()
      expect(r.sockets).toEqual({ tcpConnections: 2, portConnections: 0 })
    })

    it('reads tcp6 when sockstat6 counts TCPv6 sockets or cannot be parsed', async () => {
      for (const sockstat6 of ['TCP6: inuse 3\nUDP6: inuse 0\n', 'garbage\n']) {
        const probe = new LinuxProbe(
          77,
          CAPTURED_PORT,
          fakeProc({ links: CAPTURED_LINKS, tcp6: 'fixture', sockstat6 })
        )
        await probe.open()
        const r = (await probe.read(PLAN_ALL))!
        await probe.close()
        expect(r.sockets).toEqual({ tcpConnections: 6, portConnections: 3 })
      }
    })

    it('reads statm every time and status only when planned, repeating its figures', async () => {
      const root = fakeProc({ links: [], tcp6: 'unreadable' })
      const probe = new LinuxProbe(77, null, root)
      await probe.open()
      const cheap = { status: false, rollup: false, sockets: false }
      const first = (await probe.read(cheap))!
      // The process grows by 100 pages of heap and its stack by 4 KiB.
      writeFileSync(join(root, '77', 'statm'), '182159 10193 8511 6802 0 12284 0\n')
      writeFileSync(
        join(root, '77', 'status'),
        fixture('status-node.txt').replace(/VmStk:\s+132 kB/, 'VmStk:\t     136 kB')
      )
      const skipped = (await probe.read(cheap))!
      const planned = (await probe.read({ ...cheap, status: true }))!
      await probe.close()
      expect(skipped.memory.rssBytes! - first.memory.rssBytes!).toBe(100 * 4096)
      expect(skipped.memory.heapBytes! - first.memory.heapBytes!).toBe(100 * 4096)
      expect(skipped.memory.stackBytes).toBe(132 * 1024)
      expect(planned.memory.stackBytes).toBe(136 * 1024)
    })

    it('reads no table at all for a process without sockets', async () => {
      const probe = new LinuxProbe(77, null, fakeProc({ links: ['/dev/null'], tcp6: 'unreadable' }))
      await probe.open()
      expect((await probe.read(PLAN_ALL))!.sockets).toEqual({
        tcpConnections: 0,
        portConnections: null
      })
      await probe.close()
    })
  })

  describe('LinuxProbe', () => {
    it('reads this process: memory as in status, threads, fds, rollup and CPU time', async () => {
      const probe = new LinuxProbe(process.pid)
      await probe.open()
      const before = parseStatus(readFileSync('/proc/self/status', 'utf8'))
      const r = (await probe.read(PLAN_ALL))!
      const status = parseStatus(readFileSync('/proc/self/status', 'utf8'))
      await probe.close()
      expect(r.memory.threads).toBeGreaterThan(1)
      expect(r.memory.fds).toBeGreaterThan(2)
      expect(r.memory.stackBytes).toBe(status.vmStkBytes)
      // RSS moves while this process runs (the rollup read allocates, a GC may run): the
      // probe's VmRSS lies between what status said just before and just after it.
      const lo = Math.min(before.vmRssBytes!, status.vmRssBytes!)
      const hi = Math.max(before.vmRssBytes!, status.vmRssBytes!)
      expect(r.memory.rssBytes!).toBeGreaterThanOrEqual(lo * 0.99)
      expect(r.memory.rssBytes!).toBeLessThanOrEqual(hi * 1.01)
      expect(r.rollup!.pssBytes).toBeGreaterThan(0)
      expect(r.rollup!.ussBytes).toBeGreaterThan(0)
      expect(r.cpuTimeMs!.user).toBeGreaterThan(0)
    })

    it('counts its own established connections, inbound on the port apart', async () => {
      const server: Server = createServer((s) => cleanup.push(() => s.destroy()))
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      cleanup.push(() => server.close())
      const port = (server.address() as { port: number }).port
      const clients: Socket[] = []
      for (let i = 0; i < 3; i++) {
        const c = connect(port, '127.0.0.1')
        await new Promise<void>((r) => c.once('connect', () => r()))
        clients.push(c)
        cleanup.push(() => c.destroy())
      }
      // Wait until the server side accepted all three (the kernel did long before).
      while (((await new Promise((r) => server.getConnections((_e, n) => r(n)))) as number) < 3) {
        await new Promise((r) => setTimeout(r, 5))
      }
      const probe = new LinuxProbe(process.pid, port)
      await probe.open()
      const r = (await probe.read(PLAN_ALL))!
      await probe.close()
      // Vitest's own worker sockets count too; ours are 3 out + 3 in, and only 3 are inbound.
      expect(r.sockets!.portConnections).toBe(3)
      expect(r.sockets!.tcpConnections).toBeGreaterThanOrEqual(6)
    })

    it('says PID_NOT_FOUND for a pid that does not exist', async () => {
      await expect(new LinuxProbe(unusedPid()).open()).rejects.toMatchObject({
        code: 'PID_NOT_FOUND',
        message: `no process with pid ${unusedPid()}`
      })
    })

    it('says TARGET_EXITED for a zombie', async () => {
      // sh forks a short sleep, then becomes a long one that never reaps it.
      const parent = spawn('sh', ['-c', 'sleep 0.05 & exec sleep 30'], { stdio: 'ignore' })
      cleanup.push(() => parent.kill('SIGKILL'))
      let zombie = 0
      for (let i = 0; i < 200 && zombie === 0; i++) {
        await new Promise((r) => setTimeout(r, 20))
        const kids = readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8')
        const pid = Number(kids.trim().split(' ')[0])
        if (pid > 0 && /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) {
          zombie = pid
        }
      }
      expect(zombie).toBeGreaterThan(0)
      await expect(new LinuxProbe(zombie).open()).rejects.toMatchObject({
        code: 'TARGET_EXITED'
      })
    })

    it('returns null once the process is gone, and isGone says so', async () => {
      const child = spawnSleeper()
      const probe = new LinuxProbe(child.pid!)
      await probe.open()
      expect(await probe.read(PLAN_ALL)).not.toBeNull()
      expect(await probe.isGone()).toBe(false)
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGKILL')
      await exited
      expect(await probe.read(PLAN_ALL)).toBeNull()
      expect(await probe.isGone()).toBe(true)
      await probe.close()
    })
  })

  describe('startSampler on a real process', () => {
    it('samples a child, then reports its exit and stops', async () => {
      const child = spawnSleeper()
      const samples: number[] = []
      let exit: { pid: number; t: number } | null = null
      const s = startSampler(
        { pid: child.pid!, intervalMs: 100 },
        {
          onSample: (x) => {
            samples.push(x.rssBytes)
            if (samples.length === 3) child.kill('SIGKILL')
          },
          onExit: (e) => (exit = e)
        }
      )
      expect(await s.done).toBe('exited')
      expect(samples.length).toBeGreaterThanOrEqual(3)
      expect(samples.every((b) => b > 0)).toBe(true)
      expect(exit).toMatchObject({ pid: child.pid })
    })
  })
})
