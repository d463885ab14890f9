// Renders the per-session squid.conf from typed values. Each section lives in
// its own module; this one only orders them and adds the header.

import { renderAccess } from './access.js';
import { renderAccessLog } from './access-log.js';
import { renderAcls } from './acls.js';
import { renderHardening } from './hardening.js';
import { resolveSquidConfOptions, type SquidConfOptions } from './options.js';
import { renderProcess } from './process.js';

/** Throws ContainaiError (ALLOWLIST_INVALID, CONFIG_INVALID) on any unsafe value. */
export function renderSquidConf(options: SquidConfOptions): string {
  const opts = resolveSquidConfOptions(options);
  const sections: [string, string[]][] = [
    ['process', renderProcess(opts)],
    ['privacy, cache, timeouts', renderHardening()],
    ['access log (JSON lines)', renderAccessLog(opts)],
    ['ACLs', renderAcls(opts)],
    ['access policy: default deny', renderAccess(opts)],
  ];
  const out = [`# squid.conf for containai session ${opts.sessionId}; generated, do not edit.`];
  for (const [title, lines] of sections) out.push('', `# --- ${title}`, ...lines);
  return `${out.join('\n')}\n`;
}
