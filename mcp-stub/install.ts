// `mcp-stub install`: reads the install tar from stdin and writes its files
// into /run/containai (a private tmpfs), 0600, after validating each.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { ContainaiError } from '../broker/errors.js';
import {
  INSTALL_DIR,
  INSTALL_FILES,
  MAX_INSTALL_FILE_BYTES,
  type InstallFileName,
} from '../broker/stub-install.js';
import { assertPrivateTmpfs } from './private-tmpfs.js';

export async function install(
  _argv: string[],
  input: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  assertPrivateTmpfs(INSTALL_DIR);
  const files = await readInstallTar(input);
  for (const [name, text] of files) {
    const path = join(INSTALL_DIR, name);
    writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }
  return 0;
}

export async function readInstallTar(input: NodeJS.ReadableStream): Promise<Map<InstallFileName, string>> {
  const files = new Map<InstallFileName, string>();
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on('entry', (header, stream, next) => {
      const name = header.name as InstallFileName;
      if (header.type !== 'file' || !(name in INSTALL_FILES) || files.has(name)) {
        return reject(refused(`unexpected entry ${JSON.stringify(header.name)}`));
      }
      if ((header.size ?? 0) > MAX_INSTALL_FILE_BYTES) return reject(refused(`${name} is too large`));
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return reject(refused(`${name} is not JSON`));
        }
        if (!INSTALL_FILES[name].safeParse(parsed).success)
          return reject(refused(`${name} does not match its schema`));
        files.set(name, text);
        next();
      });
      stream.on('error', reject);
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
  });
  input.pipe(tar);
  await done;
  for (const name of Object.keys(INSTALL_FILES) as InstallFileName[]) {
    if (!files.has(name)) throw refused(`${name} is missing`);
  }
  return files;
}

function refused(why: string): ContainaiError {
  return new ContainaiError('SESSION_SETUP_FAILED', `mcp-stub install: ${why}`);
}
