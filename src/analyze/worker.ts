import { parentPort } from 'worker_threads';
import { UnitTask, runUnit } from './unit';

/**
 * The worker thread of `analyze --jobs N` (analyze/parallel.ts starts it from the built
 * dist/analyze/worker.js): runs the units it is sent, one at a time, and answers each with its
 * partial result; progress (bytes, lines of the unit so far) when asked for.
 */

export type ToWorker = { type: 'unit'; id: number; task: UnitTask; progress: boolean };
export type FromWorker =
  | { type: 'progress'; id: number; bytes: number; lines: number }
  | { type: 'done'; id: number; result: Awaited<ReturnType<typeof runUnit>> }
  | { type: 'failed'; id: number; error: string };

const port = parentPort;
if (!port) throw new Error('analyze/worker.js runs as a worker thread of analyze --jobs');

port.on('message', (msg: ToWorker) => {
  const send = (m: FromWorker) => port.postMessage(m);
  const tick = msg.progress ? (bytes: number, lines: number) => send({ type: 'progress', id: msg.id, bytes, lines }) : undefined;
  runUnit(msg.task, tick).then(
    (result) => send({ type: 'done', id: msg.id, result }),
    (err) => send({ type: 'failed', id: msg.id, error: err && err.stack ? String(err.stack) : String(err) }),
  );
});
