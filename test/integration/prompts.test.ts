// Threat: a prompt crafted to break out of quoting and run something on the
// host (or be altered on the way). Prompts must reach the agent byte for byte
// and no shell on the host may ever interpret them.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { leftovers, runCli, useTestEnv } from './helpers/cli.js';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'containai-prompt-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

// Prints what bash received as its -c string, then exits before bash reads
// (let alone runs) the hostile remainder.
const ECHO_SELF = 'printf %s "$BASH_EXECUTION_STRING" | base64 -w0; exit 0\n';

const HOSTILE = {
  'quote breakout': "'; touch /tmp/pwned-containai #",
  'command substitution': '$(touch /tmp/pwned-containai) `id`',
  newline: 'line one\nline two\r\n',
  quotes: `"double" 'single' \`back\` \\ backslash`,
  unicode: 'héllo wörld — 你好 🚀 \u202e RTL',
  'shell metacharacters': '; | & > < $HOME ${PATH} !! * ? [a] {b,c} ~',
};

describe('prompts reach the agent verbatim', () => {
  it.each(Object.entries(HOSTILE))('%s', async (_label, hostile) => {
    const t = useTestEnv();
    const prompt = ECHO_SELF + hostile;
    const result = await runCli('run-shell', ['--prompt', prompt], { env: t.env });
    expect(result.status).toBe(0);
    expect(Buffer.from(result.stdout, 'base64').toString('utf8')).toBe(prompt);
    expect(existsSync('/tmp/pwned-containai')).toBe(false);
  });

  it('delivers 1 MiB from --prompt-file through a tmpfs file, byte for byte', async () => {
    const t = useTestEnv();
    const body = 'x'.repeat(1024 * 1024);
    const prompt = `sha256sum < "$CONTAINAI_PROMPT_FILE" | cut -d' ' -f1; exit 0\n: '${body}'\n`;
    const file = join(tempDir(), 'prompt.txt');
    writeFileSync(file, prompt);
    const result = await runCli('run-shell', ['--prompt-file', file], { env: t.env });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(sha256(prompt));
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('delivers a large prompt from stdin (--prompt -), trailing newlines and all', async () => {
    const t = useTestEnv();
    const prompt = `sha256sum < "$CONTAINAI_PROMPT_FILE" | cut -d' ' -f1; exit 0\n${"'; touch /tmp/pwned-containai #\n".repeat(8000)}\n\n\n`;
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(128 * 1024);
    const result = await runCli('run-shell', ['--prompt', '-'], { env: t.env, input: prompt });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(sha256(prompt));
    expect(existsSync('/tmp/pwned-containai')).toBe(false);
  });

  it('the prompt file on /tmp is readable by the agent user only', async () => {
    const t = useTestEnv();
    const prompt = `stat -c '%a %U' "$CONTAINAI_PROMPT_FILE"; exit 0\n#${'y'.repeat(200 * 1024)}`;
    const result = await runCli('run-shell', ['--prompt', '-'], { env: t.env, input: prompt });
    expect(result.stdout).toBe('600 agent\n');
  });

  it('refuses a prompt over 64 MiB with a clear error before starting anything', async () => {
    const t = useTestEnv();
    const file = join(tempDir(), 'huge.txt');
    writeFileSync(file, Buffer.alloc(64 * 1024 * 1024 + 1, 0x61));
    const result = await runCli('run-shell', ['--prompt-file', file], { env: t.env });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('USAGE');
    expect(result.stderr).toContain('64 MiB');
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });
});
