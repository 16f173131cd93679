import { ProfilerError } from '../../../shared/errors'
import { defineCommand } from '../command'

// Placeholder: replaced by the module that implements `compare`.
export default defineCommand({
  name: 'compare',
  summary: '(not built yet)',
  options: [],
  async run() {
    throw new ProfilerError('INTERNAL', 'compare is not built yet')
  }
})
