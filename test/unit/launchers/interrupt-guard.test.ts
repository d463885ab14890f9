import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContainaiError } from '../../../broker/errors.js';
import { InterruptGuard, stopError, type StopReason } from '../../../launchers/session/interrupts.js';

/** Stands in for `process`: only on/off/emit are used. */
function fakeProcess(): EventEmitter & NodeJS.Process {
  return new EventEmitter() as EventEmitter & NodeJS.Process;
}

function guarded(): { guard: InterruptGuard; proc: EventEmitter & NodeJS.Process; stops: StopReason[] } {
  const proc = fakeProcess();
  const stops: StopReason[] = [];
  const guard = new InterruptGuard((reason) => stops.push(reason), proc);
  return { guard, proc, stops };
}

function thrownBy(fn: () => void): ContainaiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ContainaiError) return err;
    throw err;
  }
  throw new Error('nothing was thrown');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('InterruptGuard and signals', () => {
  it('does nothing until a signal arrives', () => {
    const { guard, stops } = guarded();
    expect(() => guard.check()).not.toThrow();
    expect(guard.stopped).toBeUndefined();
    expect(stops).toEqual([]);
    guard.dispose();
  });

  it('SIGINT calls onStop once and check() throws INTERRUPTED with status 130', () => {
    const { guard, proc, stops } = guarded();
    proc.emit('SIGINT');
    expect(stops).toEqual([{ kind: 'signal', signal: 'SIGINT' }]);
    const err = thrownBy(() => guard.check());
    expect(err.code).toBe('INTERRUPTED');
    expect(err.exitStatus).toBe(130);
    expect(err.message).toContain('SIGINT');
    guard.dispose();
  });

  it('SIGTERM exits 143, SIGHUP 129', () => {
    for (const [signal, status] of [
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      const { guard, proc } = guarded();
      proc.emit(signal);
      const err = thrownBy(() => guard.check());
      expect(err.code).toBe('INTERRUPTED');
      expect(err.exitStatus).toBe(status);
      guard.dispose();
    }
  });

  it('a second signal (the user pressing Ctrl-C again) does not start a second teardown', () => {
    const { guard, proc, stops } = guarded();
    proc.emit('SIGINT');
    proc.emit('SIGINT');
    proc.emit('SIGTERM');
    expect(stops).toHaveLength(1);
    // The first reason wins.
    expect(guard.stopped).toEqual({ kind: 'signal', signal: 'SIGINT' });
    expect(thrownBy(() => guard.check()).exitStatus).toBe(130);
    guard.dispose();
  });

  it('handles the signal itself, so the process is not killed by the default action', () => {
    const { guard, proc } = guarded();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) expect(proc.listenerCount(signal)).toBe(1);
    guard.dispose();
  });
});

describe('InterruptGuard.armTimeout', () => {
  it('stops with TIMEOUT, exit 124, after the given seconds', () => {
    vi.useFakeTimers();
    const { guard, stops } = guarded();
    guard.armTimeout(5);
    vi.advanceTimersByTime(4999);
    expect(stops).toEqual([]);
    expect(() => guard.check()).not.toThrow();
    vi.advanceTimersByTime(1);
    expect(stops).toEqual([{ kind: 'timeout', seconds: 5 }]);
    const err = thrownBy(() => guard.check());
    expect(err.code).toBe('TIMEOUT');
    expect(err.exitStatus).toBe(124);
    expect(err.message).toContain('--timeout 5');
    guard.dispose();
  });

  it.each([undefined, 0, -1])('arms nothing for %j', (seconds) => {
    vi.useFakeTimers();
    const { guard, stops } = guarded();
    guard.armTimeout(seconds);
    vi.advanceTimersByTime(10 * 365 * 24 * 3600 * 1000);
    expect(stops).toEqual([]);
    guard.dispose();
  });

  it('a signal before the timeout wins, and the timeout then does nothing', () => {
    vi.useFakeTimers();
    const { guard, proc, stops } = guarded();
    guard.armTimeout(5);
    proc.emit('SIGTERM');
    vi.advanceTimersByTime(10_000);
    expect(stops).toEqual([{ kind: 'signal', signal: 'SIGTERM' }]);
    expect(thrownBy(() => guard.check()).exitStatus).toBe(143);
    guard.dispose();
  });

  it('dispose cancels the timer', () => {
    vi.useFakeTimers();
    const { guard, stops } = guarded();
    guard.armTimeout(5);
    guard.dispose();
    vi.advanceTimersByTime(10_000);
    expect(stops).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('InterruptGuard.race', () => {
  it('resolves like the work when no stop comes', async () => {
    const { guard } = guarded();
    await expect(guard.race(Promise.resolve(42))).resolves.toBe(42);
    guard.dispose();
  });

  it('rejects with the stop error when stopped while the work is pending', async () => {
    const { guard, proc } = guarded();
    const never = new Promise<number>(() => undefined);
    const raced = guard.race(never);
    proc.emit('SIGINT');
    await expect(raced).rejects.toMatchObject({ code: 'INTERRUPTED', exitStatus: 130 });
  });

  it('rejects at once when already stopped', async () => {
    const { guard, proc } = guarded();
    proc.emit('SIGTERM');
    await expect(guard.race(new Promise<number>(() => undefined))).rejects.toMatchObject({
      code: 'INTERRUPTED',
      exitStatus: 143,
    });
    guard.dispose();
  });

  it('rejects with TIMEOUT when the timeout fires first', async () => {
    vi.useFakeTimers();
    const { guard } = guarded();
    guard.armTimeout(1);
    const raced = guard.race(new Promise<number>(() => undefined));
    vi.advanceTimersByTime(1000);
    await expect(raced).rejects.toMatchObject({ code: 'TIMEOUT', exitStatus: 124 });
    guard.dispose();
  });

  it('passes a rejection of the work through unchanged', async () => {
    const { guard } = guarded();
    const boom = new Error('boom');
    await expect(guard.race(Promise.reject(boom))).rejects.toBe(boom);
    guard.dispose();
  });
});

describe('InterruptGuard.dispose', () => {
  it('removes every listener it added and nothing else', () => {
    const proc = fakeProcess();
    const other = (): void => undefined;
    proc.on('SIGINT', other);
    const stops: StopReason[] = [];
    const guard = new InterruptGuard((r) => stops.push(r), proc);
    expect(proc.listenerCount('SIGINT')).toBe(2);
    guard.dispose();
    expect(proc.listenerCount('SIGINT')).toBe(1);
    expect(proc.listeners('SIGINT')).toEqual([other]);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(proc.listenerCount('SIGHUP')).toBe(0);
    proc.emit('SIGTERM');
    expect(stops).toEqual([]);
    expect(() => guard.check()).not.toThrow();
  });

  it('does not leak listeners across many sessions', () => {
    const proc = fakeProcess();
    for (let i = 0; i < 20; i++) new InterruptGuard(() => undefined, proc).dispose();
    expect(proc.listenerCount('SIGINT')).toBe(0);
  });
});

describe('stopError', () => {
  it('maps an unlisted signal to 130', () => {
    expect(stopError({ kind: 'signal', signal: 'SIGUSR1' }).exitStatus).toBe(130);
  });
});
