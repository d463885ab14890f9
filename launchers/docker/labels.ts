// Every object containai creates carries these labels; teardown, gc and
// list-agents find things by them, never by name.

export const LABEL = {
  session: 'containai.session',
  /** One launcher invocation: its teardown removes exactly what it created. */
  launch: 'containai.launch',
  agent: 'containai.agent',
  repo: 'containai.repo',
  branch: 'containai.branch',
  role: 'containai.role',
  profile: 'containai.profile',
  created: 'containai.created',
  /** `ephemeral` (run-*) or `persistent` (launch-agent); gc never touches a running persistent one. */
  mode: 'containai.mode',
  /** The launcher process (`bootid:pid:starttime`), for gc's liveness check (launchers/lifecycle/). */
  launcher: 'containai.launcher',
  /** The broker session ID (not a secret), so remove-agent and gc can revoke it. */
  brokerSession: 'containai.broker-session',
} as const;

export type Role = 'agent' | 'proxy' | 'logs';

export interface SessionLabelInput {
  session: string;
  launch: string;
  agent: string;
  repo: string;
  branch: string;
  profile: string;
  created: Date;
  /** mode, launcher, broker session (launchers/lifecycle/); absent values are left out. */
  lifecycle?: Record<string, string>;
}

export function sessionLabels(
  input: SessionLabelInput,
  role: Role,
  extra: Record<string, string> = extraLabels(process.env.CONTAINAI_LABELS),
): Record<string, string> {
  return {
    ...extra,
    ...input.lifecycle,
    [LABEL.session]: input.session,
    [LABEL.launch]: input.launch,
    [LABEL.agent]: input.agent,
    [LABEL.repo]: input.repo,
    [LABEL.branch]: input.branch,
    [LABEL.role]: role,
    [LABEL.profile]: input.profile,
    [LABEL.created]: input.created.toISOString(),
  };
}

/**
 * CONTAINAI_LABELS="k=v,k2=v2" adds labels to every object (CI bookkeeping,
 * cost tracking). Our own `containai.*` keys cannot be overridden this way.
 */
export function extraLabels(spec: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!spec) return labels;
  for (const pair of spec.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, Math.max(eq, 0)).trim();
    if (eq < 0 || key === '') continue;
    if (Object.values(LABEL).includes(key as (typeof LABEL)[keyof typeof LABEL])) continue;
    labels[key] = pair.slice(eq + 1);
  }
  return labels;
}
