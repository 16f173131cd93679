import { ProfilerError } from '../../../shared/errors'
import { defineCommand } from '../command'

// Placeholder: replaced by the module that implements `report`.
export default defineCommand({
  name: 'report',
  summary: '(not built yet)',
  options: [],
  async run() {
    throw new ProfilerError('INTERNAL', 'report is not built yet')
  }
})
