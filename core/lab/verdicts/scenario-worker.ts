// Entry point of the worker thread that makes one scenario run (dist/node/scenario-worker.mjs):
// loads the scenario from the catalog, runs it on a fresh host, posts the report and ends. It
// runs beside the session's host thread, never on it, so the user's guests keep running.
import { parentPort, workerData } from 'node:worker_threads';
import { LabError } from '../protocol';
import { prepareCatalogRun } from './scenario-catalog';
import { parseWorkerData, type ScenarioWorkerMessage } from './scenario-worker-messages';

if (!parentPort) throw new Error('scenario-worker must run as a worker thread');
const parent = parentPort;
const post = (message: ScenarioWorkerMessage): void => parent.postMessage(message);

try {
  const data = parseWorkerData(workerData);
  const prepared = prepareCatalogRun(data.id, data.mode, data.defenseOff);
  post({ type: 'loaded', expected: prepared.expected });
  post({ type: 'result', result: await prepared.run() });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  post({ type: 'failed', code: error instanceof LabError ? error.code : 'host-failed', message });
}
