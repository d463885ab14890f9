// Renders the command reference part of docs/cli.md from the command table,
// so the docs and --help cannot disagree (a unit test compares them).
import { COMMANDS, flagLabel, type CommandSpec } from './command-specs.js';

export const CLI_DOCS_BEGIN = '<!-- generated:commands:begin (npm run docs) -->';
export const CLI_DOCS_END = '<!-- generated:commands:end -->';

export function renderCommandReference(commands: readonly CommandSpec[] = COMMANDS): string {
  const out: string[] = [];
  for (const c of commands) {
    out.push(
      `### \`${c.name}\``,
      '',
      `\`${c.usage}\``,
      '',
      `${c.summary}.${c.implemented ? '' : ' **Not implemented yet** (exits with `NOT_IMPLEMENTED`, status 77).'}`,
      '',
    );
    if (c.flags.length) {
      out.push('| flag | meaning |', '| --- | --- |');
      for (const f of c.flags) {
        const label = flagLabel(f);
        out.push(`| \`${label}\` | ${f.description.replace(/\|/g, '\\|')} |`);
      }
      out.push('');
    }
  }
  return out.join('\n');
}

/** Replaces the generated block of a docs file's text with a fresh rendering. */
export function withCommandReference(doc: string): string {
  const begin = doc.indexOf(CLI_DOCS_BEGIN);
  const end = doc.indexOf(CLI_DOCS_END);
  if (begin < 0 || end < begin) throw new Error('docs/cli.md lacks the generated-block markers');
  return `${doc.slice(0, begin + CLI_DOCS_BEGIN.length)}\n\n${renderCommandReference()}\n${doc.slice(end)}`;
}
