/** The writer thread's side (see writer-thread.ts): writes each batch it is sent with `writeRecords`. */
import { parentPort, workerData } from 'node:worker_threads';
import { openRemoteStore } from '../store/open-store.js';
import { writeRecords } from '../store/write-records.js';
import {
  carriedError,
  type WriterThreadCommand,
  type WriterThreadInput,
  type WriterThreadReport,
} from './writer-thread.js';

const port = parentPort;
if (port === null) throw new Error('writer-thread-worker runs only as a worker thread');
const input = workerData as WriterThreadInput;
const report = (message: WriterThreadReport) => port.postMessage(message);
const store = openRemoteStore(input.remote, {
  poolSize: input.poolSize,
  onConnectionError: (error) => report({ kind: 'connection-error', error: carriedError(error) }),
});

port.on('message', async (command: WriterThreadCommand) => {
  if (command.kind === 'write') {
    try {
      await writeRecords(store.db, command.interceptions);
      report({ kind: 'written', id: command.id });
    } catch (error) {
      report({ kind: 'failed', id: command.id, error: carriedError(error) });
    }
    return;
  }
  // Close: the recorder has drained, so no write is in flight.
  await store.close();
  report({ kind: 'closed' });
  port.close();
});
