// Reads a secret value for `containai secrets set`: from stdin when it is a
// pipe (one trailing newline dropped, as `echo` adds one), or from a hidden
// prompt on a terminal. Never from argv, where ps and shell history see it.
import { ContainaiError } from '../../broker/errors.js';

export async function readSecretValue(
  name: string,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<string> {
  const value = stdin.isTTY
    ? await promptHidden(`value for ${name} (input hidden): `, stdin)
    : await readAll(stdin);
  if (value === '') {
    throw new ContainaiError('USAGE', `no value given for ${name}`, {
      actions: [
        `printf '%s' "$VALUE" | containai secrets set ${name}`,
        `or run containai secrets set ${name} in a terminal`,
      ],
    });
  }
  return value;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > 1024 * 1024)
      throw new ContainaiError('USAGE', 'the secret value on stdin is larger than 1 MiB');
    chunks.push(buf);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function promptHidden(question: string, stdin: NodeJS.ReadStream): Promise<string> {
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new ContainaiError('INTERRUPTED', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
