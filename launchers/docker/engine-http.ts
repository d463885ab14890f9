// The Docker Engine API over HTTP (unix socket or TCP), with nothing but
// node:http. A full client library costs ~300 ms of start-up (it loads gRPC,
// protobuf and SSH support on import), which would be most of a launch.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest, type RequestOptions as HttpsRequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { DockerEndpoint } from './docker-host.js';

/** The API version containai speaks: Docker 20.10. Newer engines serve it too. */
export const API_VERSION = '1.41';

/** An error reply from a reachable engine; shaped like other clients' so callers can classify it. */
export class EngineHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly json: { message?: string } | undefined,
    what: string,
  ) {
    super(`${what}: HTTP ${statusCode}${json?.message ? `: ${json.message}` : ''}`);
  }
}

export type Query = Record<string, string | number | boolean | undefined | Record<string, unknown>>;

export interface CallOptions {
  query?: Query;
  /** JSON-encoded unless it is a Buffer or a stream. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export class EngineHttp {
  private readonly base: HttpsRequestOptions;
  private readonly secure: boolean;

  constructor(endpoint: DockerEndpoint, env: Readonly<Record<string, string | undefined>> = process.env) {
    if (endpoint.kind === 'unix') {
      this.base = { socketPath: endpoint.socketPath };
      this.secure = false;
    } else {
      this.secure = endpoint.tls;
      const certs = env.DOCKER_CERT_PATH || join(homedir(), '.docker');
      this.base = endpoint.tls
        ? {
            host: endpoint.host,
            port: endpoint.port,
            ca: readFileSync(join(certs, 'ca.pem')),
            cert: readFileSync(join(certs, 'cert.pem')),
            key: readFileSync(join(certs, 'key.pem')),
          }
        : { host: endpoint.host, port: endpoint.port };
    }
  }

  /** A call whose reply is JSON (or empty); rejects with EngineHttpError on 4xx/5xx. */
  async json<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const res = await this.open(method, path, opts);
    const text = (await readAll(res)).toString('utf8');
    if ((res.statusCode ?? 500) >= 400)
      throw new EngineHttpError(res.statusCode ?? 500, parse(text), `${method} ${path}`);
    return (text ? parse(text) : undefined) as T;
  }

  /** A call whose reply is a stream (build and pull progress, events, logs). */
  async stream(method: string, path: string, opts: CallOptions = {}): Promise<IncomingMessage> {
    const res = await this.open(method, path, opts);
    if ((res.statusCode ?? 500) >= 400) {
      const text = (await readAll(res)).toString('utf8');
      throw new EngineHttpError(res.statusCode ?? 500, parse(text), `${method} ${path}`);
    }
    return res;
  }

  /**
   * A call the engine upgrades to a raw bidirectional stream (exec start,
   * attach): resolves to the socket once the engine switches protocols.
   */
  hijack(path: string, body: unknown): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const req = this.request('POST', path, {
        headers: { 'Content-Type': 'application/json', Connection: 'Upgrade', Upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res: IncomingMessage) => {
        // Not upgraded: an error, or an engine that streams without switching.
        if ((res.statusCode ?? 500) < 300) return resolve(res as unknown as Duplex);
        void readAll(res).then((buf) =>
          reject(new EngineHttpError(res.statusCode ?? 500, parse(buf.toString('utf8')), `POST ${path}`)),
        );
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  private open(method: string, path: string, opts: CallOptions): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const isRaw = Buffer.isBuffer(opts.body) || isStream(opts.body);
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
      const req = this.request(method, withQuery(path, opts.query), { headers, signal: opts.signal });
      if (process.env.CONTAINAI_DEBUG === 'http') traceRequest(method, path, req);
      req.on('response', resolve);
      req.on('error', reject);
      if (opts.body === undefined) req.end();
      else if (isStream(opts.body)) (opts.body as NodeJS.ReadableStream).pipe(req);
      else req.end(isRaw ? (opts.body as Buffer) : JSON.stringify(opts.body));
    });
  }

  private request(
    method: string,
    path: string,
    extra: { headers?: Record<string, string>; signal?: AbortSignal },
  ): ReturnType<typeof httpRequest> {
    const versioned = path === '/_ping' ? path : `/v${API_VERSION}${path}`;
    const options: RequestOptions = {
      ...this.base,
      method,
      path: versioned,
      headers: extra.headers,
      signal: extra.signal,
    };
    return this.secure ? httpsRequest(options) : httpRequest(options);
  }
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function isStream(body: unknown): boolean {
  return typeof (body as NodeJS.ReadableStream | undefined)?.pipe === 'function';
}

function parse(text: string): { message?: string } | undefined {
  try {
    return JSON.parse(text) as { message?: string };
  } catch {
    return text ? { message: text.trim() } : undefined;
  }
}

export function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Splits a newline-delimited JSON stream (build/pull progress, events) into objects. */
export async function* jsonLines(stream: NodeJS.ReadableStream): AsyncGenerator<Record<string, unknown>> {
  let buffered = '';
  for await (const chunk of stream) {
    buffered += chunk.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield JSON.parse(line) as Record<string, unknown>;
    }
  }
  if (buffered.trim()) yield JSON.parse(buffered) as Record<string, unknown>;
}

/** CONTAINAI_DEBUG=http: one stderr line per engine call, with its duration. */
function traceRequest(method: string, path: string, req: ReturnType<typeof httpRequest>): void {
  const started = process.hrtime.bigint();
  req.on('response', (res: IncomingMessage) =>
    res.on('end', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      process.stderr.write(
        `containai: [http] +${Math.round(performance.now())} ms ${method} ${path} ${res.statusCode} ${ms.toFixed(1)} ms\n`,
      );
    }),
  );
}
