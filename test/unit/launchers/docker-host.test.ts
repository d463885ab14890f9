import { describe, expect, it } from 'vitest';
import { ContainaiError } from '../../../broker/errors.js';
import { DEFAULT_SOCKET, parseDockerHost } from '../../../launchers/docker/docker-host.js';

function refusal(value: string, tls?: string): ContainaiError {
  try {
    parseDockerHost(value, tls);
  } catch (err) {
    if (err instanceof ContainaiError) return err;
    throw err;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe('parseDockerHost', () => {
  it.each([undefined, ''])('uses the standard socket when DOCKER_HOST is %j', (value) => {
    expect(parseDockerHost(value)).toEqual({
      kind: 'unix',
      socketPath: '/var/run/docker.sock',
      display: 'unix:///var/run/docker.sock',
    });
    expect(DEFAULT_SOCKET).toBe('/var/run/docker.sock');
  });

  it('reads an absolute unix:// socket path', () => {
    expect(parseDockerHost('unix:///run/user/1000/docker.sock')).toEqual({
      kind: 'unix',
      socketPath: '/run/user/1000/docker.sock',
      display: 'unix:///run/user/1000/docker.sock',
    });
  });

  it('reads tcp://HOST:PORT without TLS', () => {
    expect(parseDockerHost('tcp://10.0.0.5:2375')).toEqual({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 2375,
      tls: false,
      display: 'tcp://10.0.0.5:2375',
    });
  });

  it('defaults the port to 2375 without TLS and 2376 with it', () => {
    expect(parseDockerHost('tcp://docker.example')).toMatchObject({ port: 2375, tls: false });
    expect(parseDockerHost('tcp://docker.example', '1')).toMatchObject({ port: 2376, tls: true });
  });

  it('keeps an explicit port when TLS is on', () => {
    expect(parseDockerHost('tcp://docker.example:12345', '1')).toMatchObject({
      host: 'docker.example',
      port: 12345,
      tls: true,
    });
  });

  it.each([
    [undefined, false],
    ['', false],
    ['0', false],
    ['1', true],
    ['yes', true],
  ])('DOCKER_TLS_VERIFY=%j means tls %s', (tls, expected) => {
    expect(parseDockerHost('tcp://h:1', tls)).toMatchObject({ tls: expected });
  });

  it.each(['unix://var/run/docker.sock', 'unix://docker.sock', 'unix://', 'unix://./docker.sock'])(
    'refuses the relative unix path %j with CONFIG_INVALID',
    (value) => {
      const err = refusal(value);
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toContain(JSON.stringify(value));
      expect(err.message).toMatch(/absolute/);
    },
  );

  it.each([
    'ssh://user@host',
    'ftp://host/',
    'npipe:////./pipe/docker_engine',
    'http://host:2375',
    '/var/run/docker.sock',
    'fd://',
    'TCP://host:2375',
  ])('refuses the unsupported address %j with CONFIG_INVALID', (value) => {
    const err = refusal(value);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.exitStatus).toBe(78);
    expect(err.message).toContain(`DOCKER_HOST=${JSON.stringify(value)}`);
    expect(err.actions.length).toBeGreaterThan(0);
  });

  it.each(['tcp://', 'tcp://host:99999', 'tcp://host:port', 'tcp://[::1'])(
    'refuses the malformed tcp address %j, keeping the parser error as cause',
    (value) => {
      const err = refusal(value);
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.cause).toBeInstanceOf(Error);
    },
  );

  it('escapes a newline in the value so it cannot forge a terminal line', () => {
    const err = refusal('ssh://host\ncontainai: ok');
    expect(err.message).not.toContain('\n');
    expect(err.message).toContain('\\n');
  });
});
