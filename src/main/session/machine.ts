/** The machine a run was recorded on (session.json `machine`), from node:os. */
import { arch, cpus, platform, release, totalmem, type } from 'node:os'
import type { MachineInfo } from '../../shared/session'

export function machineInfo(): MachineInfo {
  const cpuList = cpus()
  const info: MachineInfo = {
    os: `${type()} (${platform()})`,
    kernel: release(),
    arch: arch(),
    cpuCores: cpuList.length,
    totalMemoryBytes: totalmem(),
    nodeVersion: process.version
  }
  const model = cpuList[0]?.model?.trim()
  if (model) info.cpuModel = model
  return info
}
