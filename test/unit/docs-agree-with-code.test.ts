// The docs are part of the interface: --help, docs/cli.md and the error
// table must say what the code does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../broker/errors.js';
import { COMMANDS, flagLabel, renderHelp } from '../../launchers/cli/command-specs.js';
import { withCommandReference } from '../../launchers/cli/render-cli-docs.js';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

describe('docs agree with the code', () => {
  it('docs/cli.md holds the current command reference (regenerate with npm run docs)', () => {
    const doc = read('docs/cli.md');
    expect(withCommandReference(doc)).toBe(doc);
  });

  it('every flag in --help is in docs/cli.md under its command', () => {
    const doc = read('docs/cli.md');
    for (const command of COMMANDS) {
      const section = doc.slice(doc.indexOf(`### \`${command.name}\``));
      for (const flag of command.flags) {
        expect(renderHelp(command)).toContain(flagLabel(flag));
        expect(section).toContain(`\`${flagLabel(flag)}\``);
      }
    }
  });

  it('every error code is in docs/troubleshooting.md with its exit status', () => {
    const doc = read('docs/troubleshooting.md');
    for (const [code, { exit }] of Object.entries(ERROR_CATALOGUE)) {
      expect(doc).toContain(`| \`${code}\` | ${exit} |`);
      expect(doc).toMatch(new RegExp(`### .*\`${code}\``));
    }
  });

  it('every document the README links to exists', () => {
    for (const [, path] of read('README.md').matchAll(/\]\((docs\/[^)#]+)\)/g)) {
      expect(existsSync(join(ROOT, path!)), path).toBe(true);
    }
  });
});
