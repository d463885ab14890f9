import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../../broker/errors.js';
import { parseDockerHost } from '../../../launchers/docker/docker-host.js';
import {
  apiVersionAtLeast,
  connectionError,
  engineError,
  MIN_API_VERSION,
} from '../../../launchers/docker/engine-errors.js';

describe('apiVersionAtLeast compares numerically', () => {
  it.each([
    ['1.41', '1.41', true],
    ['1.43', '1.41', true],
    ['1.100', '1.41', true],
    ['2.0', '1.41', true],
    ['1.41.1', '1.41', true],
    ['1.9', '1.41', false],
    ['1.40', '1.41', false],
    ['1.4', '1.41', false],
    ['0.99', '1.41', false],
    ['1', '1.41', false],
  ])('%j >= %j is %s', (actual, minimum, expected) => {
    expect(apiVersionAtLeast(actual, minimum)).toBe(expected);
  });

  it.each(['garbage', '', 'v1.43', '1.x', 'NaN', '1.41beta'])('treats %j as too old', (actual) => {
    expect(apiVersionAtLeast(actual, MIN_API_VERSION)).toBe(false);
  });

  it('requires Docker 20.10 (API 1.41)', () => {
    expect(MIN_API_VERSION).toBe('1.41');
  });
});

describe('connectionError maps socket errors to actionable codes', () => {
  const endpoint = parseDockerHost('unix:///var/run/docker.sock');

  function systemError(code: string): NodeJS.ErrnoException {
    return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });
  }

  it.each([
    ['ENOENT', 'DOCKER_NO_SOCKET'],
    ['ENOTSOCK', 'DOCKER_NO_SOCKET'],
    ['ECONNREFUSED', 'DOCKER_DOWN'],
    ['EACCES', 'DOCKER_PERMISSION'],
    ['EPERM', 'DOCKER_PERMISSION'],
    ['ETIMEDOUT', 'DOCKER_UNRESPONSIVE'],
    ['ESOCKETTIMEDOUT', 'DOCKER_UNRESPONSIVE'],
  ] as const)('%s becomes %s', (errno, code) => {
    const original = systemError(errno);
    const err = connectionError(endpoint, original);
    expect(err.code).toBe(code);
    expect(err.exitStatus).toBe(ERROR_CATALOGUE[code].exit);
    expect(err.message).toContain('unix:///var/run/docker.sock');
    expect(err.causes.length).toBeGreaterThan(0);
    expect(err.actions.length).toBeGreaterThan(0);
    for (const line of [...err.causes, ...err.actions]) expect(line.trim()).not.toBe('');
    expect(err.cause).toBe(original);
  });

  it('tells a permission-denied user how to join the docker group', () => {
    const err = connectionError(endpoint, systemError('EACCES'));
    expect(err.actions.join('\n')).toMatch(/usermod -aG docker/);
  });

  it('names the configured tcp endpoint, not the default socket', () => {
    const err = connectionError(parseDockerHost('tcp://10.1.2.3:2375'), systemError('ECONNREFUSED'));
    expect(err.message).toContain('tcp://10.1.2.3:2375');
    expect(err.message).not.toContain('docker.sock');
  });

  it.each([
    ['an unknown errno', systemError('EHOSTUNREACH')],
    ['a non-Error value', 'socket hang up'],
    ['undefined', undefined],
    ['null', null],
  ])('falls back to DOCKER_ERROR for %s without throwing', (_what, value) => {
    const err = connectionError(endpoint, value);
    expect(err.code).toBe('DOCKER_ERROR');
    expect(err.actions.length).toBeGreaterThan(0);
  });
});

describe('engineError', () => {
  it("prefers the engine's JSON message and names the HTTP status", () => {
    const reply = Object.assign(new Error('(HTTP code 409) unexpected'), {
      statusCode: 409,
      json: { message: 'Conflict. The container name "/x" is already in use\n' },
    });
    const err = engineError('cannot create container x', reply);
    expect(err.code).toBe('DOCKER_ERROR');
    expect(err.message).toBe(
      'cannot create container x: Conflict. The container name "/x" is already in use',
    );
    expect(err.causes).toEqual(['the engine answered HTTP 409']);
    expect(err.cause).toBe(reply);
  });
});

describe('engine errors that need their own advice', () => {
  it('an exhausted network address pool says so and how to free or widen it', () => {
    const err = engineError('cannot create network s-egress', {
      statusCode: 404,
      json: {
        message:
          'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
      },
    });
    expect(err.code).toBe('DOCKER_ERROR');
    expect(err.message).toContain('no free network address range');
    expect(err.actions.join('\n')).toContain('containai gc');
    expect(err.actions.join('\n')).toContain('default-address-pools');
  });
});
