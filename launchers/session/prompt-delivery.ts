// How a prompt reaches the agent without any shell interpreting it: as one
// argv element when it fits the kernel's per-argument limit and is text,
// otherwise as a file on the container's /tmp tmpfs, written through the
// exec's stdin. Either way the bytes arrive unchanged.

/** Linux MAX_ARG_STRLEN is 32 pages (128 KiB) including the trailing NUL. */
export const MAX_ARGV_BYTES = 128 * 1024 - 1;
export const PROMPT_FILE = '/tmp/containai-prompt';

export type PromptDelivery = { kind: 'argv'; text: string } | { kind: 'file'; path: string; bytes: Buffer };

export function choosePromptDelivery(prompt: Buffer): PromptDelivery {
  if (prompt.length <= MAX_ARGV_BYTES && !prompt.includes(0)) {
    const text = decodeStrict(prompt);
    if (text !== undefined) return { kind: 'argv', text };
  }
  return { kind: 'file', path: PROMPT_FILE, bytes: prompt };
}

function decodeStrict(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined; // invalid UTF-8 cannot travel in the engine's JSON argv
  }
}

/** argv that writes stdin to `path`, readable only by the agent user. */
export function writePromptFileCommand(path: string): string[] {
  // A fixed script; the path is passed as $1, never spliced into the script.
  return ['sh', '-c', 'umask 077 && exec cat > "$1"', 'containai-write-prompt', path];
}
