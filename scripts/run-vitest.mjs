// Runs vitest (all projects, or the arguments given) and ends with one plain
// summary line, "tests: N passed, N failed, N skipped", that CI systems which
// do not know vitest's own output can read. Exits with vitest's status.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'containai-vitest-'));
const report = join(dir, 'report.json');
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const child = spawn('npx', ['--no-install', ...args], { stdio: 'inherit' });
child.on('close', (code, signal) => {
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  } catch {
    console.log('tests: no report (vitest did not finish)');
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
