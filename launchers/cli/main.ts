// The only place that turns results and errors into exit statuses.
import { asContainaiError, formatError } from '../../broker/errors.js';

export type CommandMain = (argv: string[]) => Promise<number>;

export async function main(command: CommandMain): Promise<void> {
  const argv = process.argv.slice(2);
  let status: number;
  try {
    status = await command(argv);
  } catch (thrown) {
    const err = asContainaiError(thrown);
    process.stderr.write(argv.includes('--json') ? `${JSON.stringify(err)}\n` : `${formatError(err)}\n`);
    if (process.env.CONTAINAI_DEBUG) process.stderr.write(`${(thrown as Error)?.stack ?? String(thrown)}\n`);
    status = err.exitStatus;
  }
  // Exit explicitly once output is flushed: an abandoned image build or an
  // engine event stream must not keep a finished command alive.
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(status);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}
