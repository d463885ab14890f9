// `run-*` without --prompt is an interactive session on the user's terminal:
// a real TTY inside (driven here through `script`, which gives the launcher
// a pseudo-terminal), the exit status of the shell, and nothing left behind.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { binPath, leftovers, runCli, useTestEnv } from './helpers/cli.js';

function inTerminal(
  command: string,
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, cwd: '/tmp' });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (status) => resolve({ status, output }));
    // Typed after the session is up: the TTY buffers it until the shell reads.
    child.stdin.end(input);
  });
}

describe('interactive sessions', () => {
  it('gives the agent a terminal, passes its exit status and removes everything', async () => {
    const t = useTestEnv();
    const command = `${process.execPath} ${binPath('run-shell')} --network-proxy restricted`;
    const { status, output } = await inTerminal(
      command,
      'test -t 0 && test -t 1 && echo "tty-$((6*7))"; id -u; exit 7\n',
      t.env,
    );
    expect(output).toContain('tty-42');
    expect(output).toMatch(/\b1000\b/);
    expect(status).toBe(7);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('without a terminal and without --prompt, says how to run it instead', async () => {
    const t = useTestEnv();
    const result = await runCli('run-shell', [], { env: t.env });
    expect(result.stderr).toContain('error USAGE:');
    expect(result.stderr).toContain('--prompt');
    expect(result.status).toBe(64);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });
});
