/** One engine per task hub: a pid lock file. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class HubLockedError extends Error {
  constructor(
    readonly hubDir: string,
    readonly pid: number,
  ) {
    super(`The task hub ${hubDir} is in use by another runtime process (pid ${pid}); stop it first.`);
    this.name = 'HubLockedError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One engine per task hub: `<hubDir>/host.lock` holds the owner's pid (stale locks are taken over). */
export function acquireHubLock(hubDir: string): () => void {
  const file = path.join(hubDir, 'host.lock');
  const token = `${process.pid}:${randomBytes(6).toString('hex')}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, token, { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === token) fs.rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((fs.readFileSync(file, 'utf8').split(':')[0] ?? '').trim());
      if (Number.isInteger(owner) && owner > 0 && pidAlive(owner)) throw new HubLockedError(hubDir, owner);
      fs.rmSync(file, { force: true });
    }
  }
  throw new HubLockedError(hubDir, -1);
}
