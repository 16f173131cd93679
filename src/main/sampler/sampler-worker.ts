/**
 * Entry of the sampler's worker thread (see ./worker-host.ts): the in-thread loop with a
 * futex sleep, its samples posted to the main thread in batches.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { toErrorData } from '../../shared/errors'
import type { Sample } from '../../shared/sample'
import { startInThread } from './sampler'
import { futexSleeper } from './sleeper'
import { batchDue, type WorkerInput, type WorkerMessage } from './worker-host'

const port = parentPort
if (port === null) throw new Error('sampler-worker runs only as a worker thread')
const { options, flag } = workerData as WorkerInput
const post = (m: WorkerMessage): void => port.postMessage(m)

let batch: Sample[] = []
let lastPost: number | null = null
const flush = (): void => {
  if (batch.length === 0) return
  post({ type: 'samples', samples: batch })
  batch = []
  lastPost = performance.now()
}

const running = startInThread(
  options,
  {
    onSample(s) {
      batch.push(s)
      if (batchDue(lastPost, performance.now(), options.intervalMs)) flush()
    },
    onExit(info) {
      flush()
      post({ type: 'exit', info })
    },
    onError(e) {
      flush()
      post({ type: 'error', error: toErrorData(e) })
    }
  },
  futexSleeper(new Int32Array(flag))
)
void running.done.then((why) => {
  flush()
  post({ type: 'done', why })
})
