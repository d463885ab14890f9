// Finds the Debian mirror the host's own apt uses, so the debootstrap base is
// built from the same place (a user's local mirror is respected, and no
// registry host name is written into containai).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainaiError } from '../../broker/errors.js';

/** One-line format: `deb [options] URI SUITE COMPONENTS…`. */
export function mirrorsFromSourcesList(text: string, suite: string): string[] {
  const found: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line.startsWith('deb ')) continue;
    const words = line
      .slice(4)
      .replace(/\[[^\]]*\]/, ' ')
      .trim()
      .split(/\s+/);
    const [uri, lineSuite] = words;
    if (uri && lineSuite === suite) found.push(uri);
  }
  return found;
}

/** deb822 format (`*.sources`): stanzas of `Types:`, `URIs:`, `Suites:`, `Enabled:`. */
export function mirrorsFromDeb822(text: string, suite: string): string[] {
  const found: string[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const raw of stanza.split('\n')) {
      if (raw.trimStart().startsWith('#')) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
      if (m?.[1] && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2].trim());
    }
    if (fields.get('enabled')?.toLowerCase() === 'no') continue;
    if (!(fields.get('types') ?? '').split(/\s+/).includes('deb')) continue;
    if (!(fields.get('suites') ?? '').split(/\s+/).includes(suite)) continue;
    found.push(...(fields.get('uris') ?? '').split(/\s+/).filter(Boolean));
  }
  return found;
}

/** The first mirror for `suite` in /etc/apt/sources.list and sources.list.d. */
export function hostAptMirror(suite: string, aptDir = '/etc/apt'): string {
  const candidates: string[] = [];
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  candidates.push(...mirrorsFromSourcesList(read(join(aptDir, 'sources.list')), suite));
  let entries: string[] = [];
  try {
    entries = readdirSync(join(aptDir, 'sources.list.d')).sort();
  } catch {
    // no sources.list.d: fine
  }
  for (const name of entries) {
    const text = read(join(aptDir, 'sources.list.d', name));
    if (name.endsWith('.sources')) candidates.push(...mirrorsFromDeb822(text, suite));
    else if (name.endsWith('.list')) candidates.push(...mirrorsFromSourcesList(text, suite));
  }
  const mirror = candidates.find((uri) => /^https?:\/\//.test(uri));
  if (!mirror) {
    throw new ContainaiError(
      'BASE_IMAGE_UNAVAILABLE',
      `no Debian mirror for "${suite}" in the host's apt sources`,
      {
        causes: ['this host is not Debian-based, or its apt sources name another suite'],
        actions: [
          'set CONTAINAI_DEBIAN_MIRROR=http://your-mirror/debian',
          'or set CONTAINAI_BASE_IMAGE to a Debian bookworm image you already have',
        ],
      },
    );
  }
  return mirror;
}
