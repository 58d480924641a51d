import { Worker } from 'node:worker_threads';
console.log('execArgv', process.execArgv);
const url = new URL('./w.tmp.ts', import.meta.url);
const tries: [string, () => Worker][] = [
 ['execArgv import tsx', () => new Worker(url, { execArgv: [...process.execArgv, '--import', 'tsx'] })],
 ['eval register', () => new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true })],
];
for (const [name, f] of tries) {
  await new Promise<void>((res) => { const w = f(); w.on('message', (m) => { console.log(name, m); w.terminate(); res(); }); w.on('error', (e) => { console.log(name, 'ERR', e.message); res(); }); });
}
