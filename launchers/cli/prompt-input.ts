// Where the prompt comes from: --prompt TEXT, --prompt - (stdin) or
// --prompt-file PATH. Read as bytes and passed on unchanged.
import { readFileSync, statSync } from 'node:fs';
import { ContainaiError, quote } from '../../broker/errors.js';

export const MAX_PROMPT_BYTES = 64 * 1024 * 1024;

export async function readPrompt(
  text: string | undefined,
  file: string | undefined,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<Buffer | undefined> {
  if (text !== undefined && file !== undefined) {
    throw new ContainaiError('USAGE', 'give either --prompt or --prompt-file, not both');
  }
  if (file !== undefined) {
    let size: number;
    try {
      size = statSync(file).size;
    } catch (err) {
      throw new ContainaiError('USAGE', `--prompt-file ${quote(file)} cannot be read`, { cause: err });
    }
    if (size > MAX_PROMPT_BYTES) throw tooLarge(size);
    return readFileSync(file);
  }
  if (text === '-') return readAll(stdin);
  return text === undefined ? undefined : Buffer.from(text, 'utf8');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_PROMPT_BYTES) throw tooLarge(size);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function tooLarge(size: number): ContainaiError {
  return new ContainaiError(
    'USAGE',
    `the prompt is ${size} bytes; the limit is ${MAX_PROMPT_BYTES} bytes (64 MiB)`,
    {
      actions: ['put large inputs in the repository and refer to them from a short prompt'],
    },
  );
}
