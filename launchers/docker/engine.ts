// The one wrapper around the Docker engine. Everything else in containai talks
// to Docker through this class: it owns `new Dockerode()`, refuses to create
// unlabelled objects, and turns engine failures into ContainaiErrors.
import Dockerode from 'dockerode';
import type { Duplex } from 'node:stream';
import { ContainaiError } from '../../broker/errors.js';
import { DockerFrameSplitter, Utf8Collector, type StreamKind } from './demux.js';
import { parseDockerHost, type DockerEndpoint } from './docker-host.js';
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

export class DockerEngine {
  private constructor(
    readonly endpoint: DockerEndpoint,
    private readonly docker: Dockerode,
  ) {}

  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env): DockerEngine {
    const endpoint = parseDockerHost(env.DOCKER_HOST, env.DOCKER_TLS_VERIFY);
    const docker =
      endpoint.kind === 'unix'
        ? new Dockerode({ socketPath: endpoint.socketPath })
        : new Dockerode({
            host: endpoint.host,
            port: endpoint.port,
            protocol: endpoint.tls ? 'https' : 'http',
          });
    return new DockerEngine(endpoint, docker);
  }

  /** Pings the engine and checks its API version; the first call of every command. */
  async checkReady(timeoutMs = 5_000): Promise<EngineVersion> {
    // dockerode honours abortSignal on these calls; its typings omit it.
    type Abortable<T> = (opts: { abortSignal: AbortSignal }) => Promise<T>;
    const ping = this.docker.ping.bind(this.docker) as unknown as Abortable<unknown>;
    const version = this.docker.version.bind(this.docker) as unknown as Abortable<Dockerode.DockerVersion>;
    await this.withTimeout(timeoutMs, (signal) => ping({ abortSignal: signal }));
    const v = await this.withTimeout(timeoutMs, (signal) => version({ abortSignal: signal }));
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
      throw connectionError(this.endpoint, err);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- images -------------------------------------------------------------

  /** The image's ID, or undefined when the engine has no such image. */
  async imageId(ref: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(ref).inspect()).Id;
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw engineError(`cannot inspect image ${ref}`, err);
    }
  }

  async imageLabels(ref: string): Promise<Record<string, string>> {
    return (await this.docker.getImage(ref).inspect()).Config?.Labels ?? {};
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
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context, {
        t: opts.tag,
        buildargs: opts.buildArgs,
        labels: opts.labels,
        rm: true,
        forcerm: true,
      });
    } catch (err) {
      throw engineError(`cannot start the build of ${opts.tag}`, err);
    }
    const failure = await new Promise<string | undefined>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null, events: Array<{ error?: string }>) => {
          if (err) return reject(engineError(`build of ${opts.tag} failed`, err));
          resolve(events.find((e) => e.error)?.error);
        },
        (event: { stream?: string; status?: string; error?: string }) => {
          const text = event.stream ?? event.status ?? event.error;
          if (text) for (const line of text.split('\n')) if (line.trim()) onProgress(line);
        },
      );
    });
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
      const stream: NodeJS.ReadableStream = await this.docker.pull(ref, { abortSignal: controller.signal });
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      );
      return (await this.imageId(ref)) !== undefined;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async removeImage(ref: string): Promise<void> {
    try {
      await this.docker.getImage(ref).remove({ force: true });
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw engineError(`cannot remove image ${ref}`, err);
    }
  }

  // ---- containers ---------------------------------------------------------

  async createContainer(opts: Dockerode.ContainerCreateOptions): Promise<string> {
    requireSessionLabel(opts.Labels, `container ${opts.name ?? ''}`);
    try {
      return (await this.docker.createContainer(opts)).id;
    } catch (err) {
      throw engineError(`cannot create container ${opts.name ?? ''}`, err);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      throw engineError(`cannot start container ${id.slice(0, 12)}`, err);
    }
  }

  async inspectContainer(id: string): Promise<Dockerode.ContainerInspectInfo> {
    try {
      return await this.docker.getContainer(id).inspect();
    } catch (err) {
      throw engineError(`cannot inspect container ${id.slice(0, 12)}`, err);
    }
  }

  async inspectExec(execId: string): Promise<Dockerode.ExecInspectInfo> {
    try {
      return await this.docker.getExec(execId).inspect();
    } catch (err) {
      throw engineError(`cannot inspect exec ${execId.slice(0, 12)}`, err);
    }
  }

  /** Waits for the container's main process to exit; resolves to its status. */
  async waitContainer(id: string): Promise<number> {
    const result = (await this.docker.getContainer(id).wait()) as { StatusCode: number };
    return result.StatusCode;
  }

  /** Force-removes a container with its anonymous volumes; a missing one is fine. */
  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const status = statusCodeOf(err);
      if (status === 404) return; // already gone
      // 409: a removal is already in progress elsewhere (a signal handler,
      // gc). Wait for it, so the caller can rely on the container being gone.
      if (status === 409 && (await this.waitUntilGone(id))) return;
      throw engineError(`cannot remove container ${id.slice(0, 12)}`, err);
    }
  }

  private async waitUntilGone(id: string, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        await this.docker.getContainer(id).inspect();
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
    let exec: Dockerode.Exec;
    let stream: Duplex;
    try {
      exec = await this.docker.getContainer(containerId).exec({
        Cmd: spec.cmd,
        User: spec.user,
        WorkingDir: spec.workdir,
        Env: spec.env,
        AttachStdin: spec.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      stream = (await exec.start({ hijack: true, stdin: spec.stdin !== undefined })) as Duplex;
    } catch (err) {
      throw engineError(
        `cannot run ${spec.cmd[0] ?? 'a command'} in container ${containerId.slice(0, 12)}`,
        err,
      );
    }
    const done = new Promise<void>((resolve, reject) => {
      const splitter = new DockerFrameSplitter(sink);
      stream.pipe(splitter);
      splitter.on('finish', resolve);
      splitter.on('error', reject);
      stream.on('error', reject);
    });
    if (spec.stdin !== undefined) {
      // Half-close after the payload: the process sees EOF on stdin.
      stream.end(spec.stdin);
    }
    await done;
    return exitCodeOf(exec);
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
    let exec: Dockerode.Exec;
    let stream: Duplex;
    try {
      exec = await this.docker.getContainer(containerId).exec({
        Cmd: spec.cmd,
        User: spec.user,
        WorkingDir: spec.workdir,
        Env: spec.env,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
    } catch (err) {
      throw engineError(
        `cannot run ${spec.cmd[0] ?? 'a command'} in container ${containerId.slice(0, 12)}`,
        err,
      );
    }
    const done = new Promise<void>((resolve, reject) => {
      const splitter = new DockerFrameSplitter(sink);
      stream.pipe(splitter);
      splitter.on('finish', resolve);
      splitter.on('error', reject);
      stream.on('error', reject);
    });
    return { input: stream, exitCode: done.then(() => exitCodeOf(exec)) };
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

  // ---- volumes and networks ---------------------------------------------

  /** `driverOpts`: options of the local driver, e.g. a tmpfs volume owned by a given uid. */
  async createVolume(
    name: string,
    labels: Record<string, string>,
    driverOpts?: Record<string, string>,
  ): Promise<void> {
    requireSessionLabel(labels, `volume ${name}`);
    try {
      await this.docker.createVolume({
        Name: name,
        Labels: labels,
        ...(driverOpts ? { Driver: 'local', DriverOpts: driverOpts } : {}),
      });
    } catch (err) {
      throw engineError(`cannot create volume ${name}`, err);
    }
  }

  async removeVolume(name: string): Promise<void> {
    await this.ignoreMissing(this.docker.getVolume(name).remove({ force: true }));
  }

  async createNetwork(opts: Dockerode.NetworkCreateOptions): Promise<string> {
    requireSessionLabel(opts.Labels, `network ${opts.Name}`);
    try {
      return (await this.docker.createNetwork(opts)).id;
    } catch (err) {
      throw engineError(`cannot create network ${opts.Name}`, err);
    }
  }

  /** Attaches a created (or running) container to a further network. */
  async connectNetwork(network: string, containerId: string, aliases: string[] = []): Promise<void> {
    try {
      await this.docker.getNetwork(network).connect({
        Container: containerId,
        EndpointConfig: { Aliases: aliases },
      });
    } catch (err) {
      throw engineError(`cannot connect container ${containerId.slice(0, 12)} to network ${network}`, err);
    }
  }

  /** The network's inspect data, or undefined when there is no such network. */
  async inspectNetwork(network: string): Promise<Dockerode.NetworkInspectInfo | undefined> {
    try {
      return (await this.docker.getNetwork(network).inspect()) as Dockerode.NetworkInspectInfo;
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw engineError(`cannot inspect network ${network}`, err);
    }
  }

  /** Removes one network; a missing one is fine. */
  async removeNetwork(network: string): Promise<void> {
    await this.ignoreMissing(this.docker.getNetwork(network).remove());
  }

  // ---- finding and removing by label --------------------------------------

  async listContainers(labelFilters: string[]): Promise<Dockerode.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: labelFilters } });
  }

  async findLabelled(labelFilters: string[]): Promise<LabelledObjects> {
    const filters = { label: labelFilters };
    const [containers, volumes, networks] = await Promise.all([
      this.docker.listContainers({ all: true, filters }),
      this.docker.listVolumes({ filters }),
      this.docker.listNetworks({ filters }),
    ]);
    return {
      containers: containers.map((c) => c.Id),
      volumes: (volumes.Volumes ?? []).map((v) => v.Name),
      networks: networks.map((n) => n.Id),
    };
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
      ...found.networks.map((id) => this.ignoreMissing(this.docker.getNetwork(id).remove())),
      ...found.volumes.map((name) => this.ignoreMissing(this.docker.getVolume(name).remove({ force: true }))),
    ]);
    return found;
  }

  private async ignoreMissing(op: Promise<unknown>): Promise<void> {
    try {
      await op;
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw engineError('cannot remove a labelled object', err);
    }
  }

  /** Engine events matching the filters, until `signal` aborts. */
  async *events(
    filters: Record<string, string[]>,
    signal: AbortSignal,
  ): AsyncGenerator<Record<string, unknown>> {
    const stream = (await this.docker.getEvents({
      filters,
      abortSignal: signal,
    } as Dockerode.GetEventsOptions)) as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    if (!stream) return;
    signal.addEventListener('abort', () => stream.destroy?.(), { once: true });
    let buffered = '';
    try {
      for await (const chunk of stream) {
        buffered += chunk.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) yield JSON.parse(line) as Record<string, unknown>;
        }
      }
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

/** The exec's exit code; the engine may report Running briefly after the stream ends. */
async function exitCodeOf(exec: Dockerode.Exec): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new ContainaiError('DOCKER_ERROR', 'the engine never reported the exit code of a finished command');
}
