// Build step: records the SHA-256 of every trusted installed file in
// dist/trusted-checksums.json, so an install without git can detect files
// changed after the build.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installRoot } from '../launchers/install-root.js';
import { hashTrustedFiles } from '../launchers/manifest/file-hashes.js';
import { CHECKSUMS_FILE } from '../launchers/manifest/trusted-files.js';

const root = installRoot();
const files = hashTrustedFiles(root);
writeFileSync(join(root, CHECKSUMS_FILE), `${JSON.stringify({ version: 1, files }, null, 2)}\n`);
