// log-forwarder: runs in the `logs` sidecar, started by the launcher with
// `docker exec -i`. stdin: one JSON config line, then the session's lifecycle
// events as JSON lines; EOF means "the session is ending: flush and exit".
// It follows Squid's JSON-lines access log on the shared log volume, decodes
// it, and writes every record as one JSON line to stdout (the launcher
// appends them to the host log file) and, when configured, to an HTTP
// collector. Its last line is a `forwarder` summary with the counts.
import { createInterface } from 'node:readline';
import { ForwarderConfigSchema, type ForwarderConfig } from './config.js';
import { FileTail } from './file-tail.js';
import { httpPost } from './http-post.js';
import { HttpSink } from './http-sink.js';
import { forwarderRecord, proxyRecord, sessionRecord, type LogRecord } from './records.js';

const now = (): Date => new Date();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const lines = input[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) return 0;
  const parsed = ForwarderConfigSchema.safeParse(safeJson(first.value));
  if (!parsed.success) {
    process.stderr.write(`log-forwarder: invalid configuration: ${parsed.error.message}\n`);
    return 78;
  }
  const config: ForwarderConfig = parsed.data;
  const http = config.http
    ? new HttpSink({
        session: config.session,
        post: httpPost(new URL(config.http.url), config.http.postTimeoutMs),
        batchSize: config.http.batchSize,
        maxBuffer: config.http.maxBuffer,
      })
    : undefined;
  let shipped = 0;
  const emit = (record: LogRecord): void => {
    const line = JSON.stringify(record);
    process.stdout.write(`${line}\n`);
    http?.push(line);
    shipped++;
  };

  const tail = new FileTail(config.accessLog);
  const drainProxyLog = (): void => {
    for (const line of tail.readLines()) emit(proxyRecord(line, config.session, now));
  };
  let ended = false;
  const poller = (async () => {
    while (!ended) {
      drainProxyLog();
      await sleep(config.pollMs);
    }
  })();

  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    if (next.value.trim() === '') continue;
    drainProxyLog(); // keep proxy lines and events in arrival order
    emit(sessionRecord(next.value, config.session, now));
  }
  ended = true;
  await poller;
  // Squid logs a transaction when it ends; give the last ones a moment.
  await sleep(config.pollMs);
  drainProxyLog();
  const httpStats = http ? await http.close(config.http?.flushDeadlineMs ?? 0) : undefined;
  const summary = forwarderRecord(config.session, now, 'summary', {
    records: shipped + 1,
    ...(httpStats && config.http
      ? { http: { endpoint: redactedEndpoint(config.http.url), ...httpStats } }
      : {}),
  });
  // The summary itself goes to stdout only: the HTTP sink is closed by now.
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The endpoint without credentials or query, for logs. */
function redactedEndpoint(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`log-forwarder: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
