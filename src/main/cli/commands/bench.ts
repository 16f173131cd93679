import { ProfilerError } from '../../../shared/errors'
import { defineCommand } from '../command'

// Placeholder: replaced by the module that implements `bench`.
export default defineCommand({
  name: 'bench',
  summary: '(not built yet)',
  options: [],
  async run() {
    throw new ProfilerError('INTERNAL', 'bench is not built yet')
  }
})
