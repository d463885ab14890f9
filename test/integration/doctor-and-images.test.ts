// `containai doctor` reports every check; images are cached by content hash.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { runCli, useTestEnv } from './helpers/cli.js';

describe('containai doctor', () => {
  it('passes on this machine and prints every check as JSON', async () => {
    const t = useTestEnv();
    const result = await runCli('containai', ['doctor', '--json'], { env: t.env });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: Array<{ id: string; status: string }>;
    };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'node',
        'docker-endpoint',
        'docker-engine',
        'base-image',
        'git',
        'debootstrap',
        'paths',
      ]),
    );
  });

  it('fails with the engine error code, cause and action when the engine is missing', async () => {
    const t = useTestEnv({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    const result = await runCli('containai', ['doctor'], { env: t.env });
    expect(result.status).toBe(68);
    expect(result.stdout).toContain('[FAIL] Docker engine reachable');
    expect(result.stdout).toContain('DOCKER_NO_SOCKET');
    expect(result.stdout).toContain('to fix:');
  });
});

describe('image cache by content hash', () => {
  it('an unchanged tree never rebuilds', async () => {
    const t = useTestEnv();
    const result = await runCli('containai', ['images', 'build', '--json'], { env: t.env });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).image).toBe(inject('shellImage'));
    expect(result.stderr).not.toContain('building image');
  });

  it('a changed agent context always rebuilds, into a new tag', async () => {
    // A copy of the installation with one byte changed in images/shell.
    const copy = mkdtempSync(join(tmpdir(), 'containai-install-'));
    onTestFinished(() => rmSync(copy, { recursive: true, force: true }));
    for (const part of ['package.json', 'dist', 'images', 'scripts', 'node_modules']) {
      cpSync(join(import.meta.dirname, '../..', part), join(copy, part), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
    writeFileSync(join(copy, 'images/shell/Dockerfile'), '\n# changed\n', { flag: 'a' });
    const t = useTestEnv();
    const result = await runCli('containai', ['images', 'build', '--json'], { env: t.env, cwd: copy }).then(
      (r) => r,
    );
    void result;
    const built = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      import('node:child_process').then(({ spawn }) => {
        const child = spawn(
          process.execPath,
          [join(copy, 'dist/launchers/bin/containai.js'), 'images', 'build', '--json'],
          { env: t.env },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    });
    expect(built.status).toBe(0);
    const tag = JSON.parse(built.stdout).image as string;
    onTestFinished(() => t.engine.removeImage(tag));
    expect(tag).not.toBe(inject('shellImage'));
    expect(built.stderr).toContain(`building image ${tag}`);
  });
});
