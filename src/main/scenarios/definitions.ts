/** Every scenario definition by id. */
import type { ScenarioId } from '../../shared/run'
import type { ScenarioDefinition } from './definition'
import { memoryStability } from './defs/t220-memory-stability'
import { writersAndListeners } from './defs/t221-writers-and-listeners'
import { cpuUnderLoad } from './defs/t222-cpu-under-load'
import { wsConnectionLeak } from './defs/t223-ws-connection-leak'
import { memoryRelease } from './defs/t224-memory-release'
import { queryLatency } from './defs/t225-query-latency'
import { flushUnderLoad } from './defs/t226-flush-under-load'
import { actorStability } from './defs/t227-actor-stability'
import { gracefulDegradation } from './defs/t228-graceful-degradation'

export const DEFINITIONS: Record<ScenarioId, ScenarioDefinition> = {
  'memory-stability': memoryStability,
  'writers-and-listeners': writersAndListeners,
  'cpu-under-load': cpuUnderLoad,
  'ws-connection-leak': wsConnectionLeak,
  'memory-release': memoryRelease,
  'query-latency': queryLatency,
  'flush-under-load': flushUnderLoad,
  'actor-stability': actorStability,
  'graceful-degradation': gracefulDegradation
}
