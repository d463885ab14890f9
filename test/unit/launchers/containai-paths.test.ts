import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../../broker/paths.js';

const xdg = {
  HOME: '/home/u',
  XDG_CONFIG_HOME: '/xdg/config',
  XDG_STATE_HOME: '/xdg/state',
  XDG_RUNTIME_DIR: '/run/user/1000',
};

describe('resolvePaths', () => {
  it('CONTAINAI_HOME relocates config, state and runtime, overriding XDG and HOME', () => {
    expect(resolvePaths({ ...xdg, CONTAINAI_HOME: '/tmp/ctest' }, 1000)).toEqual({
      config: '/tmp/ctest/config',
      state: '/tmp/ctest/state',
      runtime: '/tmp/ctest/run',
    });
  });

  it('keeps every path inside CONTAINAI_HOME', () => {
    const paths = resolvePaths({ ...xdg, CONTAINAI_HOME: '/tmp/ctest' }, 1000);
    for (const p of Object.values(paths)) expect(p.startsWith('/tmp/ctest/')).toBe(true);
  });

  it('makes a relative CONTAINAI_HOME absolute', () => {
    const paths = resolvePaths({ CONTAINAI_HOME: 'rel/home' }, 1000);
    expect(paths.config).toBe(join(resolve('rel/home'), 'config'));
    for (const p of Object.values(paths)) expect(p.startsWith('/')).toBe(true);
  });

  it('honours the XDG variables', () => {
    expect(resolvePaths(xdg, 1000)).toEqual({
      config: '/xdg/config/containai',
      state: '/xdg/state/containai',
      runtime: '/run/user/1000/containai',
    });
  });

  it('falls back to ~/.config, ~/.local/state and a per-uid /tmp dir without XDG', () => {
    expect(resolvePaths({ HOME: '/home/u' }, 1234)).toEqual({
      config: '/home/u/.config/containai',
      state: '/home/u/.local/state/containai',
      runtime: '/tmp/containai-1234',
    });
  });

  it('gives different users different runtime dirs without XDG_RUNTIME_DIR', () => {
    expect(resolvePaths({ HOME: '/h' }, 0).runtime).not.toBe(resolvePaths({ HOME: '/h' }, 1000).runtime);
  });

  it('treats empty variables as unset', () => {
    const paths = resolvePaths(
      { CONTAINAI_HOME: '', HOME: '/home/u', XDG_CONFIG_HOME: '', XDG_STATE_HOME: '', XDG_RUNTIME_DIR: '' },
      7,
    );
    expect(paths).toEqual({
      config: '/home/u/.config/containai',
      state: '/home/u/.local/state/containai',
      runtime: '/tmp/containai-7',
    });
  });

  it('uses the account home directory when HOME is unset', () => {
    expect(resolvePaths({}, 1).config).toBe(join(homedir(), '.config', 'containai'));
  });

  it('mixes XDG variables and fallbacks per directory', () => {
    expect(resolvePaths({ HOME: '/home/u', XDG_STATE_HOME: '/s' }, 5)).toEqual({
      config: '/home/u/.config/containai',
      state: '/s/containai',
      runtime: '/tmp/containai-5',
    });
  });
});
