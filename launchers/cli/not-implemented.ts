import { ContainaiError } from '../../broker/errors.js';
import { commandSpec, renderHelp } from './command-specs.js';

/** Commands that exist in the CLI but are not built yet: a clear error, no pretend behaviour. */
export async function notImplemented(name: string, argv: string[]): Promise<number> {
  const spec = commandSpec(name);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(renderHelp(spec));
    return 0;
  }
  throw new ContainaiError('NOT_IMPLEMENTED', `${name} is not implemented yet`, {
    causes: ['containai is under construction; this command arrives in a later release'],
    actions: ['for now use: run-shell [REPO] --prompt "COMMAND"', 'see docs/cli.md for what works today'],
  });
}
