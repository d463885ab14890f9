// `containai logs SESSION [--follow] [--json]`: prints a session's JSON-lines
// log from the state directory (launchers/network/host-log-file.ts).
import { existsSync } from 'node:fs';
import { ContainaiError, quote } from '../../broker/errors.js';
import { sessionLogPath, sessionLogsDir } from '../network/host-log-file.js';
import { followLog, formatLogRecord, readLog } from '../network/log-reader.js';
import { commandSpec, renderHelp } from './command-specs.js';
import { booleanFlag, parseFlags } from './parse-flags.js';

const SESSION_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export async function logsCli(argv: string[]): Promise<number> {
  const spec = commandSpec('containai logs');
  const args = parseFlags(spec, argv);
  if (booleanFlag(args, 'help')) {
    process.stdout.write(renderHelp(spec));
    return 0;
  }
  const [session, ...extra] = args.positionals;
  if (session === undefined || extra.length > 0) {
    throw new ContainaiError('USAGE', 'containai logs takes exactly one SESSION name', {
      actions: ['list sessions: list-agents', 'see: containai logs --help'],
    });
  }
  // The name becomes a file name: only what session names can be.
  if (!SESSION_NAME.test(session)) {
    throw new ContainaiError('NAME_INVALID', `${quote(session)} is not a session name`, {
      actions: ['session names are lowercase letters, digits and hyphens, e.g. shell-myrepo-shell-session-1'],
    });
  }
  const path = sessionLogPath(sessionLogsDir(process.env), session);
  if (!existsSync(path) && !booleanFlag(args, 'follow')) {
    throw new ContainaiError('USAGE', `no log for session ${quote(session)} (looked in ${path})`, {
      causes: ['the session ran with --network-proxy restricted (no proxy, no log)', 'the name is misspelt'],
      actions: ['list sessions: list-agents'],
    });
  }
  const print = booleanFlag(args, 'json')
    ? (line: string) => process.stdout.write(`${line}\n`)
    : (line: string) => process.stdout.write(`${formatLogRecord(line)}\n`);
  if (booleanFlag(args, 'follow')) await followLog(path, print);
  else for (const line of readLog(path)) print(line);
  return 0;
}
