// Threat model: allowlist values come from flags, config files and agent
// defaults, and are written verbatim into squid.conf. A value that smuggles a
// newline adds a directive ('http_access allow all'); an IP literal, wildcard
// or public suffix silently widens egress. Each must be refused, not cleaned.

import { describe, expect, it } from 'vitest';
import { ContainaiError } from '../../../broker/errors.js';
import {
  allowlistMatches,
  formatAllowlistEntry,
  mergeAllowlist,
  parseAllowlistEntry,
} from '../../../proxy/allowlist.js';

function refusal(value: string): ContainaiError {
  try {
    parseAllowlistEntry(value);
  } catch (err) {
    if (err instanceof ContainaiError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe('parseAllowlistEntry accepts host names and normalises them', () => {
  it.each([
    ['api.example.com', 'api.example.com'],
    ['API.Example.COM', 'api.example.com'],
    ['.example.com', '.example.com'],
    ['Bücher.de', 'xn--bcher-kva.de'],
    ['.bücher.de', '.xn--bcher-kva.de'],
    ['ＥＸＡＭＰＬＥ.com', 'example.com'],
    ['example。com', 'example.com'],
    ['registry-1.docker.io', 'registry-1.docker.io'],
    ['a.github.io', 'a.github.io'],
    ['1.2.3.4.example.com', '1.2.3.4.example.com'],
  ])('%j -> %j', (input, expected) => {
    expect(formatAllowlistEntry(parseAllowlistEntry(input))).toBe(expected);
  });
});

describe('parseAllowlistEntry refuses hostile and unsafe values', () => {
  it.each([
    ['squid directive injection', 'example.com\nhttp_access allow all'],
    ['carriage return', 'example.com\r'],
    ['space', 'example.com allow'],
    ['tab', 'example.com\t.evil.com'],
    ['NUL', 'example.com\u0000'],
    ['zero-width space', 'exa\u200bmple.com'],
    ['empty', ''],
    ['IPv4', '127.0.0.1'],
    ['decimal IPv4', '2130706433'],
    ['hex IPv4', '0x7f.1'],
    ['octal IPv4', '0177.0.0.1'],
    ['short IPv4', '127.1'],
    ['out-of-range dotted quad', '999.999.999.999'],
    ['metadata IPv4', '169.254.169.254'],
    ['IPv6', '::1'],
    ['metadata IPv6', 'fd00:ec2::254'],
    ['bracketed IPv6', '[::1]'],
    ['wildcard everything', '*'],
    ['wildcard TLD', '*.com'],
    ['wildcard subdomain', '*.example.com'],
    ['bare TLD', 'com'],
    ['dotted TLD', '.com'],
    ['local name', 'localhost'],
    ['public suffix', '.co.uk'],
    ['public suffix exact', 'com.au'],
    ['shared hosting suffix', '.github.io'],
    ['port', 'example.com:443'],
    ['scheme', 'https://example.com'],
    ['path', 'example.com/path'],
    ['backslash (WHATWG would truncate it)', 'a\\b.com'],
    ['quote', 'exa"mple.com'],
    ['squid regex meta', 'example.com$'],
    ['percent', 'ex%61mple.com'],
    ['userinfo', 'user@example.com'],
    ['underscore', 'ex_ample.com'],
    ['double dot', 'example..com'],
    ['double leading dot', '..example.com'],
    ['trailing dot', 'example.com.'],
    ['leading hyphen label', '-example.com'],
    ['numeric TLD', 'example.123'],
    ['label over 63', `${'a'.repeat(64)}.com`],
    ['name over 253', `${'a.'.repeat(127)}com`],
  ])('%s', (_what, value) => {
    const err = refusal(value);
    expect(err.code).toBe('ALLOWLIST_INVALID');
    expect(err.exitStatus).toBe(96);
    // The message quotes the value JSON-style: no raw newline reaches the terminal.
    expect([...err.message].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    expect(err.actions.join(' ')).toContain('--allow-domain');
  });

  it('names the flag or file the value came from', () => {
    expect(() => parseAllowlistEntry('*.com', 'config.toml network.allow')).toThrow(
      /config\.toml network\.allow/,
    );
  });

  it('suggests the leading-dot form for a subdomain wildcard', () => {
    expect(refusal('*.example.com').actions.join(' ')).toContain('.example.com');
  });
});

describe('mergeAllowlist', () => {
  const merge = (...values: string[][]): string[] =>
    mergeAllowlist(values.map((v, i) => ({ origin: `source ${i}`, values: v }))).map(formatAllowlistEntry);

  it('combines sources and drops duplicates', () => {
    expect(merge(['api.example.com'], ['API.example.com', 'b.example.org'])).toEqual([
      'api.example.com',
      'b.example.org',
    ]);
  });

  // Squid 5.7 FATALs on `acl x dstdomain a.example.com .example.com` and on
  // `example.com .example.com` ("Bungled … is a subdomain of …"), so entries a
  // leading-dot entry covers must go, in whatever order they arrive.
  it('drops entries a leading-dot entry already covers', () => {
    expect(merge(['a.example.com', 'example.com', '.x.example.com'], ['.example.com'])).toEqual([
      '.example.com',
    ]);
  });

  it('keeps siblings and look-alike suffixes', () => {
    expect(merge(['.example.com', 'notexample.com', 'example.com.evil.org'])).toEqual([
      '.example.com',
      'notexample.com',
      'example.com.evil.org',
    ]);
  });

  it('refuses the whole merge when one value is bad', () => {
    expect(() => merge(['ok.example.com'], ['evil.com\nhttp_access allow all'])).toThrow(ContainaiError);
  });

  it('allows an empty allowlist (everything denied)', () => {
    expect(merge([])).toEqual([]);
  });
});

describe('allowlistMatches follows Squid dstdomain semantics', () => {
  const list = mergeAllowlist([{ origin: 't', values: ['.example.com', 'api.example.org'] }]);
  it.each([
    ['example.com', true],
    ['a.b.example.com', true],
    ['API.example.org', true],
    ['x.api.example.org', false],
    ['example.org', false],
    ['notexample.com', false],
    ['example.com.evil.org', false],
  ])('%s -> %s', (host, expected) => {
    expect(allowlistMatches(list, host)).toBe(expected);
  });
});
