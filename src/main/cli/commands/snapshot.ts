import { ProfilerError } from '../../../shared/errors'
import { defineCommand } from '../command'

// Placeholder: replaced by the module that implements `snapshot`.
export default defineCommand({
  name: 'snapshot',
  summary: '(not built yet)',
  options: [],
  async run() {
    throw new ProfilerError('INTERNAL', 'snapshot is not built yet')
  }
})
