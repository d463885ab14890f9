// The forwarder's configuration: the first line the launcher writes to its
// stdin (not its environment or argv, so an endpoint URL carrying a token is
// never visible in `docker inspect` or `ps`).
import { z } from 'zod';

export const ForwarderConfigSchema = z.object({
  session: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/),
  accessLog: z.string().startsWith('/'),
  pollMs: z.number().int().positive().max(10_000).default(100),
  http: z
    .object({
      url: z.url({ protocol: /^https?$/ }),
      batchSize: z.number().int().positive().max(10_000).default(200),
      maxBuffer: z.number().int().positive().max(1_000_000).default(10_000),
      postTimeoutMs: z.number().int().positive().default(5_000),
      /** How long the final flush at teardown may retry before counting drops. */
      flushDeadlineMs: z.number().int().nonnegative().default(5_000),
    })
    .optional(),
});

export type ForwarderConfig = z.infer<typeof ForwarderConfigSchema>;
export type ForwarderConfigInput = z.input<typeof ForwarderConfigSchema>;
