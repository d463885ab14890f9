import { describe, expect, it } from 'vitest';
import {
  extraLabels,
  LABEL,
  sessionLabels,
  type SessionLabelInput,
} from '../../../launchers/docker/labels.js';

const session: SessionLabelInput = {
  session: 'shell-repo-main',
  launch: '0123456789abcdef',
  agent: 'shell',
  repo: '/home/user/repo',
  branch: 'shell/session-1',
  profile: 'restricted',
  created: new Date('2025-01-02T03:04:05.678Z'),
};

const OWN_KEYS = [
  'containai.session',
  'containai.launch',
  'containai.agent',
  'containai.repo',
  'containai.branch',
  'containai.role',
  'containai.profile',
  'containai.created',
];
// Lifecycle labels (launchers/lifecycle/): set only when the launch supplies them.
const LIFECYCLE_KEYS = ['containai.mode', 'containai.launcher', 'containai.broker-session'];

describe('sessionLabels', () => {
  it('carries all eight containai.* keys with the session values', () => {
    expect(sessionLabels(session, 'agent', {})).toEqual({
      'containai.session': 'shell-repo-main',
      'containai.launch': '0123456789abcdef',
      'containai.agent': 'shell',
      'containai.repo': '/home/user/repo',
      'containai.branch': 'shell/session-1',
      'containai.role': 'agent',
      'containai.profile': 'restricted',
      'containai.created': '2025-01-02T03:04:05.678Z',
    });
    expect(Object.values(LABEL).sort()).toEqual([...OWN_KEYS, ...LIFECYCLE_KEYS].sort());
  });

  it.each(['agent', 'proxy', 'logs'] as const)('records the role %s', (role) => {
    expect(sessionLabels(session, role, {})['containai.role']).toBe(role);
  });

  it('adds extra labels next to its own', () => {
    const labels = sessionLabels(session, 'agent', { 'ci.run': '42' });
    expect(labels['ci.run']).toBe('42');
    for (const key of OWN_KEYS) expect(labels[key]).toBeDefined();
  });

  it('never lets extra labels replace its own, even when handed in directly', () => {
    const forged = Object.fromEntries(OWN_KEYS.map((k) => [k, 'forged']));
    const labels = sessionLabels(session, 'agent', forged);
    expect(labels['containai.session']).toBe('shell-repo-main');
    expect(Object.values(labels)).not.toContain('forged');
  });

  it('reads CONTAINAI_LABELS when no extras are given', () => {
    const before = process.env.CONTAINAI_LABELS;
    process.env.CONTAINAI_LABELS = 'team=infra,containai.session=other';
    try {
      const labels = sessionLabels(session, 'agent');
      expect(labels.team).toBe('infra');
      expect(labels['containai.session']).toBe('shell-repo-main');
    } finally {
      if (before === undefined) delete process.env.CONTAINAI_LABELS;
      else process.env.CONTAINAI_LABELS = before;
    }
  });
});

describe('extraLabels parses CONTAINAI_LABELS', () => {
  it.each([undefined, ''])('gives no labels for %j', (spec) => {
    expect(extraLabels(spec)).toEqual({});
  });

  it('reads comma-separated key=value pairs', () => {
    expect(extraLabels('ci.run=42,cost-center=eng')).toEqual({ 'ci.run': '42', 'cost-center': 'eng' });
  });

  it('keeps everything after the first "=" as the value', () => {
    expect(extraLabels('query=a=b')).toEqual({ query: 'a=b' });
  });

  it('allows an empty value', () => {
    expect(extraLabels('flag=')).toEqual({ flag: '' });
  });

  it('trims spaces around keys', () => {
    expect(extraLabels(' team =infra')).toEqual({ team: 'infra' });
  });

  it.each(OWN_KEYS)('refuses to set %s', (key) => {
    expect(extraLabels(`${key}=forged,ok=1`)).toEqual({ ok: '1' });
    expect(extraLabels(`  ${key}  =forged`)).toEqual({});
  });

  it('ignores pairs without a key or without "="', () => {
    expect(extraLabels('novalue,=orphan,,good=1,=')).toEqual({ good: '1' });
  });

  it('lets the later of two pairs with the same key win', () => {
    expect(extraLabels('k=1,k=2')).toEqual({ k: '2' });
  });

  it('does not pollute the object prototype', () => {
    const labels = extraLabels('__proto__=x,constructor=y');
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
