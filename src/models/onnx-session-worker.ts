/**
 * A worker thread holding a second onnxruntime session of a transformer (src/models/onnx-runner.ts
 * {@link SessionLane}): `session.run` blocks the thread that calls it, so a model runs two batches
 * at once only with a session on another thread. It opens the session it is started with, then
 * runs each batch it is sent, in order, and sends back the fetched outputs (their buffers moved,
 * not copied) or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { openSession, ortTensors, plainTensors } from './onnx-runner.js';
import type { LaneReply, LaneRequest, LaneStart } from './onnx-runner.js';
import { finishOnRequest, threadError } from '../worker-threads.js';

const port = parentPort;
if (port === null) throw new Error('onnx-session-worker: not started as a worker thread');
const start = workerData as LaneStart;

let session: ort.InferenceSession;
try {
  session = await openSession(start.onnxPath, start.threads, start.prepackWeights);
  port.postMessage({ ready: true } satisfies LaneReply);
} catch (error) {
  port.postMessage({ ready: false, error: threadError(error) } satisfies LaneReply);
  throw error;
}

finishOnRequest(
  port,
  (request: LaneRequest) => {
    void (async () => {
      let reply: LaneReply;
      const moved: ArrayBuffer[] = [];
      try {
        const outputs = plainTensors(await session.run(ortTensors(request.feeds), [...start.fetches]));
        for (const { data } of Object.values(outputs)) if (data.buffer instanceof ArrayBuffer && !moved.includes(data.buffer)) moved.push(data.buffer);
        reply = { id: request.id, outputs };
      } catch (error) {
        reply = { id: request.id, error: threadError(error) };
      }
      port.postMessage(reply, moved);
    })();
  },
  () => session.release(),
);
