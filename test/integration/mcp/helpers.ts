// Shared by the MCP integration tests: the SDK fixtures (bundled once per
// file), a user config.toml declaring them, and delivery into a running
// session container through exec stdin as containai-stub, into a directory
// the agent can read but not change.
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { DockerEngine } from '../../../launchers/docker/engine.js';
import type { TestEnv } from '../helpers/cli.js';

export const FIXTURE_DIR = '/tmp/containai-mcp-fixture';

/** The user's config.toml: servers `test` and `other`, both the SDK fixture. */
export function writeUserConfig(t: TestEnv, extra = ''): void {
  mkdirSync(join(t.home, 'config'), { recursive: true, mode: 0o700 });
  writeFileSync(
    join(t.home, 'config', 'config.toml'),
    [
      '[mcp_servers.test]',
      'command = "/usr/bin/node"',
      `args = ["${FIXTURE_DIR}/server.mjs"]`,
      'env = { MCP_TEST_TOKEN = "${secret:MCP_CANARY}", PLAIN_SETTING = "visible" }',
      '',
      '[mcp_servers.other]',
      'command = "node"',
      `args = ["${FIXTURE_DIR}/server.mjs"]`,
      extra,
    ].join('\n'),
  );
}

/** Copies the fixtures in as containai-stub (so the agent cannot replace the server), then signals ready. */
export async function deliverFixtures(
  engine: DockerEngine,
  containerId: string,
  files: Record<string, string>,
): Promise<void> {
  const mk = await engine.execCapture(containerId, {
    cmd: ['mkdir', '-m', '755', FIXTURE_DIR],
    user: 'containai-stub',
    workdir: '/',
  });
  expect(mk.stderr).toBe('');
  for (const [name, hostPath] of Object.entries(files)) {
    const copied = await engine.execCapture(containerId, {
      cmd: ['sh', '-c', 'umask 022 && cat > "$1"', 'copy', `${FIXTURE_DIR}/${name}`],
      user: 'containai-stub',
      workdir: '/',
      stdin: readFileSync(hostPath),
    });
    expect(copied.exitCode).toBe(0);
  }
  await engine.execCapture(containerId, { cmd: ['touch', `${FIXTURE_DIR}/ready`], user: 'containai-stub' });
}

/** The shell line that waits for deliverFixtures. */
export const WAIT_FOR_FIXTURES = `while [ ! -f ${FIXTURE_DIR}/ready ]; do sleep 0.1; done`;

/** Every JSON line of this test's session logs. */
export function sessionLogRecords(home: string): Array<Record<string, unknown>> {
  const dir = join(home, 'state', 'logs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    );
}

export async function waitForOutput(
  child: { stderr: NodeJS.ReadableStream | null },
  marker: string,
): Promise<void> {
  await new Promise<void>((resolve) => {
    let seen = '';
    child.stderr!.on('data', (c: Buffer) => {
      seen += c.toString('utf8');
      if (seen.includes(marker)) resolve();
    });
  });
}
