import { readdirSync, readFileSync } from 'node:fs';

/**
 * Whether process group `pgid` still has a living member. A member that has exited but has
 * not been reaped yet (a zombie: an orphan waits for an init process, which may reap late) is
 * not alive, though `kill(-pgid, 0)` still finds it: on Linux `/proc` tells the two apart;
 * elsewhere every member the kernel still knows counts.
 */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    // EPERM: a member exists that this process may not signal.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  return livingMemberInProc(pgid) ?? true;
}

/** Sends `signal` to every process of group `pgid`; a group that is gone already is no error. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ESRCH' && code !== 'EPERM') throw error;
  }
}

/** Whether `/proc` lists a member of `pgid` that is not a zombie; undefined without `/proc`. */
function livingMemberInProc(pgid: number): boolean | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  let readable = false;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    readable = true;
    // "pid (comm) state ppid pgrp ...", where comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return readable ? false : undefined;
}
