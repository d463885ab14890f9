// The launcher's exit status is the agent's; --timeout has its own; output
// streams stay separate. Nothing is left behind on any of these paths.
import { describe, expect, it } from 'vitest';
import { leftovers, runCli, startCli, useTestEnv } from './helpers/cli.js';

describe('exit status and streams', () => {
  it.each([0, 1, 42])('propagates exit code %i', async (code) => {
    const t = useTestEnv();
    const result = await runCli('run-shell', ['--prompt', `exit ${code}`], { env: t.env });
    expect(result.status).toBe(code);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('keeps stdout and stderr apart', async () => {
    const t = useTestEnv();
    const result = await runCli('run-shell', ['--prompt', 'echo out; echo err >&2; echo out2'], {
      env: t.env,
    });
    expect(result.stdout).toBe('out\nout2\n');
    expect(result.stderr).toContain('err\n');
    expect(result.stderr).not.toContain('out');
  });

  it('streams output live, before the agent exits', async () => {
    const t = useTestEnv();
    const run = startCli('run-shell', ['--prompt', 'echo first; sleep 20; echo never'], { env: t.env });
    const first = await new Promise<number>((resolve) => {
      const started = Date.now();
      run.child.stdout!.on(
        'data',
        (c: Buffer) => c.toString().includes('first') && resolve(Date.now() - started),
      );
    });
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(first).toBeLessThan(15_000);
    expect(result.status).toBe(143);
    expect(result.stdout).not.toContain('never');
  });

  it('--timeout 2 stops sleep 30 within about 3 s with status 124 and removes everything (restricted)', async () => {
    const t = useTestEnv();
    const started = Date.now();
    const result = await runCli(
      'run-shell',
      ['--network-proxy', 'restricted', '--timeout', '2', '--prompt', 'sleep 30'],
      {
        env: t.env,
      },
    );
    const elapsed = Date.now() - started;
    expect(result.status).toBe(124);
    expect(result.stderr).toContain('TIMEOUT');
    // 2 s of agent time plus container start and teardown.
    expect(elapsed).toBeLessThan(4_500);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('--timeout bounds the agent, not the set-up: squid sessions stop too, with everything removed', async () => {
    const t = useTestEnv();
    const started = Date.now();
    const result = await runCli('run-shell', ['--timeout', '2', '--prompt', 'echo started; sleep 30'], {
      env: t.env,
    });
    expect(result.status).toBe(124);
    expect(result.stdout).toBe('started\n');
    // Proxy start, self-check and teardown of three containers come on top of the 2 s.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('decodes invalid UTF-8 output without failing and passes the bytes through unchanged', async () => {
    const t = useTestEnv();
    const result = await runCli('run-shell', ['--prompt', "printf '\\377\\376ok\\n'"], { env: t.env });
    expect(result.status).toBe(0);
    expect(result.stdoutBytes).toEqual(Buffer.from([0xff, 0xfe, 0x6f, 0x6b, 0x0a]));
  });
});
