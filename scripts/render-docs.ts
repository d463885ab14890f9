// npm run docs: regenerates the command reference in docs/cli.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCommandReference } from '../launchers/cli/render-cli-docs.js';
import { installRoot } from '../launchers/install-root.js';

const path = join(installRoot(), 'docs', 'cli.md');
writeFileSync(path, withCommandReference(readFileSync(path, 'utf8')));
