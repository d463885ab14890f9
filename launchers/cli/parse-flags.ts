// Parses argv against a command's flag table. Unknown flags and missing
// values are usage errors with the offending text quoted, never ignored.
import { parseArgs } from 'node:util';
import { ContainaiError } from '../../broker/errors.js';
import type { CommandSpec } from './command-specs.js';

export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseFlags(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const f of spec.flags) options[f.name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { flags: values as ParsedArgs['flags'], positionals };
  } catch (err) {
    throw new ContainaiError('USAGE', `${spec.name}: ${(err as Error).message}`, {
      actions: [`see: ${spec.name} --help`],
      cause: err,
    });
  }
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}
