const x: number = 1; import { parentPort } from 'node:worker_threads'; parentPort?.postMessage('ok ' + x);
