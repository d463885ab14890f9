// A Docker build context: the files of one images/<name> directory plus
// optional extra directories (the host's CA certificates). The same file list
// feeds both the content hash (the image tag) and the tar stream sent to the
// engine, so what is hashed is exactly what is built.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pack } from 'tar-stream';

export interface ContextFile {
  /** Path inside the context, '/'-separated. */
  path: string;
  mode: number;
  content: Buffer;
}

export interface BuildContext {
  files: ContextFile[];
  /** Directories that must exist in the context even when empty. */
  dirs: string[];
}

/** Reads a directory tree, sorted, regular files only (symlinks are refused by omission). */
export function readContextDir(root: string, prefix = ''): ContextFile[] {
  const files: ContextFile[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const abs = join(dir, entry.name);
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(abs, path);
      else if (entry.isFile()) {
        // Only the executable bit matters to the image; normalise the rest
        // so a umask difference between machines does not change the hash.
        const mode = statSync(abs).mode & 0o111 ? 0o755 : 0o644;
        files.push({ path, mode, content: readFileSync(abs) });
      }
    }
  };
  walk(root, prefix);
  return files;
}

/** SHA-256 over paths, modes, contents and the named extra inputs (build args). */
export function contextHash(context: BuildContext, extra: Record<string, string>): string {
  const hash = createHash('sha256');
  const field = (s: string | Buffer): void => {
    const buf = typeof s === 'string' ? Buffer.from(s) : s;
    hash.update(`${buf.length}:`);
    hash.update(buf);
  };
  for (const dir of [...context.dirs].sort()) field(`dir ${dir}`);
  for (const file of [...context.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    field(`file ${file.path} ${file.mode.toString(8)}`);
    field(file.content);
  }
  for (const key of Object.keys(extra).sort()) field(`extra ${key}=${extra[key]}`);
  return hash.digest('hex');
}

/** The context as a tar stream for the engine's build endpoint. */
export function contextTar(context: BuildContext): NodeJS.ReadableStream {
  const tar = pack();
  const mtime = new Date(0); // reproducible: time is not an input
  for (const dir of context.dirs) tar.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, mtime });
  for (const file of context.files) tar.entry({ name: file.path, mode: file.mode, mtime }, file.content);
  tar.finalize();
  return tar as unknown as NodeJS.ReadableStream;
}
