// What the launcher hands the stub at `mcp-stub install`: a tar (built in
// memory, streamed through `docker exec -i`) holding the broker's bundle and
// this session's stub configuration. Shared by launcher and stub.
import { z } from 'zod';
import { bundleSchema, secretNameSchema, sha256HexSchema } from './capability.js';

export const INSTALL_DIR = '/run/containai';
export const BROKER_SOCKET_DIR = '/run/containai-broker';
export const BROKER_SOCKET_IN_CONTAINER = `${BROKER_SOCKET_DIR}/redeem.sock`;
export const AGENT_SOCKET_DIR = '/run/containai-agent';
export const AGENT_SOCKET = `${AGENT_SOCKET_DIR}/agent.sock`;
export const STUB_UID = 999;
/** Largest file the install tar may carry: a bundle of 64 sealed capabilities fits easily. */
export const MAX_INSTALL_FILE_BYTES = 1024 * 1024;

/** MCP server names: also TOML keys and JSON keys in the agents' configs. */
export const MCP_SERVER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const MAX_MCP_SERVERS = 32;
export const MCP_SOCKET = `${AGENT_SOCKET_DIR}/mcp.sock`;
/** Where `mcp-stub audit-follow` (as containai-stub) collects the daemon's audit lines. */
export const AUDIT_SOCKET = `${INSTALL_DIR}/audit.sock`;
const envNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/);

export const stubMcpServerSchema = z.strictObject({
  name: z.string().regex(MCP_SERVER_NAME_PATTERN),
  command: z.string().min(1).max(4096),
  args: z.array(z.string().max(4096)).max(256),
  /** Plain values, never secrets. */
  env: z.array(z.strictObject({ name: envNameSchema, value: z.string().max(4096) })).max(128),
  /** Variables whose value is prefix + the redeemed capability + suffix. */
  secretEnv: z
    .array(
      z.strictObject({
        name: envNameSchema,
        capability: secretNameSchema,
        prefix: z.string().max(1024),
        suffix: z.string().max(1024),
      }),
    )
    .max(64),
});
export type StubMcpServer = z.infer<typeof stubMcpServerSchema>;

export const stubConfigSchema = z.strictObject({
  version: z.literal(1),
  brokerSocket: z.string().startsWith('/'),
  /** Agent-scoped capabilities and the variable each becomes in the agent's environment. */
  agentEnv: z
    .array(
      z.strictObject({
        capability: secretNameSchema,
        env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/),
      }),
    )
    .max(64),
  /**
   * SHA-256 of the one-time tokens that let `mcp-stub agent-exec` collect the
   * agent environment: one per agent start the launcher will make.
   */
  agentTokens: z.array(sha256HexSchema).max(64),
  /** The containai session name, written into every MCP audit line. */
  session: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional(),
  /** MCP servers the daemon starts for `mcp-stub run NAME` (docs/mcp.md). */
  mcpServers: z.array(stubMcpServerSchema).max(MAX_MCP_SERVERS).default([]),
});
export type StubConfig = z.infer<typeof stubConfigSchema>;

export const INSTALL_FILES = {
  'bundle.json': bundleSchema,
  'stub.json': stubConfigSchema,
} as const;
export type InstallFileName = keyof typeof INSTALL_FILES;
