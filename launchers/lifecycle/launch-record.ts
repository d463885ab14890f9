// A small file per launch under the state directory, written before the
// broker is asked for anything and removed by the launcher's own teardown.
// If the launcher is killed (kill -9) at any phase, the record is what lets
// `containai gc` find the broker session and objects it left behind — even
// those created before any labelled object existed.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ContainaiPaths } from '../../broker/paths.js';

export const launchRecordSchema = z.strictObject({
  launchId: z.string().regex(/^[0-9a-f]{16}$/),
  launcher: z.string().max(200),
  mode: z.enum(['ephemeral', 'persistent']),
  /** `launching` until a persistent session is ready; its container labels take over then. */
  phase: z.enum(['launching', 'running']),
  session: z.string().max(80).optional(),
  brokerSessionId: z.string().max(200).optional(),
  brokerSocketDir: z.string().max(4096).optional(),
});

export type LaunchRecord = z.infer<typeof launchRecordSchema>;

export function launchesDir(paths: ContainaiPaths): string {
  return join(paths.state, 'launches');
}

function recordPath(paths: ContainaiPaths, launchId: string): string {
  return join(launchesDir(paths), `${launchId}.json`);
}

/** Writes (or replaces) the record atomically. */
export function writeLaunchRecord(paths: ContainaiPaths, record: LaunchRecord): void {
  const dir = launchesDir(paths);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = recordPath(paths, record.launchId);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(launchRecordSchema.parse(record))}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeLaunchRecord(paths: ContainaiPaths, launchId: string): void {
  rmSync(recordPath(paths, launchId), { force: true });
}

/** Every readable record; unreadable or invalid files are reported as such, never trusted. */
export function readLaunchRecords(paths: ContainaiPaths): { records: LaunchRecord[]; invalid: string[] } {
  const records: LaunchRecord[] = [];
  const invalid: string[] = [];
  let names: string[];
  try {
    names = readdirSync(launchesDir(paths));
  } catch {
    return { records, invalid };
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(launchesDir(paths), name);
    try {
      records.push(launchRecordSchema.parse(JSON.parse(readFileSync(file, 'utf8'))));
    } catch {
      invalid.push(file);
    }
  }
  return { records, invalid };
}
