import type { CommandSpec } from '../command'
import analyze from './analyze'
import probe from './probe'
import sample from './sample'
import sim from './sim'
import snapshot from './snapshot'
import targets from './targets'
import ui from './ui'

/** Every command of the CLI, in the order `--help` lists them. */
export const commands: CommandSpec[] = [targets, probe, sample, snapshot, analyze, sim, ui]
