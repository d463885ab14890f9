// Sessions as Docker labels describe them: the only source list-agents,
// connect-agent, remove-agent and gc read, so they are right after the
// launcher is gone and after a daemon restart.
import { ContainaiError, quote } from '../../broker/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import { LABEL } from '../docker/labels.js';

export interface SessionInfo {
  name: string;
  agent: string;
  repo: string;
  branch: string;
  profile: string;
  mode: string;
  /** The engine's container state: running, exited, created… */
  state: string;
  created: string;
  uptimeSeconds: number | undefined;
  containerId: string;
  launchId: string;
  brokerSession: string | undefined;
}

export async function listSessions(engine: DockerEngine, now: Date = new Date()): Promise<SessionInfo[]> {
  const containers = await engine.listContainers([LABEL.session, `${LABEL.role}=agent`]);
  return containers
    .map((c) => {
      const l = c.Labels ?? {};
      const running = c.State === 'running';
      const created = l[LABEL.created] ?? new Date(c.Created * 1000).toISOString();
      return {
        name: l[LABEL.session] ?? '',
        agent: l[LABEL.agent] ?? '',
        repo: l[LABEL.repo] ?? '',
        branch: l[LABEL.branch] ?? '',
        profile: l[LABEL.profile] ?? '',
        mode: l[LABEL.mode] ?? 'ephemeral',
        state: c.State,
        created,
        uptimeSeconds: running
          ? Math.max(0, Math.round((now.getTime() - Date.parse(created)) / 1000))
          : undefined,
        containerId: c.Id,
        launchId: l[LABEL.launch] ?? '',
        brokerSession: l[LABEL.brokerSession] || undefined,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The one persistent session named, or the only one when no name is given. */
export async function pickSession(
  engine: DockerEngine,
  name: string | undefined,
  command: string,
): Promise<SessionInfo> {
  const sessions = (await listSessions(engine)).filter((s) => s.mode === 'persistent');
  if (name !== undefined) {
    const found = sessions.find((s) => s.name === name);
    if (!found) throw sessionNotFound(name, sessions);
    return found;
  }
  if (sessions.length === 1) return sessions[0]!;
  if (sessions.length === 0) {
    throw new ContainaiError('SESSION_NOT_FOUND', 'there is no persistent session', {
      actions: ['start one: launch-agent shell [REPO]'],
    });
  }
  throw new ContainaiError('USAGE', `${sessions.length} persistent sessions are running: name one`, {
    causes: sessions.map((s) => `${s.name} (${s.agent}, ${s.state})`),
    actions: [`${command} -n ${sessions[0]!.name}`],
  });
}

export function sessionNotFound(name: string, known: SessionInfo[]): ContainaiError {
  return new ContainaiError('SESSION_NOT_FOUND', `no session named ${quote(name)}`, {
    causes: ['it was removed already, or the name is misspelt'],
    actions: [
      known.length > 0 ? `sessions: ${known.map((s) => s.name).join(', ')}` : 'there are no sessions',
      'list them: list-agents',
    ],
  });
}

export function formatUptime(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d${Math.floor((seconds % 86400) / 3600)}h`;
}

export function renderSessions(sessions: SessionInfo[]): string {
  const header = ['NAME', 'AGENT', 'MODE', 'STATE', 'UPTIME', 'PROFILE', 'BRANCH', 'REPO'];
  const rows = sessions.map((s) => [
    s.name,
    s.agent,
    s.mode,
    s.state,
    formatUptime(s.uptimeSeconds),
    s.profile,
    JSON.stringify(s.branch).slice(1, -1),
    JSON.stringify(s.repo).slice(1, -1) || '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [header, ...rows]
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
