// Brings the stub's MCP audit lines to the host: `mcp-stub audit-follow`
// runs as containai-stub in a `docker exec` whose stdout the launcher appends
// to the session's log file (<state>/logs/<session>.jsonl, the file the squid
// profile's log forwarder also writes). Works the same in both profiles.
// At teardown, EOF on its stdin makes the stub stop every server first, so
// their stop lines arrive before the file is closed.
import { ContainaiError } from '../../broker/errors.js';
import type { DockerEngine, RunningExec } from '../docker/engine.js';
import { HostLogFile } from '../network/host-log-file.js';

const FINISH_TIMEOUT_MS = 8_000;

export class AuditCollector {
  private finished: Promise<void> | undefined;

  private constructor(
    private readonly run: RunningExec,
    private readonly file: HostLogFile,
  ) {}

  static async start(
    engine: DockerEngine,
    containerId: string,
    opts: { user: string; logFile: string },
  ): Promise<AuditCollector> {
    const file = HostLogFile.open(opts.logFile);
    let stderr = '';
    let run: RunningExec;
    try {
      run = await engine.startExec(
        containerId,
        { cmd: ['mcp-stub', 'audit-follow'], user: opts.user, workdir: '/' },
        (kind, chunk) => {
          if (kind === 'stdout') file.write(chunk);
          else stderr = (stderr + chunk.toString('utf8')).slice(-2048);
        },
      );
    } catch (err) {
      file.close();
      throw err;
    }
    // A follower that exits at once found no audit socket: fail closed.
    const early = await Promise.race([
      run.exitCode.then((code) => code),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 300)),
    ]);
    if (early !== undefined) {
      file.close();
      throw new ContainaiError(
        'SESSION_SETUP_FAILED',
        `the MCP audit stream did not start: ${stderr.trim()}`,
        {
          actions: ['rebuild the images: containai images build'],
        },
      );
    }
    return new AuditCollector(run, file);
  }

  finish(): Promise<void> {
    this.finished ??= (async () => {
      this.run.input.end();
      const timeout = new Promise<void>((r) => setTimeout(r, FINISH_TIMEOUT_MS).unref());
      await Promise.race([
        this.run.exitCode.then(
          () => undefined,
          () => undefined,
        ),
        timeout,
      ]);
      this.file.close();
    })();
    return this.finished;
  }
}
