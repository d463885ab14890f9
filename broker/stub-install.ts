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
});
export type StubConfig = z.infer<typeof stubConfigSchema>;

export const INSTALL_FILES = {
  'bundle.json': bundleSchema,
  'stub.json': stubConfigSchema,
} as const;
export type InstallFileName = keyof typeof INSTALL_FILES;
