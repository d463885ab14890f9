// Validation and merging of the domains the proxy lets an agent reach.
//
// Every accepted value ends up verbatim in squid.conf, so this module is the
// injection boundary: it accepts only lowercase LDH host names (IDNA already
// converted to punycode) and refuses everything else with a reason the user
// can act on. It is pure: values in, values or ContainaiError out.

import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { ContainaiError, quote } from '../broker/errors.js';
import { sharedSuffixReason } from './shared-suffixes.js';

export interface AllowlistEntry {
  /** Lowercase ASCII host name (punycode for IDN), without a leading dot. */
  readonly host: string;
  /** Written with a leading dot: the host itself and all its subdomains. */
  readonly subdomains: boolean;
}

/** Merged, de-duplicated and overlap-free; safe to render into squid.conf. */
export type Allowlist = readonly AllowlistEntry[];

export interface AllowlistSource {
  /** Where the values came from, for error messages: '--allow-domain', 'config.toml', 'claude defaults'. */
  readonly origin: string;
  readonly values: readonly string[];
}

const MAX_HOST_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// Letters and digits of any script (IDN), hyphens, and the dots IDNA maps to
// '.' (ideographic and full-width). Checked *before* domainToASCII because the
// WHATWG parser silently rewrites some inputs: 'a\b.com' becomes 'a'.
const RAW_HOST_CHARS = /^[\p{L}\p{M}\p{N}\-.\u3002\uff0e\uff61]+$/u;
// Whitespace, control, format (zero-width) and unassigned code points.
const INVISIBLE = /[\s\p{C}]/u;

/** The form used in squid.conf and in messages: '.example.com' or 'example.com'. */
export function formatAllowlistEntry(entry: AllowlistEntry): string {
  return entry.subdomains ? `.${entry.host}` : entry.host;
}

/** Validates and normalises one value; throws ALLOWLIST_INVALID with the reason. */
export function parseAllowlistEntry(value: string, origin = '--allow-domain'): AllowlistEntry {
  const refuse = (reason: string, example = 'api.example.com'): never => {
    throw new ContainaiError('ALLOWLIST_INVALID', `${origin} value ${quote(value)} refused: ${reason}`, {
      actions: [
        `give a host name, e.g. --allow-domain ${example} (or .${example} to include its subdomains)`,
      ],
    });
  };
  if (typeof value !== 'string' || value.length === 0) return refuse('it is empty');
  if (INVISIBLE.test(value)) return refuse('it contains whitespace, newlines or control characters');
  if (value.length > MAX_HOST_LENGTH + 1) return refuse(`it is longer than ${MAX_HOST_LENGTH} characters`);
  if (value.includes('://')) return refuse('it is a URL; give only the host name');
  if (value.includes('*')) {
    const rest = value.replace(/^\*\.?/, '');
    return rest.includes('.') && !rest.includes('*')
      ? refuse('wildcards are not supported; a leading dot already includes subdomains', rest)
      : refuse('a wildcard over a whole TLD or everything would allow any host');
  }
  if (value.includes('[') || isIP(value) === 6 || (value.match(/:/g) ?? []).length > 1) {
    return refuse('IP addresses are never allowed; allow the host name that serves it');
  }
  if (value.includes(':')) return refuse('ports are not part of the allowlist (HTTPS is 443, HTTP is 80)');
  if (value.includes('/') || value.includes('\\'))
    return refuse('it contains a path; give only the host name');
  if (!RAW_HOST_CHARS.test(value)) return refuse('it contains characters that cannot appear in a host name');

  const subdomains = value.startsWith('.');
  const ascii = domainToASCII(subdomains ? value.slice(1) : value);
  // The WHATWG host parser turns every IPv4 spelling ('2130706433', '0x7f.1',
  // '0177.0.0.1', '127.1') into dotted quad, so one isIP check covers them all.
  if (isIP(ascii) !== 0 || /^[0-9.]+$/.test(value)) {
    return refuse('IP addresses are never allowed; allow the host name that serves it');
  }
  if (ascii === '') return refuse('it is not a valid (internationalised) host name');
  if (ascii.length > MAX_HOST_LENGTH) return refuse(`it is longer than ${MAX_HOST_LENGTH} characters`);

  const labels = ascii.split('.');
  if (labels.some((l) => l === ''))
    return refuse('it has an empty label (a leading, trailing or double dot)');
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH)
      return refuse(`a label is longer than ${MAX_LABEL_LENGTH} characters`);
    if (!LDH_LABEL.test(label))
      return refuse(`label ${quote(label)} is not letters, digits and inner hyphens`);
  }
  if (labels.length < 2) return refuse('a single label is a top-level domain or a local name, not a host');
  if (!/^[a-z]/.test(labels[labels.length - 1] ?? ''))
    return refuse('the top-level domain must start with a letter');
  const shared = sharedSuffixReason(labels, subdomains);
  if (shared !== undefined) return refuse(shared);
  return { host: ascii, subdomains };
}

/** True when `entry` is already matched by `by` (and they differ). */
function coveredBy(entry: AllowlistEntry, by: AllowlistEntry): boolean {
  if (!by.subdomains || entry === by) return false;
  if (entry.host === by.host) return !entry.subdomains;
  return entry.host.endsWith(`.${by.host}`);
}

/**
 * Merges agent defaults, flags and config entries into one allowlist:
 * validated, de-duplicated, and without entries a `.parent` entry already
 * covers. Squid refuses to start ("FATAL: Bungled … is a subdomain of …") when
 * a `dstdomain` ACL lists `a.example.com` after `.example.com`, or
 * `.example.com` after `example.com`; only the first order merely warns.
 */
export function mergeAllowlist(sources: readonly AllowlistSource[]): Allowlist {
  const unique = new Map<string, AllowlistEntry>();
  for (const source of sources) {
    for (const value of source.values) {
      const entry = parseAllowlistEntry(value, source.origin);
      unique.set(formatAllowlistEntry(entry), entry);
    }
  }
  const entries = [...unique.values()];
  const kept = entries.filter((e) => !entries.some((by) => coveredBy(e, by)));
  // Sorted by reversed labels so a domain's entries sit together, stably.
  const key = (e: AllowlistEntry): string => e.host.split('.').reverse().join('.');
  return kept.sort((a, b) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : Number(a.subdomains) - Number(b.subdomains),
  );
}

/** Whether a request to `host` would pass the allowlist (Squid dstdomain semantics). */
export function allowlistMatches(allowlist: Allowlist, host: string): boolean {
  const h = host.toLowerCase();
  return allowlist.some((e) => h === e.host || (e.subdomains && h.endsWith(`.${e.host}`)));
}
