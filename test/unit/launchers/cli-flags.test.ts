import { describe, expect, it } from 'vitest';
import { ContainaiError } from '../../../broker/errors.js';
import { COMMANDS, commandSpec, renderHelp, RUN_FLAGS } from '../../../launchers/cli/command-specs.js';
import { booleanFlag, parseFlags, stringFlag } from '../../../launchers/cli/parse-flags.js';
import { validateBranchSuffix } from '../../../launchers/session/branch.js';

const runShell = commandSpec('run-shell');

function usageError(argv: string[]): ContainaiError {
  try {
    parseFlags(runShell, argv);
  } catch (err) {
    if (err instanceof ContainaiError) return err;
    throw err;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
}

describe('parseFlags', () => {
  it('reads string and boolean flags and positionals', () => {
    const args = parseFlags(runShell, ['/repo', '--branch', 'fix-1', '--force', '--memory=512m']);
    expect(args.positionals).toEqual(['/repo']);
    expect(stringFlag(args, 'branch')).toBe('fix-1');
    expect(stringFlag(args, 'memory')).toBe('512m');
    expect(booleanFlag(args, 'force')).toBe(true);
    expect(booleanFlag(args, 'json')).toBe(false);
    expect(stringFlag(args, 'cpus')).toBeUndefined();
  });

  it('reads the short -h', () => {
    expect(booleanFlag(parseFlags(runShell, ['-h']), 'help')).toBe(true);
  });

  it('keeps a prompt with shell syntax as one value', () => {
    const prompt = 'fix it; $(rm -rf /) `id` && echo "done"';
    expect(stringFlag(parseFlags(runShell, ['--prompt', prompt]), 'prompt')).toBe(prompt);
  });

  it.each([['--unknown'], ['--Branch', 'x'], ['-x'], ['--privileged'], ['--mount=/var/run/docker.sock:/s']])(
    'refuses the unknown flag in %j with USAGE',
    (...argv) => {
      const err = usageError(argv);
      expect(err.code).toBe('USAGE');
      expect(err.exitStatus).toBe(64);
      expect(err.message.startsWith('run-shell: ')).toBe(true);
      expect(err.message).toContain(argv[0]?.split('=')[0]);
      expect(err.actions).toEqual(['see: run-shell --help']);
      expect(err.cause).toBeInstanceOf(Error);
    },
  );

  it('refuses a value starting with a dash after a separate flag: --branch -rf', () => {
    const err = usageError(['--branch', '-rf']);
    expect(err.code).toBe('USAGE');
    expect(err.message).toContain('--branch');
  });

  it('refuses a string flag given last without a value', () => {
    expect(usageError(['--branch']).code).toBe('USAGE');
  });

  it('refuses a value on a boolean flag', () => {
    expect(usageError(['--force=yes']).code).toBe('USAGE');
  });

  it('lets --branch=-rf through the parser, where branch validation refuses it', () => {
    const branch = stringFlag(parseFlags(runShell, ['--branch=-rf']), 'branch') ?? '';
    expect(branch).toBe('-rf');
    expect(() => validateBranchSuffix(branch)).toThrow(expect.objectContaining({ code: 'NAME_INVALID' }));
  });

  it('treats everything after -- as positionals', () => {
    expect(parseFlags(runShell, ['--', '--force', '-rf']).positionals).toEqual(['--force', '-rf']);
  });

  it('refuses run flags on commands that do not take them', () => {
    expect(() => parseFlags(commandSpec('list-agents'), ['--branch', 'x'])).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });
});

describe('command specs and help', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('help for %s lists every flag', (_name, spec) => {
    const help = renderHelp(spec);
    expect(help.startsWith(`usage: ${spec.usage}\n`)).toBe(true);
    expect(help).toContain(spec.summary);
    const lines = help.split('\n');
    const flagLines = lines.slice(lines.indexOf('flags:') + 1);
    expect(lines).toContain('flags:');
    for (const flag of spec.flags) {
      const line = flagLines.find((l) => l.includes(`--${flag.name}${flag.value ? ` ${flag.value}` : ''}`));
      expect(line, `--${flag.name}`).toBeDefined();
      expect(line).toContain(flag.description);
      if (flag.short) expect(line).toContain(`-${flag.short}, --${flag.name}`);
    }
  });

  it('every flag of every command is accepted by the parser', () => {
    for (const spec of COMMANDS) {
      for (const flag of spec.flags) {
        const argv = flag.type === 'string' ? [`--${flag.name}`, 'v'] : [`--${flag.name}`];
        expect(() => parseFlags(spec, argv), `${spec.name} --${flag.name}`).not.toThrow();
      }
    }
  });

  it('says when a command is not implemented yet', () => {
    const later = { ...commandSpec('run-shell'), implemented: false };
    expect(renderHelp(later)).toMatch(/not implemented yet/);
    expect(renderHelp(commandSpec('run-shell'))).not.toMatch(/not implemented yet/);
  });

  it('documents the limit defaults in --help', () => {
    const help = renderHelp(commandSpec('run-shell'));
    expect(help).toMatch(/--memory SIZE .*default 4g/);
    expect(help).toMatch(/--cpus N .*default 2\b/);
    expect(help).toMatch(/--pids N .*default 1024/);
  });

  it('has unique command names and unique flag names per command', () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const spec of COMMANDS) expect(new Set(spec.flags.map((f) => f.name)).size).toBe(spec.flags.length);
    expect(RUN_FLAGS.map((f) => f.name)).toContain('branch');
  });

  it('throws for a command that does not exist', () => {
    expect(() => commandSpec('run-nothing')).toThrow(/no command spec/);
  });
});
