// Who launched a session, in a form gc can check later: `bootid:pid:starttime`.
// A PID alone is reused; with the kernel's boot ID and the process start time
// (clock ticks since boot, /proc/PID/stat field 22) it names one process ever.
import { readFileSync } from 'node:fs';

export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown-boot';
  }
}

/** Start time of a process in clock ticks since boot, or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall
  } catch {
    return undefined;
  }
}

export function launcherIdentity(pid: number = process.pid): string {
  return `${bootId()}:${pid}:${processStartTime(pid) ?? '0'}`;
}

/**
 * Whether the process named by a `launcherIdentity()` is still running. A
 * malformed value counts as dead (gc may clean up); a value from another
 * boot is dead (every process of that boot is gone).
 */
export function launcherAlive(identity: string | undefined): boolean {
  const match = /^([0-9a-f-]+|unknown-boot):(\d+):(\d+)$/.exec(identity ?? '');
  if (!match) return false;
  const [, boot, pid, start] = match;
  if (boot !== bootId()) return false;
  return processStartTime(Number(pid)) === start;
}
