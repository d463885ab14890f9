import { describe, expect, it } from 'vitest';
import { DockerFrameSplitter, Utf8Collector, type StreamKind } from '../../../launchers/docker/demux.js';

function frame(type: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Writes `chunks` in order, ends the stream, and returns the frames seen. */
async function split(chunks: Buffer[]): Promise<Array<[StreamKind, string]>> {
  const frames: Array<[StreamKind, string]> = [];
  const splitter = new DockerFrameSplitter((kind, payload) => {
    frames.push([kind, payload.toString('latin1')]);
  });
  const finished = new Promise<void>((resolve, reject) => {
    splitter.on('finish', resolve);
    splitter.on('error', reject);
  });
  for (const chunk of chunks) splitter.write(chunk);
  splitter.end();
  await finished;
  return frames;
}

function bytewise(buf: Buffer): Buffer[] {
  return [...buf].map((b) => Buffer.from([b]));
}

describe('DockerFrameSplitter', () => {
  const stream = Buffer.concat([
    frame(1, 'hello '),
    frame(2, 'warning: x\n'),
    frame(1, 'world\n'),
    frame(2, Buffer.from([0xff, 0x00, 0x01])),
  ]);
  const expected: Array<[StreamKind, string]> = [
    ['stdout', 'hello '],
    ['stderr', 'warning: x\n'],
    ['stdout', 'world\n'],
    ['stderr', '\xff\x00\x01'],
  ];

  it('separates stdout and stderr frames, in order', async () => {
    expect(await split([stream])).toEqual(expected);
  });

  it('reassembles frames delivered one byte at a time', async () => {
    expect(await split(bytewise(stream))).toEqual(expected);
  });

  it('reassembles frames split at every possible boundary', async () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(await split([stream.subarray(0, cut), stream.subarray(cut)]), `cut at ${cut}`).toEqual(expected);
    }
  });

  it('does not emit a frame before its payload is complete', async () => {
    const whole = frame(1, 'complete payload');
    expect(await split([whole.subarray(0, whole.length - 1)])).toEqual([]);
  });

  it('ignores stdin frames (type 0) and unknown types', async () => {
    const frames = await split([
      frame(0, 'typed by user'),
      frame(1, 'out'),
      frame(3, 'other'),
      frame(2, 'err'),
    ]);
    expect(frames).toEqual([
      ['stdout', 'out'],
      ['stderr', 'err'],
    ]);
  });

  it('handles zero-length frames without losing the next one', async () => {
    const frames = await split(bytewise(Buffer.concat([frame(1, ''), frame(2, ''), frame(1, 'after')])));
    expect(frames).toEqual([
      ['stdout', ''],
      ['stderr', ''],
      ['stdout', 'after'],
    ]);
  });

  it('does not read payload bytes that look like headers as frames', async () => {
    const fake = frame(2, 'injected');
    const frames = await split([frame(1, fake)]);
    expect(frames).toEqual([['stdout', fake.toString('latin1')]]);
  });

  it('waits for an async consumer before handing on the next frame', async () => {
    const seen: string[] = [];
    const splitter = new DockerFrameSplitter(async (_kind, payload) => {
      seen.push(`start ${payload.toString()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(`end ${payload.toString()}`);
    });
    const finished = new Promise((resolve) => splitter.on('finish', resolve));
    splitter.end(Buffer.concat([frame(1, 'a'), frame(1, 'b')]));
    await finished;
    expect(seen).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('surfaces an error thrown by the consumer as a stream error', async () => {
    const splitter = new DockerFrameSplitter(() => {
      throw new Error('consumer failed');
    });
    const failed = new Promise<Error>((resolve) => splitter.on('error', resolve));
    splitter.end(frame(1, 'x'));
    expect((await failed).message).toBe('consumer failed');
  });
});

describe('Utf8Collector', () => {
  it('decodes valid UTF-8 pushed in pieces', () => {
    const c = new Utf8Collector();
    c.push(Buffer.from('Grüße '));
    c.push(Buffer.from('🙂'));
    expect(c.text()).toBe('Grüße 🙂');
    expect(c.truncated).toBe(false);
  });

  it('decodes a multi-byte character split across pushes', () => {
    const bytes = Buffer.from('€🙂');
    const c = new Utf8Collector();
    for (const b of bytewise(bytes)) c.push(b);
    expect(c.text()).toBe('€🙂');
  });

  it('replaces invalid bytes with U+FFFD instead of throwing', () => {
    const c = new Utf8Collector();
    c.push(Buffer.from([0x61, 0xff, 0x62, 0xc0, 0xaf, 0x63, 0xed, 0xa0, 0x80]));
    const text = c.text();
    expect(text.startsWith('a\ufffdb')).toBe(true);
    expect(text).toContain('c');
    expect(text).not.toMatch(/[\ud800-\udfff]/);
  });

  it('replaces a truncated trailing sequence with U+FFFD', () => {
    const c = new Utf8Collector();
    c.push(Buffer.from([0x61, 0xe2, 0x82]));
    expect(c.text()).toBe('a\ufffd');
  });

  it('keeps at most `limit` bytes and reports truncation', () => {
    const c = new Utf8Collector(10);
    c.push(Buffer.from('012345'));
    c.push(Buffer.from('6789abcdef'));
    c.push(Buffer.from('more'));
    expect(c.text()).toBe('0123456789');
    expect(c.truncated).toBe(true);
  });

  it('does not report truncation below the limit', () => {
    const c = new Utf8Collector(10);
    c.push(Buffer.from('012345678'));
    expect(c.truncated).toBe(false);
  });
});
