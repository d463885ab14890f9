// The launcher's side of the log forwarder: starts it in the `logs` sidecar
// with `docker exec -i`, hands it its configuration and the session's
// lifecycle events on stdin, appends its output to the host log file, and at
// teardown sends EOF and waits for the final flush and summary.
import type { ForwarderConfigInput } from '../../proxy/log-forwarder/config.js';
import type { DockerEngine, RunningExec } from '../docker/engine.js';
import { HostLogFile } from './host-log-file.js';
import { LOG_DIR, PROXY_UID } from './sidecar-specs.js';

export interface ForwarderSummary {
  records?: number;
  http?: { endpoint: string; delivered: number; dropped: number; failedPosts: number; lastError?: string };
}

const FORWARDER_CMD = ['/usr/bin/node', '/usr/local/lib/containai/log-forwarder.js'];
/** Beyond the HTTP flush deadline, how long teardown waits for the forwarder. */
const EXIT_GRACE_MS = 5_000;

export class LogForwarderSession {
  private summary: ForwarderSummary | undefined;
  private stderr = '';
  private finished: Promise<ForwarderSummary | undefined> | undefined;

  private constructor(
    private readonly run: RunningExec,
    private readonly file: HostLogFile,
    private readonly flushDeadlineMs: number,
  ) {}

  static async start(
    engine: DockerEngine,
    containerId: string,
    opts: { session: string; logFile: string; httpEndpoint: string | undefined },
  ): Promise<LogForwarderSession> {
    // Set once the exec runs; the callbacks below may fire before that.
    const holder: { session?: LogForwarderSession } = {};
    const file = HostLogFile.open(opts.logFile, (record) => {
      if (record.type === 'forwarder' && record.event === 'summary') holder.session?.keepSummary(record);
    });
    const flushDeadlineMs = 5_000;
    const config: ForwarderConfigInput = {
      session: opts.session,
      accessLog: `${LOG_DIR}/access.log`,
      ...(opts.httpEndpoint ? { http: { url: opts.httpEndpoint, flushDeadlineMs } } : {}),
    };
    let run: RunningExec;
    try {
      run = await engine.startExec(
        containerId,
        { cmd: FORWARDER_CMD, user: `${PROXY_UID}:${PROXY_UID}`, workdir: '/' },
        (kind, chunk) => {
          if (kind === 'stdout') file.write(chunk);
          else if (holder.session) holder.session.appendStderr(chunk);
        },
      );
    } catch (err) {
      file.close();
      throw err;
    }
    const session = new LogForwarderSession(run, file, flushDeadlineMs);
    holder.session = session;
    // The file is closed when the forwarder ends, however that happens.
    void run.exitCode.then(
      () => file.close(),
      () => file.close(),
    );
    run.input.write(`${JSON.stringify(config)}\n`);
    return session;
  }

  /** Records a lifecycle event (JSON line on the forwarder's stdin). */
  event(event: string, details: Record<string, unknown> = {}): void {
    if (this.finished) return;
    this.run.input.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...details })}\n`);
  }

  /** Sends EOF, waits for the flush; resolves to the summary (undefined if none came). */
  finish(): Promise<ForwarderSummary | undefined> {
    this.finished ??= (async () => {
      this.run.input.end();
      const timeout = new Promise<'timeout'>((r) =>
        setTimeout(() => r('timeout'), this.flushDeadlineMs + EXIT_GRACE_MS).unref(),
      );
      await Promise.race([this.run.exitCode.catch(() => undefined), timeout]);
      this.file.close();
      return this.summary;
    })();
    return this.finished;
  }

  get forwarderStderr(): string {
    return this.stderr;
  }

  private appendStderr(chunk: Buffer): void {
    this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4096);
  }

  private keepSummary(record: Record<string, unknown>): void {
    this.summary = record as ForwarderSummary;
  }
}
