// The stub's side of redemption: sign a request with the session key, get the
// one key that opens one capability, open it locally. Imported by mcp-stub,
// so it pulls in no process-spawning code.
import { openCapability, type Bundle } from './capability.js';
import { fromBase64, sha256Hex } from './crypto.js';
import { ContainaiError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, LineClient } from './line-client.js';
import { signRedeem } from './protocol.js';

/** A stub's connection to its session socket; reuse it for many redemptions. */
export class SessionClient {
  private readonly sessionKey: Uint8Array;

  private constructor(
    private readonly line: LineClient,
    private readonly bundle: Bundle,
  ) {
    const key = fromBase64(bundle.sessionKey);
    if (!key) throw new ContainaiError('BROKER_BAD_REQUEST', 'the bundle session key is not base64');
    this.sessionKey = key;
  }

  static async connect(
    socketPath: string,
    bundle: Bundle,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<SessionClient> {
    return new SessionClient(
      await LineClient.connect(socketPath, `the session socket ${socketPath}`, timeoutMs),
      bundle,
    );
  }

  /** Asks the broker for the key to `name`, opens the sealed capability with it, returns the value. */
  async redeem(name: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const capability = this.bundle.capabilities.find((c) => c.name === name);
    if (!capability)
      throw new ContainaiError('CAP_DENIED', `the bundle holds no capability named ${JSON.stringify(name)}`);
    const request = signRedeem(
      {
        sessionId: this.bundle.sessionId,
        capability: name,
        manifestHash: this.bundle.manifestHash,
        sealedSha256: sha256Hex(capability.sealed),
      },
      this.sessionKey,
    );
    const reply = await this.line.request('redeem', request, timeoutMs);
    return openCapability(capability, reply.key);
  }

  close(): void {
    this.line.close();
  }
}

/** One-shot redemption: connect, redeem, close. */
export async function redeem(
  socketPath: string,
  bundle: Bundle,
  name: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<string> {
  const client = await SessionClient.connect(socketPath, bundle, timeoutMs);
  try {
    return await client.redeem(name, timeoutMs);
  } finally {
    client.close();
  }
}
