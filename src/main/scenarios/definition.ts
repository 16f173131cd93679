/** The shape of one scenario: what it needs, how long it plans to take, its steps, its criteria. */
import type { WorkloadNeeds } from '../workload/users'
import type { ScenarioContext } from './context'
import type { Params } from './params'
import type { ScenarioDefinitionBase } from './record'

export interface ScenarioDefinition extends ScenarioDefinitionBase {
  /** Cross-parameter checks (throw ProfilerError BAD_INPUT). */
  validate?(params: Params): void
  /** Workload size at its peak, for spreading over workload users. */
  needs(params: Params): WorkloadNeeds
  /** Planned length after setup (progress 'total'); the ramp may end earlier. */
  plannedMs(params: Params): number
  run(ctx: ScenarioContext): Promise<void>
}
