// Follows a file that another process appends to (Squid's access log), by
// polling: complete lines only, the partial last line kept for the next read.
// A file that does not exist yet reads as empty.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export class FileTail {
  private offset = 0;
  private partial = '';

  constructor(private readonly path: string) {}

  /** Lines appended since the last call. */
  readLines(): string[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    const chunks: Buffer[] = [];
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.offset = 0; // truncated or replaced
      while (this.offset < size) {
        const buf = Buffer.alloc(Math.min(1 << 20, size - this.offset));
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
        this.offset += n;
      }
    } finally {
      closeSync(fd);
    }
    const text = this.partial + Buffer.concat(chunks).toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return lines.filter((l) => l.length > 0);
  }
}
