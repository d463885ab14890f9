// Docker multiplexes a non-TTY attach/exec stream into frames:
// [stream(1) 0 0 0 size(4, big endian)] payload. Split them back apart.
import { Writable } from 'node:stream';

export type StreamKind = 'stdout' | 'stderr';

/** A Writable that splits Docker's framed stream and hands each payload on. */
export class DockerFrameSplitter extends Writable {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (kind: StreamKind, payload: Buffer) => void | Promise<void>) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    void this.drainFrames().then(() => done(), done);
  }

  private async drainFrames(): Promise<void> {
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) return;
      const type = this.pending[0];
      const payload = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      // 0 is stdin (never sent back); 1 stdout; 2 stderr.
      if (type === 1 || type === 2) await this.onFrame(type === 1 ? 'stdout' : 'stderr', payload);
    }
  }
}

/**
 * Accumulates bytes and decodes them as UTF-8 at the end. Invalid sequences
 * become U+FFFD instead of throwing: agent output is not ours to trust.
 */
export class Utf8Collector {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit = 16 * 1024 * 1024) {}

  push(chunk: Buffer): void {
    if (this.size >= this.limit) return;
    const room = this.limit - this.size;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  get truncated(): boolean {
    return this.size >= this.limit;
  }

  text(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(this.chunks));
  }
}
