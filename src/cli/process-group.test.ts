import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { processGroupAlive, signalProcessGroup } from './process-group.js';

const hasPython = spawnSync('python3', ['--version']).status === 0;

/**
 * A parent in a process group of its own whose child moves to a group of its own and exits at
 * once; the parent never reaps it, so it stays a zombie. Prints the zombie's pid, then sleeps.
 */
const ZOMBIE_MAKER = `
import os, sys, time
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    os._exit(0)
time.sleep(0.3)
print(pid, flush=True)
time.sleep(60)
`;

describe('processGroupAlive', () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) {
      if (child.pid !== undefined) signalProcessGroup(child.pid, 'SIGKILL');
    }
  });

  it('is true while a member runs, false once the group is gone', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {
      detached: true,
      stdio: 'ignore',
    });
    started.push(child);
    const pgid = child.pid as number;
    expect(processGroupAlive(pgid)).toBe(true);
    signalProcessGroup(pgid, 'SIGTERM');
    await once(child, 'exit');
    expect(processGroupAlive(pgid)).toBe(false);
    // Signalling a group that is gone is no error.
    expect(() => signalProcessGroup(pgid, 'SIGTERM')).not.toThrow();
  });

  it.skipIf(!hasPython || process.platform !== 'linux')(
    'does not count a zombie that kill() still finds (Linux, python3)',
    async () => {
      const maker = spawn('python3', ['-c', ZOMBIE_MAKER], {
        detached: true,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      started.push(maker);
      const [line] = (await once(maker.stdout!, 'data')) as [Buffer];
      const zombie = Number(line.toString().trim());
      // The kernel still knows the group: its only member has exited but is not reaped.
      expect(() => process.kill(-zombie, 0)).not.toThrow();
      expect(processGroupAlive(zombie)).toBe(false);
      expect(processGroupAlive(maker.pid as number)).toBe(true);
    },
  );
});
