/**
 * A worker thread of the analysis pool (src/pipeline/analysis-pool.ts): runs each task it is sent
 * (src/pipeline/analysis-tasks.ts) and sends back its outcome or its error.
 */
import { parentPort } from 'node:worker_threads';
import { runAnalysisTask, type AnalysisTask } from './analysis-tasks.js';
import type { WorkerReply } from './analysis-pool.js';
import { finishOnRequest, threadError } from '../worker-threads.js';

const port = parentPort;
if (port === null) throw new Error('analysis-worker: not started as a worker thread');
finishOnRequest(port, ({ id, task }: { id: number; task: AnalysisTask }) => {
  let reply: WorkerReply;
  try {
    reply = { id, outcome: runAnalysisTask(task) };
  } catch (error) {
    reply = { id, error: threadError(error) };
  }
  // The outcome's arrays are copied (they are small: coefficients, out-of-fold probabilities, rows).
  port.postMessage(reply);
});
