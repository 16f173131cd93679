import { ProfilerError } from '../../../shared/errors'
import { defineCommand } from '../command'

// Placeholder: replaced by the module that implements `run`.
export default defineCommand({
  name: 'run',
  summary: '(not built yet)',
  options: [],
  async run() {
    throw new ProfilerError('INTERNAL', 'run is not built yet')
  }
})
