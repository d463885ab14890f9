// The host's extra CA certificates (corporate TLS proxies, local mirrors):
// added to the base image at build time so tools inside trust the same CAs.
import { existsSync } from 'node:fs';
import type { ContextFile } from './build-context.js';
import { readContextDir } from './build-context.js';

export const HOST_CA_DIR = '/usr/local/share/ca-certificates';

export function hostCaCertificates(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ContextFile[] {
  const dir = env.CONTAINAI_CA_DIR || HOST_CA_DIR;
  if (!existsSync(dir)) return [];
  // update-ca-certificates only picks up *.crt files.
  return readContextDir(dir, 'ca-certificates').filter((f) => f.path.endsWith('.crt'));
}
