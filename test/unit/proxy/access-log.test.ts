// Threat model: the agent controls the method, URL, Host and User-Agent of
// its requests. Squid has no JSON encoder, so a quote, backslash or control
// byte copied raw into the access log would break or forge log lines. Squid
// 5.7's actual output for such requests was checked by hand (docs/proxy.md);
// this pins the format that made every line valid JSON there.

import { describe, expect, it } from 'vitest';
import { mergeAllowlist } from '../../../proxy/allowlist.js';
import { renderSquidConf } from '../../../proxy/squid-conf/index.js';

const allowlist = mergeAllowlist([{ origin: 'test', values: ['example.com'] }]);
const lines = (): string[] => renderSquidConf({ sessionId: 'sess-42', allowlist }).split('\n');

describe('renderSquidConf: JSON access log', () => {
  const format = lines().find((l) => l.startsWith('logformat containai_json ')) ?? '';
  const template = format.slice('logformat containai_json '.length);

  // Substitute every %code the way Squid 5.7 prints it: strings (percent-encoded
  // with %# where client-controlled) or bare digits for the numeric codes.
  function fill(value: string, digits: string): string {
    return template.replace(/%(\{[^}]*\})?[#"]?(\{[^}]*\})?([<>]?[A-Za-z_]+)/g, (_m, _a, _b, code: string) =>
      ['>Hs', '<st', '>st', 'tr'].includes(code) ? digits : value,
    );
  }

  it('is one JSON object per line with the session id', () => {
    const line = JSON.parse(fill('x', '0'));
    expect(line).toMatchObject({ type: 'proxy', session: 'sess-42', status: 0, bytes_sent: 0 });
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining(['time', 'client', 'method', 'host', 'port', 'url', 'result', 'user_agent']),
    );
  });

  it('percent-encodes every client-controlled string (Squid %" would pass control bytes raw)', () => {
    for (const code of ['%#rm', '%#>rd', '%#ru', '%#{User-Agent}>h']) expect(template).toContain(`"${code}"`);
    // What %# makes of 'ua "q" \ \x01': still a valid JSON string.
    expect(JSON.parse(fill('ua%20%22q%22%20%5C%20%01', '200')).user_agent).toBe('ua%20%22q%22%20%5C%20%01');
  });
});
