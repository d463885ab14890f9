// Squid writes client-controlled log fields with `%#` (RFC 1738
// percent-encoding; docs/proxy.md). This turns one back into text. The bytes
// may not be UTF-8: then the text carries U+FFFD and the caller keeps the
// encoded original beside it, so nothing is lost.

export interface DecodedField {
  text: string;
  /** False when the bytes were not valid UTF-8 (the text is then lossy). */
  lossless: boolean;
}

const HEX = /^[0-9a-fA-F]{2}$/;

export function percentDecode(encoded: string): DecodedField {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const pair = encoded.slice(i + 1, i + 3);
    if (encoded[i] === '%' && HEX.test(pair)) {
      bytes.push(parseInt(pair, 16));
      i += 2;
    } else {
      // Squid's output is ASCII; anything else is kept as its UTF-8 bytes.
      for (const b of Buffer.from(encoded[i] ?? '', 'utf8')) bytes.push(b);
    }
  }
  const buf = Buffer.from(bytes);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), lossless: true };
  } catch {
    return { text: new TextDecoder('utf-8').decode(buf), lossless: false };
  }
}
