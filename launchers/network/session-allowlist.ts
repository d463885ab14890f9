// The session's allowlist: the agent's default domains, then --allow-domain
// values, validated and merged by proxy/allowlist.ts (ALLOWLIST_INVALID on a
// hostile or malformed value, before anything is created).
import { mergeAllowlist, type Allowlist } from '../../proxy/allowlist.js';
import type { AgentDefinition } from '../agents/definitions.js';

export function sessionAllowlist(agent: AgentDefinition, allowDomains: readonly string[]): Allowlist {
  return mergeAllowlist([
    { origin: `${agent.name} defaults`, values: agent.defaultDomains },
    { origin: '--allow-domain', values: allowDomains },
  ]);
}
