// `containai broker start|stop|status|revoke ID` and `containai audit verify`.
import { connectBroker, ensureBrokerRunning } from '../../broker/client.js';
import { verifyAuditLog } from '../../broker/audit-log.js';
import { ContainaiError } from '../../broker/errors.js';
import { resolvePaths } from '../../broker/paths.js';
import { brokerLayout } from '../../broker/socket-paths.js';
import { commandSpec, renderHelp } from './command-specs.js';
import { booleanFlag, parseFlags } from './parse-flags.js';

export async function brokerCli(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const spec = commandSpec(`containai broker ${action ?? ''}`.trim());
  const args = parseFlags(spec, rest);
  if (booleanFlag(args, 'help')) {
    process.stdout.write(renderHelp(spec));
    return 0;
  }
  const json = booleanFlag(args, 'json');
  const paths = resolvePaths();
  const print = (data: unknown, text: string): void => {
    process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${text}\n`);
  };
  if (action === 'start') {
    const { started, pid } = await ensureBrokerRunning({ paths });
    print({ started, pid }, started ? `broker started (pid ${pid})` : `broker already running (pid ${pid})`);
    return 0;
  }
  const client = await connectBroker(paths);
  try {
    if (action === 'status') {
      const status = await client.status();
      const sessions = await client.listSessions();
      print(
        { ...status, sessionList: sessions },
        `broker pid ${status.pid}, ${sessions.length} session(s), audit log ${status.auditLog}`,
      );
    } else if (action === 'stop') {
      await client.shutdown();
      print({ stopped: true }, 'broker stopped');
    } else {
      const id = args.positionals[0];
      if (!id)
        throw new ContainaiError('USAGE', 'containai broker revoke needs a session ID', {
          actions: ['list them: containai broker status'],
        });
      await client.revokeSession(id);
      print({ revoked: id }, `revoked ${id}`);
    }
  } finally {
    client.close();
  }
  return 0;
}

export async function auditCli(argv: string[]): Promise<number> {
  const spec = commandSpec('containai audit verify');
  const args = parseFlags(spec, argv.slice(1));
  if (booleanFlag(args, 'help')) {
    process.stdout.write(renderHelp(spec));
    return 0;
  }
  const path = args.positionals[0] ?? brokerLayout(resolvePaths()).auditLog;
  const verdict = verifyAuditLog(path);
  if (!verdict.ok) {
    throw new ContainaiError('AUDIT_BROKEN', `${path}: line ${verdict.line}: ${verdict.reason}`, {
      causes: ['a line of the audit log was edited, deleted or reordered'],
      actions: [
        'keep the file for investigation; the broker refuses to start on a broken chain',
        'move it aside to start a new chain',
      ],
    });
  }
  if (booleanFlag(args, 'json'))
    process.stdout.write(`${JSON.stringify({ ok: true, path, entries: verdict.entries })}\n`);
  else process.stdout.write(`${path}: ${verdict.entries} entries, hash chain intact\n`);
  return 0;
}
