// Turns SIGINT/SIGTERM/SIGHUP and --timeout into one "stop now" event for a
// running session. The first event triggers `onStop` (which removes the
// container, unblocking whatever is waiting on it); the launch pipeline then
// finishes its own teardown and reports why it stopped.
import { ContainaiError } from '../../broker/errors.js';

export type StopReason = { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'timeout'; seconds: number };

const SIGNAL_STATUS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export class InterruptGuard {
  private reason: StopReason | undefined;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();
  private timer: NodeJS.Timeout | undefined;
  private rejectStopped: ((err: ContainaiError) => void) | undefined;
  /** Rejects with the stop error as soon as a stop is requested. */
  readonly whenStopped: Promise<never>;

  constructor(
    private readonly onStop: (reason: StopReason) => void,
    private readonly proc: NodeJS.Process = process,
  ) {
    this.whenStopped = new Promise<never>((_, reject) => (this.rejectStopped = reject));
    this.whenStopped.catch(() => undefined); // observed via race(); never unhandled
    for (const signal of Object.keys(SIGNAL_STATUS) as NodeJS.Signals[]) {
      const handler = (): void => this.stop({ kind: 'signal', signal });
      this.handlers.set(signal, handler);
      proc.on(signal, handler);
    }
  }

  /** Starts the --timeout clock (when the agent starts, not during image builds). */
  armTimeout(seconds: number | undefined): void {
    if (seconds === undefined || seconds <= 0) return;
    this.timer = setTimeout(() => this.stop({ kind: 'timeout', seconds }), seconds * 1000);
  }

  /** Resolves like `work`, unless a stop comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.whenStopped]);
  }

  get stopped(): StopReason | undefined {
    return this.reason;
  }

  /** Throws the matching error when a stop was requested; call between steps. */
  check(): void {
    if (this.reason) throw stopError(this.reason);
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) this.proc.off(signal, handler);
    if (this.timer) clearTimeout(this.timer);
  }

  private stop(reason: StopReason): void {
    if (this.reason) return; // already stopping; teardown is under way
    this.reason = reason;
    this.rejectStopped?.(stopError(reason));
    this.onStop(reason);
  }
}

export function stopError(reason: StopReason): ContainaiError {
  if (reason.kind === 'timeout') {
    return new ContainaiError(
      'TIMEOUT',
      `the session ran longer than --timeout ${reason.seconds} s and was stopped`,
      {
        actions: ['raise --timeout, or leave it out for no limit'],
      },
    );
  }
  return new ContainaiError('INTERRUPTED', `stopped by ${reason.signal}; the session was torn down`, {
    exitStatus: SIGNAL_STATUS[reason.signal] ?? 130,
  });
}
