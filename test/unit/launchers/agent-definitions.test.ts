// The agent definitions are data the launcher trusts: each prompt reaches its
// CLI as one argument that no option parser or shell can reinterpret, file
// prompts reach it on stdin, default domains pass the proxy's validation,
// and every vendor agent names the credential it cannot run without.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AGENTS, withPromptOnStdin } from '../../../launchers/agents/definitions.js';
import { imageDir } from '../../../launchers/images/ensure-images.js';
import { mergeAllowlist } from '../../../proxy/allowlist.js';

const VENDORS = ['copilot', 'codex', 'claude'] as const;
// Looks like options, a shell expansion and a second argument.
const HOSTILE = '--help --mcp-config=/tmp/x; $(touch /tmp/pwned) "a" \n-p b';

describe('agent definitions', () => {
  it.each(Object.keys(AGENTS))('%s has an image directory with a Dockerfile', (name) => {
    expect(existsSync(join(imageDir(AGENTS[name]!.imageDir), 'Dockerfile'))).toBe(true);
    expect(AGENTS[name]!.interactiveCommand.length).toBeGreaterThan(0);
  });

  it.each(Object.keys(AGENTS))('%s default domains pass the allowlist validation', (name) => {
    const agent = AGENTS[name]!;
    expect(() =>
      mergeAllowlist([{ origin: `${name} defaults`, values: agent.defaultDomains }]),
    ).not.toThrow();
  });

  it.each(VENDORS)('%s passes an argv prompt as one element, after the options end', (name) => {
    const argv = AGENTS[name]!.promptCommand({ kind: 'argv', text: HOSTILE });
    const holding = argv.filter((a) => a.includes(HOSTILE));
    expect(holding).toHaveLength(1);
    const last = argv[argv.length - 1]!;
    // Either a separate argument after "--", or attached to its option with "=".
    if (last === HOSTILE) expect(argv[argv.length - 2]).toBe('--');
    else expect(last).toBe(`--prompt=${HOSTILE}`);
  });

  it.each(VENDORS)('%s takes a file prompt on stdin, with no prompt bytes in argv', (name) => {
    const argv = AGENTS[name]!.promptCommand({
      kind: 'file',
      path: '/tmp/containai-prompt',
      bytes: Buffer.from(HOSTILE),
    });
    expect(argv.slice(0, 5)).toEqual(withPromptOnStdin('/tmp/containai-prompt', []));
    expect(argv.join('\n')).not.toContain('touch');
  });

  it.each(VENDORS)('%s names the credential it needs and the variable its CLI reads', (name) => {
    const { credentials } = AGENTS[name]!;
    expect(credentials.length).toBeGreaterThan(0);
    for (const c of credentials) {
      expect(c.secret).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(c.env).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
    expect(AGENTS[name]!.mcpConfig?.homeFile).toBeTruthy();
  });

  it('the shell agent needs no credential and no domain', () => {
    expect(AGENTS.shell!.credentials).toEqual([]);
    expect(AGENTS.shell!.defaultDomains).toEqual([]);
  });
});

describe('withPromptOnStdin', () => {
  it('feeds the file to the command as stdin, with a hostile path and arguments left alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'containai-prompt-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, '$(touch pwned) x y');
    writeFileSync(path, HOSTILE);
    const [cmd, ...args] = withPromptOnStdin(path, [
      'sh',
      '-c',
      'cat; printf "|%s" "$@"',
      'arg0',
      '$(id)',
      '-x',
    ]);
    const result = spawnSync(cmd!, args, { cwd: dir, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${HOSTILE}|$(id)|-x`);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});
