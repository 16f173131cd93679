import type { CommandSpec } from '../command'
import analyze from './analyze'
import bench from './bench'
import compare from './compare'
import probe from './probe'
import report from './report'
import run from './run'
import sample from './sample'
import sim from './sim'
import snapshot from './snapshot'
import targets from './targets'
import ui from './ui'

/** Every command of the CLI, in the order `--help` lists them (DESIGN.md's table). */
export const commands: CommandSpec[] = [
  targets,
  probe,
  sample,
  snapshot,
  run,
  analyze,
  report,
  bench,
  compare,
  sim,
  ui
]
