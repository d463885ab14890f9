// How Squid runs: listening port, where its few writable files go (all on
// tmpfs or volumes, so the root filesystem can be read-only), and no helper
// processes that would need privileges or extra writable paths.

import type { ResolvedSquidConfOptions } from './options.js';

export function renderProcess(opts: ResolvedSquidConfOptions): string[] {
  const { paths } = opts;
  return [
    `http_port ${opts.port}`,
    // Shown in error pages; a fixed name instead of the container's id.
    'visible_hostname containai-proxy',
    `pid_filename ${paths.pidFile}`,
    `cache_log ${paths.cacheLog}`,
    `coredump_dir ${paths.coredumpDir}`,
    `error_directory ${paths.errorDirectory}`,
    // No ICMP pinger (needs a setuid helper) and no on-disk network database.
    'pinger_enable off',
    'netdb_filename none',
    // Teardown should not wait the default 30 s for open connections.
    'shutdown_lifetime 1 seconds',
  ];
}
