// `run-<agent> [REPO] [flags]`: parse, build the request, run the session.
import { ContainaiError, quote } from '../../broker/errors.js';
import { AGENTS } from '../agents/definitions.js';
import { DockerEngine } from '../docker/engine.js';
import { parseLimits } from '../session/limits.js';
import type { NetworkProfile } from '../session/plan-session.js';
import { runEphemeral } from '../session/run-ephemeral.js';
import { commandSpec, renderHelp } from './command-specs.js';
import { notImplemented } from './not-implemented.js';
import { resolvePaths } from '../../broker/paths.js';
import { parseSecretGrants, sessionGrants } from '../secrets/secret-grants.js';
import { booleanFlag, parseFlags, stringFlag, stringsFlag, type ParsedArgs } from './parse-flags.js';
import { readPrompt } from './prompt-input.js';
import { sessionAllowlist } from '../network/session-allowlist.js';

export async function runAgentCli(agentName: string, argv: string[]): Promise<number> {
  const spec = commandSpec(`run-${agentName}`);
  const agent = AGENTS[agentName];
  if (!agent?.available) return notImplemented(spec.name, argv);
  const args = parseFlags(spec, argv);
  if (booleanFlag(args, 'help')) {
    process.stdout.write(renderHelp(spec));
    return 0;
  }
  if (args.positionals.length > 1) {
    throw new ContainaiError(
      'USAGE',
      `${spec.name} takes at most one REPO argument, got ${args.positionals.length}`,
      {
        actions: [`quote prompts: ${spec.name} --prompt "two words"`],
      },
    );
  }
  const prompt = await readPrompt(stringFlag(args, 'prompt'), stringFlag(args, 'prompt-file'));
  if (prompt === undefined && !(process.stdin.isTTY && process.stdout.isTTY)) {
    throw new ContainaiError('USAGE', `${spec.name} without --prompt is interactive and needs a terminal`, {
      causes: ['standard input or output is a pipe or a file'],
      actions: [`pass the task instead: ${spec.name} --prompt "TEXT"`, `or run it from a terminal`],
    });
  }
  const env = process.env;
  return runEphemeral(
    {
      agent,
      repoPath: args.positionals[0],
      cwd: process.cwd(),
      branch: stringFlag(args, 'branch'),
      useCurrentBranch: booleanFlag(args, 'use-current-branch'),
      noPush: booleanFlag(args, 'no-push'),
      force: booleanFlag(args, 'force'),
      limits: parseLimits({
        memory: stringFlag(args, 'memory'),
        cpus: stringFlag(args, 'cpus'),
        pids: stringFlag(args, 'pids'),
      }),
      image: stringFlag(args, 'image'),
      profile: parseProfile(stringFlag(args, 'network-proxy')),
      allowlist: sessionAllowlist(agent, allowDomains(args)),
      prompt,
      timeoutSeconds: parseTimeout(stringFlag(args, 'timeout')),
      grants: sessionGrants(agent.credentials, parseSecretGrants(stringsFlag(args, 'secret'))),
      allowTampered: booleanFlag(args, 'allow-tampered')
        ? 'flag'
        : env.CONTAINAI_ALLOW_TAMPERED === '1'
          ? 'env'
          : false,
    },
    {
      engine: DockerEngine.fromEnv(env),
      paths: resolvePaths(env),
      env,
      log: (line) => process.stderr.write(`containai: ${line}\n`),
      stdout: process.stdout,
      stderr: process.stderr,
    },
  );
}

export function parseProfile(value: string | undefined): NetworkProfile {
  if (value === undefined || value === 'squid') return 'squid';
  if (value === 'restricted') return 'restricted';
  throw new ContainaiError('USAGE', `--network-proxy ${quote(value)} is not a profile`, {
    actions: ['use --network-proxy squid (the default) or --network-proxy restricted'],
  });
}

/** --allow-domain values; refused with restricted, which has no network to allow anything on. */
export function allowDomains(args: ParsedArgs): string[] {
  const values = stringsFlag(args, 'allow-domain');
  if (values.length > 0 && stringFlag(args, 'network-proxy') === 'restricted') {
    throw new ContainaiError('USAGE', '--allow-domain has no effect with --network-proxy restricted', {
      actions: ['drop --network-proxy restricted (squid is the default), or drop --allow-domain'],
    });
  }
  return values;
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0)) {
    throw new ContainaiError('USAGE', `--timeout ${quote(value)} is not a positive number of seconds`, {
      actions: ['for example: --timeout 600'],
    });
  }
  return seconds;
}
