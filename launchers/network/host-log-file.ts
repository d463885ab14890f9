// The default log sink: `<state>/logs/<session>.jsonl` on the host, written by
// the launcher from the log forwarder's output, so the file belongs to the
// user and has mode 0600 (in a 0700 directory) whatever uid the container
// runs as, and also with a remote engine. Each line is checked to be one
// JSON object before it is appended.
import { closeSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePaths } from '../../broker/paths.js';

type Env = Readonly<Record<string, string | undefined>>;

export function sessionLogsDir(env: Env): string {
  return join(resolvePaths(env).state, 'logs');
}

/** The session name is [a-z0-9-] (launchers/session/names.ts), so it is a safe file name. */
export function sessionLogPath(logsDir: string, session: string): string {
  return join(logsDir, `${session}.jsonl`);
}

export class HostLogFile {
  private partial = '';
  private fd: number | undefined;
  /** Lines that were not a JSON object (never expected; counted, not written). */
  rejected = 0;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly onRecord: (record: Record<string, unknown>) => void,
  ) {
    this.fd = fd;
  }

  static open(path: string, onRecord: (record: Record<string, unknown>) => void = () => {}): HostLogFile {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    const fd = openSync(path, 'a', 0o600);
    fchmodSync(fd, 0o600);
    return new HostLogFile(path, fd, onRecord);
  }

  /** Appends a chunk of the forwarder's output (any split). */
  write(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.writeLine(line);
  }

  close(): void {
    if (this.partial) this.writeLine(this.partial);
    this.partial = '';
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private writeLine(line: string): void {
    if (line.trim() === '' || this.fd === undefined) return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      record = undefined;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      this.rejected++;
      return;
    }
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.onRecord(record as Record<string, unknown>);
  }
}
