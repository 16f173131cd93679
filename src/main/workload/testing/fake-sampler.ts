/** A sampler for runner tests: samples the fake server's RSS; notices its crash at once. */
import type { Sample } from '../../../shared/sample'
import type { RunningSampler, SamplerHandlers, SamplerOptions } from '../../sampler/types'
import type { FakeKalamServer } from './fake-kalam'

export function fakeSampler(server: FakeKalamServer) {
  return (options: SamplerOptions, handlers: SamplerHandlers): RunningSampler => {
    let resolveDone: (v: 'stopped' | 'exited' | 'error') => void = () => {}
    const done = new Promise<'stopped' | 'exited' | 'error'>((r) => (resolveDone = r))
    const timer = setInterval(() => {
      const t = Date.now()
      if (server.down) {
        clearInterval(timer)
        handlers.onExit?.({ pid: options.pid, t })
        resolveDone('exited')
        return
      }
      const s: Sample = {
        t,
        pid: options.pid,
        rssBytes: server.rssBytes,
        pssBytes: null,
        ussBytes: null,
        heapBytes: server.rssBytes - 10_000_000,
        fileMappedBytes: 10_000_000,
        stackBytes: 132_000,
        swapBytes: 0,
        cpuPercent: 10,
        cpuUserPercent: 8,
        cpuSystemPercent: 2,
        threads: 8,
        fds: 20,
        tcpConnections: 3,
        portConnections: 3,
        wsConnections: null
      }
      handlers.onSample(s)
    }, options.intervalMs)
    return {
      async stop() {
        clearInterval(timer)
        resolveDone('stopped')
      },
      done
    }
  }
}
