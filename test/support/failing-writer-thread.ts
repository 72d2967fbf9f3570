/** A writer thread that ends, exit code 1, at the first batch it is sent (writer-thread.db.test.ts). */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => process.exit(1));
