// The stub writes the bundle only into a private tmpfs: if /run/containai is
// anything else (a disk-backed dir because someone ran a plain image, a dir
// the agent can read), it refuses rather than leave secrets behind.
import { readFileSync, statSync } from 'node:fs';
import { ContainaiError } from '../broker/errors.js';

/** Mount points and filesystem types from /proc/self/mountinfo (octal escapes decoded). */
export function mountTypes(mountinfo: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    const mountPoint = left?.split(' ')[4];
    const fsType = right?.split(' ')[0];
    if (mountPoint && fsType)
      types.set(
        mountPoint.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))),
        fsType,
      );
  }
  return types;
}

export function assertPrivateTmpfs(dir: string, uid: number = process.getuid?.() ?? -1): void {
  const fsType = mountTypes(readFileSync('/proc/self/mountinfo', 'utf8')).get(dir);
  const stat = statSync(dir);
  const problem =
    fsType !== 'tmpfs'
      ? `is ${fsType ? `a ${fsType} mount` : 'not a mount point'}, not a tmpfs`
      : stat.uid !== uid
        ? `is owned by uid ${stat.uid}, not ${uid}`
        : (stat.mode & 0o777) !== 0o700
          ? `has mode ${(stat.mode & 0o777).toString(8)}, not 700`
          : undefined;
  if (problem) {
    throw new ContainaiError('SESSION_SETUP_FAILED', `refusing to install secrets: ${dir} ${problem}`, {
      causes: ['the container was not started by a containai launcher'],
      actions: ['start sessions with run-* or launch-agent'],
    });
  }
}
