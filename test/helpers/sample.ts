import type { Sample } from '../../src/shared/sample'

/** A sample of a process at `rssBytes`, half of it heap and a quarter file-mapped; no server. */
export function processSample(t: number, rssBytes: number, o: Partial<Sample> = {}): Sample {
  return {
    t,
    pid: 1,
    rssBytes,
    pssBytes: null,
    ussBytes: null,
    heapBytes: rssBytes / 2,
    fileMappedBytes: rssBytes / 4,
    stackBytes: 132_000,
    swapBytes: 0,
    cpuPercent: null,
    cpuUserPercent: null,
    cpuSystemPercent: null,
    threads: 8,
    fds: 20,
    tcpConnections: 0,
    portConnections: null,
    wsConnections: null,
    ...o
  }
}
