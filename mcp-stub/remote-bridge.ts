// `mcp-stub remote-bridge URL HEADER…`: a remote (Streamable HTTP) MCP server
// presented as a local stdio one. The stub daemon starts it like any server —
// as containai-stub, with the header values (secrets included) in this
// process's environment only, as CONTAINAI_MCP_HEADER_0…N — so the relay,
// audit and limits are the same for local and remote servers, and the agent
// never sees the header. Requests go out through the session's proxy
// (HTTPS_PROXY), so the allowlist still applies.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { Socket } from 'node:net';
import { ContainaiError } from '../broker/errors.js';
import { BoundedLines } from './bounded-lines.js';
import { MAX_MCP_MESSAGE_BYTES } from './mcp-protocol.js';

export async function remoteBridge(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [target, ...headerNames] = argv;
  const url = target ? new URL(target) : undefined;
  if (!url || url.protocol !== 'https:') {
    throw new ContainaiError('USAGE', 'usage: mcp-stub remote-bridge https://HOST/PATH [HEADER…]');
  }
  const headers: Record<string, string> = {};
  headerNames.forEach((name, i) => {
    const value = env[`CONTAINAI_MCP_HEADER_${i}`];
    if (value !== undefined) headers[name] = value;
  });
  const session: { id?: string } = {};
  const lines = new BoundedLines(MAX_MCP_MESSAGE_BYTES);
  let queue = Promise.resolve();
  for await (const chunk of process.stdin) {
    for (const piece of lines.push(chunk as Buffer)) {
      if (piece.kind !== 'line' || piece.bytes.length === 0) continue;
      const body = piece.bytes;
      // In order: JSON-RPC over one stdio stream is ordered, so is the bridge.
      queue = queue.then(() => forward(url, headers, session, body, env));
    }
  }
  await queue;
  return 0;
}

async function forward(
  url: URL,
  headers: Record<string, string>,
  session: { id?: string },
  body: Buffer,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const id = requestId(body);
  try {
    const res = await post(
      url,
      {
        ...headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'content-length': String(body.length),
        ...(session.id ? { 'mcp-session-id': session.id } : {}),
      },
      body,
      env,
    );
    const sessionId = res.headers['mcp-session-id'];
    if (typeof sessionId === 'string') session.id = sessionId;
    const status = res.statusCode ?? 500;
    const type = String(res.headers['content-type'] ?? '');
    if (status >= 400) {
      // The server's own explanation helps; bounded, and it is the server's text, not ours.
      const said = (await readAll(res)).slice(0, 500).replace(/\s+/g, ' ').trim();
      return reply(id, `the remote MCP server answered HTTP ${status}${said ? `: ${said}` : ''}`);
    }
    if (type.startsWith('text/event-stream')) return await relayEvents(res);
    const text = (await readAll(res)).trim();
    if (text) process.stdout.write(`${JSON.stringify(JSON.parse(text))}\n`);
  } catch (err) {
    reply(id, `the remote MCP server could not be reached: ${(err as Error).message}`);
  }
}

/** Server-sent events: each event's data is one JSON-RPC message. */
async function relayEvents(res: IncomingMessage): Promise<void> {
  let buffered = '';
  let data: string[] = [];
  for await (const chunk of res) {
    buffered += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      else if (line === '' && data.length > 0) {
        process.stdout.write(`${JSON.stringify(JSON.parse(data.join('\n')))}\n`);
        data = [];
      }
    }
  }
}

/** POST over HTTPS, through the proxy in HTTPS_PROXY when there is one (CONNECT tunnel). */
function post(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  env: NodeJS.ProcessEnv,
): Promise<IncomingMessage> {
  const proxy = env.HTTPS_PROXY || env.https_proxy;
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const send = (socket?: Socket): void => {
      const req = httpsRequest(
        {
          host: url.hostname,
          port,
          method: 'POST',
          path: `${url.pathname}${url.search}`,
          headers,
          servername: url.hostname,
          ...(socket ? { createConnection: () => tlsConnect({ socket, servername: url.hostname }) } : {}),
        },
        resolve,
      );
      req.on('error', reject);
      req.end(body);
    };
    if (!proxy) return send();
    const p = new URL(proxy);
    const tunnel = httpRequest({
      host: p.hostname,
      port: Number(p.port || 80),
      method: 'CONNECT',
      path: `${url.hostname}:${port}`,
    });
    tunnel.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return reject(
          new Error(`the proxy refused CONNECT ${url.hostname}:${port} (HTTP ${res.statusCode})`),
        );
      }
      send(socket);
    });
    tunnel.on('error', reject);
    tunnel.end();
  });
}

function reply(id: unknown, message: string): void {
  // Notifications (no id) get no answer; requests get a JSON-RPC error.
  if (id === undefined) return;
  process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32603, message } })}\n`);
}

function requestId(body: Buffer): unknown {
  try {
    return (JSON.parse(body.toString('utf8')) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
