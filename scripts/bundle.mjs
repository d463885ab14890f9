// Bundles the in-container programs into single JS files under dist/bundles/,
// which image builds copy in (and hash, so a changed program rebuilds its image).
// They run on the image's Debian Node (18), hence the target.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

export const BUNDLES = {
  'mcp-stub': 'mcp-stub/main.ts',
  'log-forwarder': 'proxy/log-forwarder/main.ts',
};

for (const [name, entry] of Object.entries(BUNDLES)) {
  if (!existsSync(entry)) continue; // not written yet
  await build({
    entryPoints: [entry],
    outfile: `dist/bundles/${name}.js`,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    legalComments: 'none',
    logLevel: 'warning',
  });
}
