// The vendor agent images work where they will run: each is built through the
// same code path as `containai images build AGENT` (cached by content hash,
// so only a changed tree pays the build), and its CLI prints the pinned
// version as uid 1000 in the hardened container: read-only root, HOME and
// /tmp on tmpfs, no network. A CLI that tried to update itself or to write
// into its install directory at start would fail here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENTS } from '../../launchers/agents/definitions.js';
import { DockerEngine } from '../../launchers/docker/engine.js';
import { ensureAgentImage, imageDir } from '../../launchers/images/ensure-images.js';
import { leftovers, runCli, useTestEnv } from './helpers/cli.js';

interface VendorCli {
  agent: string;
  command: string;
  npmPackage: string;
  /** The version line, given the pinned version. */
  versionLine: (version: string) => string;
  /** Where npm installed it, which the agent must not be able to change. */
  installDir: string;
}

const CLIS: VendorCli[] = [
  {
    agent: 'copilot',
    command: 'copilot',
    npmPackage: '@github/copilot',
    versionLine: (v) => `GitHub Copilot CLI ${v}.`,
    installDir: '/opt/copilot',
  },
  {
    agent: 'codex',
    command: 'codex',
    npmPackage: '@openai/codex',
    versionLine: (v) => `codex-cli ${v}`,
    installDir: '/opt/codex',
  },
  {
    agent: 'claude',
    command: 'claude',
    npmPackage: '@anthropic-ai/claude-code',
    versionLine: (v) => `${v} (Claude Code)`,
    installDir: '/opt/claude',
  },
];

/** The exact version images/<agent>/package.json pins. */
function pinnedVersion(cli: VendorCli): string {
  const manifest = JSON.parse(
    readFileSync(join(imageDir(AGENTS[cli.agent]!.imageDir), 'package.json'), 'utf8'),
  );
  const version = (manifest as { dependencies: Record<string, string> }).dependencies[cli.npmPackage];
  if (!version || !/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`${cli.agent}: no exact pin in package.json`);
  return version;
}

describe('vendor agent images', () => {
  const images = new Map<string, string>();

  beforeAll(async () => {
    const engine = DockerEngine.fromEnv(process.env);
    // One at a time: they share the node22 parent, and the machine has 2 cores.
    for (const { agent } of CLIS) {
      const image = await ensureAgentImage(engine, AGENTS[agent]!.imageDir, {
        env: process.env,
        log: (line) => process.stderr.write(`[agent-images] ${line}\n`),
      });
      images.set(agent, image.ref);
    }
  }, 900_000);

  it.each(CLIS)(
    '$command --version prints the pinned version as uid 1000 on a read-only root, offline',
    async (cli) => {
      const t = useTestEnv();
      // One bash line (run-shell's bash -lc); every check must pass for exit 0.
      const script = [
        `${cli.command} --version`,
        'echo "uid=$(id -u)"',
        // Nothing outside HOME, /tmp and /workspace is writable, the install
        // directory included; no package manager is left in the image.
        `! touch ${cli.installDir}/containai-probe 2>/dev/null`,
        '! touch /usr/local/bin/containai-probe 2>/dev/null',
        '! command -v npm',
        'echo checks-passed',
      ].join(' && ');
      const result = await runCli(
        'run-shell',
        ['--image', images.get(cli.agent)!, '--network-proxy', 'restricted', '--prompt', script],
        { env: t.env },
      );
      expect(result.stderr).not.toContain('containai: error');
      expect(result.status).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines).toContain(cli.versionLine(pinnedVersion(cli)));
      expect(lines).toContain('uid=1000');
      expect(lines).toContain('checks-passed');
      expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
    },
  );
});
