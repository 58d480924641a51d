/** The B5 reference: `openssl ocsp` as an OCSP server over an `openssl ca` index file. */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

export function makeResponderFiles(dir: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'rkey.pem'),
      '-out',
      join(dir, 'rcert.pem'),
      '-subj',
      '/CN=openssl bench responder',
      '-days',
      '30',
    ],
    { stdio: 'ignore' },
  );
}

export async function startOpensslOcsp(dir: string, port: number, children: number) {
  const proc = spawn(
    'openssl',
    [
      'ocsp',
      '-index',
      join(dir, 'index.txt'),
      '-port',
      String(port),
      '-rsigner',
      join(dir, 'rcert.pem'),
      '-rkey',
      join(dir, 'rkey.pem'),
      '-CA',
      join(dir, 'ca.pem'),
      '-nmin',
      '60',
      '-ignore_err',
      ...(children > 1 ? ['-multi', String(children)] : []),
    ],
    // Not detached: with -multi openssl calls setsid() itself (and fails if it already leads a
    // group), and the daemon it becomes is the PID its "ACCEPT … PID=n" line names.
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = `http://127.0.0.1:${port}`;
  // openssl prints "ACCEPT …" once the index is read and the port is open. A probe connection
  // would not do: a child that reads an empty request spins on it and stops serving.
  const daemon = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      if (seen.length < 4096) seen += chunk.toString();
      const m = /ACCEPT \S+ PID=(\d+)/.exec(seen);
      if (m) resolve(Number(m[1]));
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      if (code !== 0) reject(new Error(`openssl ocsp did not start: ${seen}`));
    });
    setTimeout(() => reject(new Error('openssl ocsp did not start in 60 s')), 60_000).unref();
  });
  // The daemon leads its own process group (setsid) with its children; its SIGTERM handling does
  // not reach them while it waits, so the whole group is killed.
  const stop = async () => {
    try {
      process.kill(-daemon, 'SIGKILL');
    } catch {
      return; // already gone
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(daemon, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { url, stop };
}
