// Splits a byte stream into lines, holding at most `maxBytes` of one line.
// Unlike the broker's LineSplitter it recovers: an oversized line is reported
// once, its remaining bytes are skipped up to the next newline, and the
// stream goes on, so one bad message does not end a relay.
export type Piece = { kind: 'line'; bytes: Buffer } | { kind: 'oversize' };

export class BoundedLines {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  constructor(readonly maxBytes: number) {}

  push(chunk: Buffer): Piece[] {
    const out: Piece[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      const end = newline === -1 ? chunk.length : newline;
      const part = chunk.subarray(start, end);
      if (!this.skipping && this.pendingBytes + part.length > this.maxBytes) {
        this.skipping = true;
        this.pending = [];
        this.pendingBytes = 0;
        out.push({ kind: 'oversize' });
      }
      if (newline === -1) {
        if (!this.skipping && part.length > 0) {
          this.pending.push(Buffer.from(part));
          this.pendingBytes += part.length;
        }
        break;
      }
      if (this.skipping) this.skipping = false;
      else if (this.pendingBytes === 0) out.push({ kind: 'line', bytes: part });
      else {
        out.push({ kind: 'line', bytes: Buffer.concat([...this.pending, part]) });
        this.pending = [];
        this.pendingBytes = 0;
      }
      start = newline + 1;
    }
    return out;
  }
}
