// The one wrapper around the Docker engine. Everything else in containai talks
// to Docker through this class: it owns the connection (engine-http.ts),
// refuses to create unlabelled objects, and turns engine failures into
// ContainaiErrors. The request and reply types are the Engine API's own
// (from @types/dockerode, used for types only).
import type Dockerode from 'dockerode';
import type { Duplex } from 'node:stream';
import { ContainaiError } from '../../broker/errors.js';
import { DockerFrameSplitter, Utf8Collector, type StreamKind } from './demux.js';
import { parseDockerHost, type DockerEndpoint } from './docker-host.js';
import { EngineHttp, jsonLines } from './engine-http.js';
import {
  MIN_API_VERSION,
  apiTooOld,
  apiVersionAtLeast,
  connectionError,
  engineError,
  statusCodeOf,
  unresponsive,
} from './engine-errors.js';
import { LABEL } from './labels.js';

export interface EngineVersion {
  apiVersion: string;
  engineVersion: string;
}

export interface ExecSpec {
  cmd: string[];
  user: string;
  workdir?: string;
  env?: string[];
  /** Bytes written to the process's stdin, which is then closed. */
  stdin?: Buffer;
}

export type OutputSink = (kind: StreamKind, chunk: Buffer) => void | Promise<void>;

export interface RunningExec {
  /** The command's stdin; end() sends EOF. */
  input: NodeJS.WritableStream;
  exitCode: Promise<number>;
}

export interface CapturedExec {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface LabelledObjects {
  containers: string[];
  volumes: string[];
  networks: string[];
}

const id12 = (id: string): string => id.slice(0, 12);
const enc = encodeURIComponent;

export class DockerEngine {
  private constructor(
    readonly endpoint: DockerEndpoint,
    private readonly api: EngineHttp,
  ) {}

  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env): DockerEngine {
    const endpoint = parseDockerHost(env.DOCKER_HOST, env.DOCKER_TLS_VERIFY);
    return new DockerEngine(endpoint, new EngineHttp(endpoint, env));
  }

  /** Pings the engine and checks its API version; the first call of every command. */
  async checkReady(timeoutMs = 5_000): Promise<EngineVersion> {
    await this.withTimeout(timeoutMs, (signal) => this.api.json('GET', '/_ping', { signal }));
    const v = await this.withTimeout(timeoutMs, (signal) =>
      this.api.json<Dockerode.DockerVersion>('GET', '/version', { signal }),
    );
    const found = { apiVersion: v.ApiVersion, engineVersion: v.Version };
    if (!apiVersionAtLeast(found.apiVersion, MIN_API_VERSION)) {
      throw apiTooOld(this.endpoint.display, found.apiVersion, found.engineVersion);
    }
    return found;
  }

  private async withTimeout<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await call(controller.signal);
    } catch (err) {
      if (controller.signal.aborted) throw unresponsive(this.endpoint.display, err);
      if (statusCodeOf(err) !== undefined)
        throw engineError(`the engine at ${this.endpoint.display} failed`, err);
      throw connectionError(this.endpoint, err);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- images -------------------------------------------------------------

  /** The image's ID, or undefined when the engine has no such image. */
  async imageId(ref: string): Promise<string | undefined> {
    return (await this.inspectImage(ref))?.Id;
  }

  async imageLabels(ref: string): Promise<Record<string, string>> {
    return (await this.inspectImage(ref))?.Config?.Labels ?? {};
  }

  private async inspectImage(ref: string): Promise<Dockerode.ImageInspectInfo | undefined> {
    try {
      return await this.api.json<Dockerode.ImageInspectInfo>('GET', `/images/${enc(ref)}/json`);
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw engineError(`cannot inspect image ${ref}`, err);
    }
  }

  /**
   * Builds from a tar stream (the build context). `onProgress` gets each line
   * the builder prints. Resolves to the image ID; rejects with the builder's
   * own error text when a step fails.
   */
  async buildImage(
    context: NodeJS.ReadableStream,
    opts: { tag: string; buildArgs: Record<string, string>; labels: Record<string, string> },
    onProgress: (line: string) => void,
  ): Promise<string> {
    let failure: string | undefined;
    try {
      const stream = await this.api.stream('POST', '/build', {
        query: { t: opts.tag, buildargs: opts.buildArgs, labels: opts.labels, rm: true, forcerm: true },
        body: context,
        contentType: 'application/x-tar',
      });
      for await (const event of jsonLines(stream)) {
        const text = (event.stream ?? event.status ?? event.error) as string | undefined;
        if (text) for (const line of text.split('\n')) if (line.trim()) onProgress(line);
        if (typeof event.error === 'string') failure = event.error;
      }
    } catch (err) {
      throw engineError(`build of ${opts.tag} failed`, err);
    }
    if (failure) {
      throw new ContainaiError('IMAGE_BUILD_FAILED', `build of ${opts.tag} failed: ${failure.trim()}`, {
        causes: [
          'a package mirror is unreachable from containers',
          'a Dockerfile step failed (see output above)',
        ],
        actions: ['rerun: containai images build', 'check the mirror in /etc/apt/sources.list(.d)'],
      });
    }
    const id = await this.imageId(opts.tag);
    if (!id) throw new ContainaiError('IMAGE_BUILD_FAILED', `build of ${opts.tag} produced no image`);
    return id;
  }

  /** Tries to pull; false (never a throw) when no registry is reachable. */
  async tryPull(ref: string, timeoutMs: number): Promise<boolean> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const stream = await this.api.stream('POST', '/images/create', {
        query: { fromImage: ref },
        signal: controller.signal,
      });
      for await (const event of jsonLines(stream)) if (event.error) return false;
      return (await this.imageId(ref)) !== undefined;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async removeImage(ref: string): Promise<void> {
    await this.ignoreMissing(
      `image ${ref}`,
      this.api.json('DELETE', `/images/${enc(ref)}`, { query: { force: true } }),
    );
  }

  // ---- containers ---------------------------------------------------------

  async createContainer(opts: Dockerode.ContainerCreateOptions): Promise<string> {
    requireSessionLabel(opts.Labels, `container ${opts.name ?? ''}`);
    const { name, ...body } = opts;
    try {
      return (await this.api.json<{ Id: string }>('POST', '/containers/create', { query: { name }, body }))
        .Id;
    } catch (err) {
      throw engineError(`cannot create container ${name ?? ''}`, err);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.api.json('POST', `/containers/${enc(id)}/start`);
    } catch (err) {
      throw engineError(`cannot start container ${id12(id)}`, err);
    }
  }

  async inspectContainer(id: string): Promise<Dockerode.ContainerInspectInfo> {
    try {
      return await this.api.json<Dockerode.ContainerInspectInfo>('GET', `/containers/${enc(id)}/json`);
    } catch (err) {
      throw engineError(`cannot inspect container ${id12(id)}`, err);
    }
  }

  async inspectExec(execId: string): Promise<Dockerode.ExecInspectInfo> {
    try {
      return await this.api.json<Dockerode.ExecInspectInfo>('GET', `/exec/${enc(execId)}/json`);
    } catch (err) {
      throw engineError(`cannot inspect exec ${id12(execId)}`, err);
    }
  }

  /** Waits for the container's main process to exit; resolves to its status. */
  async waitContainer(id: string): Promise<number> {
    try {
      return (await this.api.json<{ StatusCode: number }>('POST', `/containers/${enc(id)}/wait`)).StatusCode;
    } catch (err) {
      throw engineError(`cannot wait for container ${id12(id)}`, err);
    }
  }

  /** Force-removes a container with its anonymous volumes; a missing one is fine. */
  async removeContainer(id: string): Promise<void> {
    try {
      await this.api.json('DELETE', `/containers/${enc(id)}`, { query: { force: true, v: true } });
    } catch (err) {
      const status = statusCodeOf(err);
      if (status === 404) return; // already gone
      // 409: a removal is already in progress elsewhere (a signal handler,
      // gc). Wait for it, so the caller can rely on the container being gone.
      if (status === 409 && (await this.waitUntilGone(id))) return;
      throw engineError(`cannot remove container ${id12(id)}`, err);
    }
  }

  private async waitUntilGone(id: string, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        await this.api.json('GET', `/containers/${enc(id)}/json`);
      } catch (err) {
        if (statusCodeOf(err) === 404) return true;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  /**
   * Runs a command in a running container, streaming its demultiplexed output
   * to `sink` as raw bytes. Resolves to the command's exit code.
   */
  async exec(containerId: string, spec: ExecSpec, sink: OutputSink): Promise<number> {
    const { execId, stream } = await this.openExec(containerId, spec, spec.stdin !== undefined);
    const done = drain(stream, sink);
    // Half-close after the payload: the process sees EOF on stdin.
    if (spec.stdin !== undefined) stream.end(spec.stdin);
    await done;
    return this.exitCodeOf(execId);
  }

  /**
   * Starts a command whose stdin stays open: the caller writes to `input`
   * and ends it to send EOF. `exitCode` settles once the command has exited
   * and its output has been handed to `sink`.
   */
  async startExec(
    containerId: string,
    spec: Omit<ExecSpec, 'stdin'>,
    sink: OutputSink,
  ): Promise<RunningExec> {
    const { execId, stream } = await this.openExec(containerId, spec, true);
    return { input: stream, exitCode: drain(stream, sink).then(() => this.exitCodeOf(execId)) };
  }

  private async openExec(
    containerId: string,
    spec: Omit<ExecSpec, 'stdin'>,
    withStdin: boolean,
  ): Promise<{ execId: string; stream: Duplex }> {
    try {
      const { Id } = await this.api.json<{ Id: string }>('POST', `/containers/${enc(containerId)}/exec`, {
        body: {
          Cmd: spec.cmd,
          User: spec.user,
          WorkingDir: spec.workdir,
          Env: spec.env,
          AttachStdin: withStdin,
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
        },
      });
      const stream = await this.api.hijack(`/exec/${enc(Id)}/start`, { Detach: false, Tty: false });
      return { execId: Id, stream };
    } catch (err) {
      throw engineError(`cannot run ${spec.cmd[0] ?? 'a command'} in container ${id12(containerId)}`, err);
    }
  }

  /** The exec's exit code; the engine may report Running briefly after the stream ends. */
  private async exitCodeOf(execId: string): Promise<number> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const info = await this.inspectExec(execId);
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new ContainaiError('DOCKER_ERROR', 'the engine never reported the exit code of a finished command');
  }

  /** Runs a command and collects its output as (lossily decoded) UTF-8 text. */
  async execCapture(containerId: string, spec: ExecSpec): Promise<CapturedExec> {
    const out = new Utf8Collector();
    const err = new Utf8Collector();
    const exitCode = await this.exec(containerId, spec, (kind, chunk) =>
      (kind === 'stdout' ? out : err).push(chunk),
    );
    return { exitCode, stdout: out.text(), stderr: err.text() };
  }

  /**
   * An interactive exec on a terminal (`docker exec -it`): one raw stream
   * (Tty: true, no demultiplexing) joined to `io`, the terminal put in raw
   * mode while it runs, and the exec's window resized on SIGWINCH.
   * Resolves to the command's exit code once its output has ended.
   */
  async execTty(
    containerId: string,
    spec: Omit<ExecSpec, 'stdin'>,
    io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream },
  ): Promise<number> {
    let execId: string;
    let stream: Duplex;
    try {
      ({ Id: execId } = await this.api.json<{ Id: string }>('POST', `/containers/${enc(containerId)}/exec`, {
        body: {
          Cmd: spec.cmd,
          User: spec.user,
          WorkingDir: spec.workdir,
          Env: spec.env,
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: true,
        },
      }));
      stream = await this.api.hijack(`/exec/${enc(execId)}/start`, { Detach: false, Tty: true });
    } catch (err) {
      throw engineError(`cannot run ${spec.cmd[0] ?? 'a command'} in container ${id12(containerId)}`, err);
    }
    const resize = (): void => {
      const { columns, rows } = io.stdout;
      if (!columns || !rows) return;
      void this.api
        .json('POST', `/exec/${enc(execId)}/resize`, { query: { h: rows, w: columns } })
        .catch(() => undefined); // the exec may have just ended
    };
    const raw = io.stdin.isTTY === true;
    if (raw) io.stdin.setRawMode(true);
    io.stdin.resume();
    io.stdin.pipe(stream);
    process.on('SIGWINCH', resize);
    resize();
    try {
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => io.stdout.write(chunk));
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
    } finally {
      process.off('SIGWINCH', resize);
      io.stdin.unpipe(stream);
      if (raw) io.stdin.setRawMode(false);
      io.stdin.pause();
    }
    return this.exitCodeOf(execId);
  }

  // ---- volumes and networks ---------------------------------------------

  /** `driverOpts`: options of the local driver, e.g. a tmpfs volume owned by a given uid. */
  async createVolume(
    name: string,
    labels: Record<string, string>,
    driverOpts?: Record<string, string>,
  ): Promise<void> {
    requireSessionLabel(labels, `volume ${name}`);
    try {
      await this.api.json('POST', '/volumes/create', {
        body: {
          Name: name,
          Labels: labels,
          ...(driverOpts ? { Driver: 'local', DriverOpts: driverOpts } : {}),
        },
      });
    } catch (err) {
      throw engineError(`cannot create volume ${name}`, err);
    }
  }

  async removeVolume(name: string): Promise<void> {
    await this.ignoreMissing(
      `volume ${name}`,
      this.api.json('DELETE', `/volumes/${enc(name)}`, { query: { force: true } }),
    );
  }

  async createNetwork(opts: Dockerode.NetworkCreateOptions): Promise<string> {
    requireSessionLabel(opts.Labels, `network ${opts.Name}`);
    try {
      return (
        await this.api.json<{ Id: string }>('POST', '/networks/create', {
          body: { CheckDuplicate: true, ...opts },
        })
      ).Id;
    } catch (err) {
      throw engineError(`cannot create network ${opts.Name}`, err);
    }
  }

  /** Attaches a created (or running) container to a further network. */
  async connectNetwork(network: string, containerId: string, aliases: string[] = []): Promise<void> {
    try {
      await this.api.json('POST', `/networks/${enc(network)}/connect`, {
        body: { Container: containerId, EndpointConfig: { Aliases: aliases } },
      });
    } catch (err) {
      throw engineError(`cannot connect container ${id12(containerId)} to network ${network}`, err);
    }
  }

  /** The network's inspect data, or undefined when there is no such network. */
  async inspectNetwork(network: string): Promise<Dockerode.NetworkInspectInfo | undefined> {
    try {
      return await this.api.json<Dockerode.NetworkInspectInfo>('GET', `/networks/${enc(network)}`);
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw engineError(`cannot inspect network ${network}`, err);
    }
  }

  /** Removes one network; a missing one is fine. */
  async removeNetwork(network: string): Promise<void> {
    await this.ignoreMissing(`network ${network}`, this.api.json('DELETE', `/networks/${enc(network)}`));
  }

  // ---- finding and removing by label --------------------------------------

  async listContainers(labelFilters: string[]): Promise<Dockerode.ContainerInfo[]> {
    try {
      return await this.api.json<Dockerode.ContainerInfo[]>('GET', '/containers/json', {
        query: { all: true, filters: { label: labelFilters } },
      });
    } catch (err) {
      throw engineError('cannot list containers', err);
    }
  }

  async findLabelled(labelFilters: string[]): Promise<LabelledObjects> {
    const query = { filters: { label: labelFilters } };
    try {
      const [containers, volumes, networks] = await Promise.all([
        this.listContainers(labelFilters),
        this.api.json<{ Volumes: Array<{ Name: string }> | null }>('GET', '/volumes', { query }),
        this.api.json<Array<{ Id: string }>>('GET', '/networks', { query }),
      ]);
      return {
        containers: containers.map((c) => c.Id),
        volumes: (volumes.Volumes ?? []).map((v) => v.Name),
        networks: networks.map((n) => n.Id),
      };
    } catch (err) {
      throw err instanceof ContainaiError ? err : engineError('cannot list labelled objects', err);
    }
  }

  /**
   * Removes every container, then network and volume, matching the label
   * filters. Idempotent: objects already gone are not an error. Containers
   * go first because networks and volumes in use cannot be removed.
   */
  async removeLabelled(labelFilters: string[]): Promise<LabelledObjects> {
    const found = await this.findLabelled(labelFilters);
    await Promise.all(found.containers.map((id) => this.removeContainer(id)));
    await Promise.all([
      ...found.networks.map((id) => this.removeNetwork(id)),
      ...found.volumes.map((name) => this.removeVolume(name)),
    ]);
    return found;
  }

  private async ignoreMissing(what: string, op: Promise<unknown>): Promise<void> {
    try {
      await op;
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw engineError(`cannot remove ${what}`, err);
    }
  }

  /** Engine events matching the filters, until `signal` aborts. */
  async *events(
    filters: Record<string, string[]>,
    signal: AbortSignal,
  ): AsyncGenerator<Record<string, unknown>> {
    try {
      const stream = await this.api.stream('GET', '/events', { query: { filters }, signal });
      yield* jsonLines(stream);
    } catch (err) {
      if (!signal.aborted) throw engineError('the engine event stream failed', err);
    }
  }
}

function requireSessionLabel(labels: Record<string, string> | undefined, what: string): void {
  if (!labels?.[LABEL.session]) {
    // A programming error, not a user error: unlabelled objects leak.
    throw new ContainaiError('INTERNAL', `refusing to create ${what} without a ${LABEL.session} label`);
  }
}

/** Demultiplexes an exec's output into `sink` until the stream ends. */
function drain(stream: Duplex, sink: OutputSink): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const splitter = new DockerFrameSplitter(sink);
    stream.pipe(splitter);
    splitter.on('finish', resolve);
    splitter.on('error', reject);
    stream.on('error', reject);
  });
}
