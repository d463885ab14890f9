// Parses argv against a command's flag table. Unknown flags and missing
// values are usage errors with the offending text quoted, never ignored.
import { parseArgs } from 'node:util';
import { ContainaiError, escapeControls } from '../../broker/errors.js';
import type { CommandSpec } from './command-specs.js';

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseFlags(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const f of spec.flags) {
    options[f.name] = {
      type: f.type,
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { flags: values as ParsedArgs['flags'], positionals };
  } catch (err) {
    const e = err as Error & { code?: string };
    // Node's message quotes the raw argument; escape it so it cannot forge lines.
    const message =
      e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
        ? `${escapeControls(e.message.split('\n')[0] ?? '')} (a value starting with "-" must be written as --flag=VALUE)`
        : escapeControls(e.message);
    throw new ContainaiError('USAGE', `${spec.name}: ${message}`, {
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

/** A repeatable flag's values, in order (empty when not given). */
export function stringsFlag(args: ParsedArgs, name: string): string[] {
  const value = args.flags[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}
