// Optional HTTP sink: JSON lines POSTed in batches (application/x-ndjson).
// A failed POST (network error, timeout, non-2xx) is retried with
// exponential backoff; the same batch keeps its sequence number
// (X-Containai-Batch) so a collector can drop a batch it already stored.
// The buffer is bounded: when it is full new lines are dropped and counted,
// and whatever is still queued when close() runs out of time is counted too.
// Nothing is dropped silently: the counts are in stats() and the summary.

export type Post = (body: string, headers: Record<string, string>) => Promise<void>;

export interface HttpSinkOptions {
  session: string;
  post: Post;
  batchSize?: number;
  maxBuffer?: number;
  /** How long a partial batch waits for more lines. */
  lingerMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface HttpSinkStats {
  delivered: number;
  dropped: number;
  failedPosts: number;
  lastError?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class HttpSink {
  private readonly queue: string[] = [];
  private readonly opts: Required<HttpSinkOptions>;
  private readonly counts: HttpSinkStats = { delivered: 0, dropped: 0, failedPosts: 0 };
  private seq = 0;
  private closing = false;
  private deadline = Infinity;
  private wake: (() => void) | undefined;
  private readonly pump: Promise<void>;

  constructor(opts: HttpSinkOptions) {
    this.opts = {
      batchSize: 200,
      maxBuffer: 10_000,
      lingerMs: 250,
      initialBackoffMs: 200,
      maxBackoffMs: 5_000,
      ...opts,
    };
    this.pump = this.run();
  }

  push(line: string): void {
    if (this.queue.length >= this.opts.maxBuffer) {
      this.counts.dropped++;
      return;
    }
    this.queue.push(line);
    this.wake?.();
  }

  /** Delivers what is queued until `deadlineMs` from now; the rest is dropped and counted. */
  async close(deadlineMs: number): Promise<HttpSinkStats> {
    this.closing = true;
    this.deadline = Date.now() + deadlineMs;
    this.wake?.();
    await this.pump;
    return this.stats();
  }

  stats(): HttpSinkStats {
    return { ...this.counts };
  }

  private async run(): Promise<void> {
    let backoff = this.opts.initialBackoffMs;
    for (;;) {
      if (this.queue.length === 0) {
        if (this.closing) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      if (!this.closing && this.queue.length < this.opts.batchSize) {
        await sleep(this.opts.lingerMs);
      }
      if (Date.now() >= this.deadline) break;
      const batch = this.queue.slice(0, this.opts.batchSize);
      const id = `${this.opts.session}/${++this.seq}`;
      for (;;) {
        try {
          await this.opts.post(`${batch.join('\n')}\n`, {
            'content-type': 'application/x-ndjson',
            'x-containai-batch': id,
          });
          this.queue.splice(0, batch.length);
          this.counts.delivered += batch.length;
          backoff = this.opts.initialBackoffMs;
          break;
        } catch (err) {
          this.counts.failedPosts++;
          this.counts.lastError = (err as Error).message;
          const wait = Math.min(backoff, this.deadline - Date.now());
          if (wait <= 0) break;
          await sleep(wait);
          backoff = Math.min(backoff * 2, this.opts.maxBackoffMs);
        }
      }
      if (Date.now() >= this.deadline) break;
    }
    this.counts.dropped += this.queue.length;
    this.queue.length = 0;
  }
}
