// `containai gc`: removes what launchers left behind when they died without
// tearing down (kill -9, a crash, a power cut).
//
// Liveness rule: every launch writes a launch record (launch-record.ts) before
// asking the broker for anything and labels every object with the launcher's
// identity (`bootid:pid:starttime`, launcher-identity.ts). A launch is dead
// when that exact process no longer exists. gc then removes:
// - for a dead launch record: its objects (by launch ID), its broker session
//   and socket dir, and the record — whatever phase the launcher died in;
// - labelled objects of a dead ephemeral launcher (mode=ephemeral) with no record.
// A persistent session (mode=persistent) is never touched once launch-agent
// reported it ready (its record is gone then), running or stopped: only
// remove-agent removes it, after importing its work.
import { readdirSync, rmSync } from 'node:fs';
import type { ContainaiPaths } from '../../broker/paths.js';
import type { DockerEngine } from '../docker/engine.js';
import { LABEL } from '../docker/labels.js';
import { launcherAlive } from './launcher-identity.js';
import { readLaunchRecords, removeLaunchRecord } from './launch-record.js';

export interface GcItem {
  launchId: string;
  session: string | undefined;
  reason: string;
  containers: number;
  networks: number;
  volumes: number;
  brokerSession: string | undefined;
}

export interface GcReport {
  dryRun: boolean;
  removed: GcItem[];
  socketDirs: string[];
  invalidRecords: string[];
}

export async function collectGarbage(
  engine: DockerEngine,
  paths: ContainaiPaths,
  opts: { dryRun: boolean },
): Promise<GcReport> {
  const report: GcReport = { dryRun: opts.dryRun, removed: [], socketDirs: [], invalidRecords: [] };
  const { records, invalid } = readLaunchRecords(paths);
  report.invalidRecords = invalid;
  const handled = new Set<string>();

  for (const record of records) {
    if (launcherAlive(record.launcher)) continue;
    handled.add(record.launchId);
    report.removed.push(
      await removeLaunch(engine, paths, opts.dryRun, {
        launchId: record.launchId,
        session: record.session,
        brokerSession: record.brokerSessionId,
        reason: `launcher died during ${record.phase === 'launching' ? 'launch' : 'its session'} (${record.mode})`,
      }),
    );
    if (!opts.dryRun) removeLaunchRecord(paths, record.launchId);
  }

  // Objects of dead ephemeral launchers without a record (state dir wiped, older launches).
  const labelled = await engine.listContainers([LABEL.launch]);
  const byLaunch = new Map<string, Record<string, string>>();
  for (const c of labelled) byLaunch.set(c.Labels[LABEL.launch]!, c.Labels);
  for (const [launchId, labels] of byLaunch) {
    if (handled.has(launchId) || labels[LABEL.mode] !== 'ephemeral') continue;
    if (launcherAlive(labels[LABEL.launcher])) continue;
    handled.add(launchId);
    report.removed.push(
      await removeLaunch(engine, paths, opts.dryRun, {
        launchId,
        session: labels[LABEL.session],
        brokerSession: labels[LABEL.brokerSession] || undefined,
        reason: 'launcher of an ephemeral session is gone',
      }),
    );
  }

  report.socketDirs = await staleSocketDirs(paths);
  if (!opts.dryRun) for (const dir of report.socketDirs) rmSync(dir, { recursive: true, force: true });
  return report;
}

async function removeLaunch(
  engine: DockerEngine,
  paths: ContainaiPaths,
  dryRun: boolean,
  item: { launchId: string; session: string | undefined; brokerSession: string | undefined; reason: string },
): Promise<GcItem> {
  const filter = [`${LABEL.launch}=${item.launchId}`];
  const found = dryRun ? await engine.findLabelled(filter) : await engine.removeLabelled(filter);
  if (!dryRun && item.brokerSession) {
    const { revokeBrokerSession } = await import('../secrets/broker-session.js');
    await revokeBrokerSession(paths, item.brokerSession);
  }
  return {
    ...item,
    containers: found.containers.length,
    networks: found.networks.length,
    volumes: found.volumes.length,
  };
}

/** Per-session socket dirs whose broker session is no longer open (or whose broker is gone). */
async function staleSocketDirs(paths: ContainaiPaths): Promise<string[]> {
  const { brokerLayout, sessionDir } = await import('../../broker/socket-paths.js');
  const layout = brokerLayout(paths);
  let ids: string[];
  try {
    ids = readdirSync(layout.sessionsDir);
  } catch {
    return [];
  }
  if (ids.length === 0) return [];
  const { connectBroker } = await import('../../broker/client.js');
  let open: Set<string>;
  try {
    const client = await connectBroker(paths, 2_000);
    try {
      open = new Set((await client.listSessions()).filter((s) => s.state === 'open').map((s) => s.sessionId));
    } finally {
      client.close();
    }
  } catch {
    return []; // no broker: it cleans its own dir when it next starts
  }
  return ids.filter((id) => !open.has(id)).map((id) => sessionDir(layout, id));
}

export function renderGc(report: GcReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const lines = report.removed.map(
    (r) =>
      `${verb} ${r.session ?? `launch ${r.launchId}`}: ${r.containers} container(s), ${r.networks} network(s), ${r.volumes} volume(s)${r.brokerSession ? ', its broker session' : ''} — ${r.reason}`,
  );
  for (const dir of report.socketDirs) lines.push(`${verb} stale socket dir ${dir}`);
  for (const file of report.invalidRecords) lines.push(`ignored unreadable launch record ${file}`);
  if (lines.length === 0) lines.push('nothing to remove');
  return `${lines.join('\n')}\n`;
}
