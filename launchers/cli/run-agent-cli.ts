// `run-<agent> [REPO] [flags]`: parse, build the request, run the session.
import { ContainaiError, quote } from '../../broker/errors.js';
import { AGENTS } from '../agents/definitions.js';
import { DockerEngine } from '../docker/engine.js';
import { runEphemeral } from '../session/run-ephemeral.js';
import { commandSpec, renderHelp } from './command-specs.js';
import { notImplemented } from './not-implemented.js';
import { resolvePaths } from '../../broker/paths.js';
import { booleanFlag, parseFlags, stringFlag } from './parse-flags.js';
import { readPrompt } from './prompt-input.js';
import { sessionFlags } from './session-flags.js';

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
      ...sessionFlags(agent, args, env),
      repoPath: args.positionals[0],
      noPush: booleanFlag(args, 'no-push'),
      prompt,
      timeoutSeconds: parseTimeout(stringFlag(args, 'timeout')),
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
