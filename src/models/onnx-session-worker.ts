/**
 * A worker thread holding a second onnxruntime session of a transformer (src/models/onnx-runner.ts
 * {@link SessionLane}): `session.run` blocks the thread that calls it, so a model runs two batches
 * at once only with a session on another thread. It opens the session it is started with, then
 * runs each batch it is sent, in order, and sends back the fetched outputs (their buffers moved,
 * not copied) or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { openSession } from './onnx-runner.js';
import type { LaneReply, LaneRequest, LaneStart, PlainTensor } from './onnx-runner.js';

const port = parentPort;
if (port === null) throw new Error('onnx-session-worker: not started as a worker thread');
const start = workerData as LaneStart;

const failure = (error: unknown): { name: string; message: string } => {
  const cause = error instanceof Error ? error : new Error(String(error));
  return { name: cause.name, message: cause.message };
};

let session: ort.InferenceSession;
try {
  session = await openSession(start.onnxPath, start.threads, start.prepackWeights);
  port.postMessage({ ready: true } satisfies LaneReply);
} catch (error) {
  port.postMessage({ ready: false, error: failure(error) } satisfies LaneReply);
  throw error;
}

port.on('message', (request: LaneRequest) => {
  void (async () => {
    let reply: LaneReply;
    const moved: ArrayBuffer[] = [];
    try {
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, { type, data, dims }] of Object.entries(request.feeds)) feeds[name] = new ort.Tensor(type as ort.Tensor.Type, data as ort.Tensor.DataType, dims);
      const outputs = await session.run(feeds, [...start.fetches]);
      const plain: Record<string, PlainTensor> = {};
      for (const name of start.fetches) {
        const tensor = outputs[name];
        if (tensor === undefined) continue;
        const data = tensor.data as ArrayBufferView;
        plain[name] = { type: tensor.type, data, dims: tensor.dims };
        if (data.buffer instanceof ArrayBuffer && !moved.includes(data.buffer)) moved.push(data.buffer);
      }
      reply = { id: request.id, outputs: plain };
    } catch (error) {
      reply = { id: request.id, error: failure(error) };
    }
    port.postMessage(reply, moved);
  })();
});
