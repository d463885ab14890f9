// `containai secrets set|list|rm`: names and backends are printed, values never.
import { ContainaiError, quote } from '../../broker/errors.js';
import { resolvePaths } from '../../broker/paths.js';
import { SecretStore } from '../../broker/secret-store.js';
import { commandSpec, renderHelp } from './command-specs.js';
import { booleanFlag, parseFlags } from './parse-flags.js';
import { readSecretValue } from './read-secret-value.js';

export async function secretsCli(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const spec = commandSpec(`containai secrets ${action ?? ''}`.trim());
  const args = parseFlags(spec, rest);
  if (booleanFlag(args, 'help')) {
    process.stdout.write(renderHelp(spec));
    return 0;
  }
  const store = await SecretStore.create({ paths: resolvePaths() });
  const json = booleanFlag(args, 'json');
  const name = args.positionals[0];
  if (action === 'list') {
    const listing = await store.list();
    if (json) process.stdout.write(`${JSON.stringify(listing)}\n`);
    else if (listing.length === 0) process.stdout.write('no secrets stored\n');
    else
      for (const s of listing)
        process.stdout.write(
          `${s.name}\t${s.backend}${s.shadowed.length ? ` (also in ${s.shadowed.join(', ')})` : ''}\n`,
        );
    return 0;
  }
  if (name === undefined || args.positionals.length !== 1) {
    throw new ContainaiError('USAGE', `${spec.usage}: give exactly one secret NAME`, {
      causes:
        args.positionals.length > 1
          ? ['the value was passed as an argument, where other users and shell history see it']
          : [],
      actions: ['pipe the value: printf %s "$VALUE" | containai secrets set NAME'],
    });
  }
  if (action === 'set') {
    const backend = await store.set(name, await readSecretValue(name));
    process.stdout.write(json ? `${JSON.stringify({ name, backend })}\n` : `stored ${name} in ${backend}\n`);
    return 0;
  }
  const removed = await store.rm(name);
  process.stdout.write(
    json ? `${JSON.stringify({ name, removed })}\n` : `removed ${quote(name)} from ${removed.join(', ')}\n`,
  );
  return 0;
}
