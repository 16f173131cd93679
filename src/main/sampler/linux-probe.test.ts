import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { LinuxProbe } from './linux-probe'
import { startSampler } from './sampler'
import { parseStatus } from './proc-status'

const isLinux = process.platform === 'linux'
const PLAN_ALL = { rollup: true, sockets: true }

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

describe.runIf(isLinux)('sampler/linux-probe', () => {
  describe('LinuxProbe', () => {
    it('reads this process: memory as in status, threads, fds, rollup and CPU time', async () => {
      const probe = new LinuxProbe(process.pid)
      await probe.open()
      const r = (await probe.read(PLAN_ALL))!
      const status = parseStatus(readFileSync('/proc/self/status', 'utf8'))
      await probe.close()
      expect(r.memory.threads).toBeGreaterThan(1)
      expect(r.memory.fds).toBeGreaterThan(2)
      expect(r.memory.stackBytes).toBe(status.vmStkBytes)
      // RSS moves a little between two reads of a running process.
      expect(Math.abs(r.memory.rssBytes! - status.vmRssBytes!)).toBeLessThan(
        0.05 * status.vmRssBytes!
      )
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
