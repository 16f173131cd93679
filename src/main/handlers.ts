/** The engine's implementation of every API call, shared by both transports. */
import type { Target } from '../shared/api'
import type { ApiHandlers } from './api'
import { PROFILER_VERSION as VERSION } from './version'

export interface HandlerDeps {
  transport: 'electron' | 'web'
  // TODO(#3): wired to target/discovery once it lands in this session.
  discoverTargets?: (options: { all: boolean }) => Promise<Target[]>
}

export function createHandlers(deps: HandlerDeps): ApiHandlers {
  return {
    'app:info': async () => ({
      version: VERSION,
      transport: deps.transport,
      platform: process.platform
    }),
    'targets:list': async (req) =>
      deps.discoverTargets ? deps.discoverTargets({ all: req.all ?? false }) : []
  }
}
