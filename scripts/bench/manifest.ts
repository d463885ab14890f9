// Manifest hashing of the trusted set (hash of every file, plus the git
// check in a checkout), against merely reading the same files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildManifest } from '../../launchers/manifest/session-manifest.js';
import { trustedFiles } from '../../launchers/manifest/trusted-files.js';
import { median, ms, printLine } from './stats.js';

export async function benchManifest(root: string, runs: number): Promise<void> {
  const files = trustedFiles(root);
  const cold = await timeOnce(() =>
    buildManifest({ installRoot: root, image: { ref: 'bench', id: 'sha256:bench' } }),
  );
  const hashing: number[] = [];
  const reading: number[] = [];
  for (let i = 0; i < runs; i++) {
    hashing.push(
      await timeOnce(() => buildManifest({ installRoot: root, image: { ref: 'bench', id: 'sha256:bench' } })),
    );
    reading.push(await timeOnce(async () => files.forEach((f) => readFileSync(join(root, f)))));
  }
  printLine({
    name: `manifest of ${files.length} trusted files, first in process`,
    value: ms(cold),
    target: '≤ 100 ms',
  });
  printLine({
    name: `manifest, median of ${runs}`,
    value: ms(median(hashing)),
    baseline: `reading the files ${ms(median(reading))}`,
    ratio: median(hashing) / median(reading),
  });
}

async function timeOnce(work: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
