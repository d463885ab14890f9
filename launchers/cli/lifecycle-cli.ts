// launch-agent, connect-agent, list-agents, remove-agent and containai gc:
// parse, call one function in launchers/lifecycle/, print.
import { ContainaiError, quote } from '../../broker/errors.js';
import { resolvePaths } from '../../broker/paths.js';
import { AGENTS } from '../agents/definitions.js';
import { DockerEngine } from '../docker/engine.js';
import { collectGarbage, renderGc } from '../lifecycle/gc.js';
import { launchPersistent, TMUX_SESSION } from '../lifecycle/launch-persistent.js';
import { renewPersistent } from '../lifecycle/renewal.js';
import { listSessions, pickSession, renderSessions } from '../lifecycle/sessions.js';
import { AGENT_HOME, AGENT_USER, WORKSPACE } from '../session/container-spec.js';
import { commandSpec, renderHelp } from './command-specs.js';
import { booleanFlag, parseFlags, stringFlag, type ParsedArgs } from './parse-flags.js';
import { sessionFlags } from './session-flags.js';

const log = (line: string): void => void process.stderr.write(`containai: ${line}\n`);

function parse(name: string, argv: string[]): ParsedArgs | undefined {
  const spec = commandSpec(name);
  const args = parseFlags(spec, argv);
  if (booleanFlag(args, 'help')) {
    process.stdout.write(renderHelp(spec));
    return undefined;
  }
  return args;
}

function engineFromEnv(): DockerEngine {
  return DockerEngine.fromEnv(process.env);
}

export async function launchAgentCli(argv: string[]): Promise<number> {
  const args = parse('launch-agent', argv);
  if (!args) return 0;
  const [agentName, repoPath, ...extra] = args.positionals;
  const agent = agentName === undefined ? undefined : AGENTS[agentName];
  if (!agent?.available || extra.length > 0) {
    throw new ContainaiError(
      'USAGE',
      agentName === undefined
        ? 'launch-agent needs an AGENT'
        : agent
          ? `launch-agent takes AGENT and at most one REPO, got ${args.positionals.length} arguments`
          : `no agent named ${quote(agentName)}`,
      {
        actions: [
          `agents: ${Object.keys(AGENTS).join(', ')}`,
          'for example: launch-agent shell ~/src/myrepo',
        ],
      },
    );
  }
  const env = process.env;
  const engine = engineFromEnv();
  const paths = resolvePaths(env);
  const launched = await launchPersistent(
    { ...sessionFlags(agent, args, env), repoPath },
    { engine, paths, env, log },
  );
  if (booleanFlag(args, 'json')) {
    process.stdout.write(`${JSON.stringify({ ok: true, ...launched, workspace: WORKSPACE })}\n`);
  } else {
    process.stdout.write(
      [
        `started ${launched.name} (${launched.agent} on branch ${launched.branch})`,
        `  connect:  connect-agent -n ${launched.name}`,
        `  VS Code:  "Dev Containers: Attach to Running Container…" → ${launched.name}, open folder ${WORKSPACE}`,
        `  remove:   remove-agent ${launched.name}   (imports the branch into your repository first)`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}

export async function connectAgentCli(argv: string[]): Promise<number> {
  const args = parse('connect-agent', argv);
  if (!args) return 0;
  const engine = engineFromEnv();
  await engine.checkReady();
  const session = await pickSession(engine, stringFlag(args, 'name') ?? args.positionals[0], 'connect-agent');
  if (session.state !== 'running') {
    throw new ContainaiError(
      'SESSION_NOT_FOUND',
      `session ${session.name} is ${session.state}, not running`,
      {
        causes: ['the Docker daemon restarted, or the container was stopped'],
        actions: [`import its work and remove it: remove-agent ${session.name}`],
      },
    );
  }
  await renewPersistent(resolvePaths(process.env), [session]);
  if (!process.stdin.isTTY) {
    throw new ContainaiError('USAGE', 'connect-agent needs a terminal (stdin is not a TTY)', {
      actions: [
        `from a script: docker exec -it -u ${AGENT_USER} ${session.name} tmux attach -t ${TMUX_SESSION}`,
      ],
    });
  }
  const status = await engine.execTty(
    session.containerId,
    {
      cmd: ['tmux', 'attach-session', '-t', TMUX_SESSION],
      user: AGENT_USER,
      workdir: WORKSPACE,
      env: [`HOME=${AGENT_HOME}`, 'LANG=C.UTF-8', `TERM=${process.env.TERM ?? 'xterm-256color'}`],
    },
    { stdin: process.stdin, stdout: process.stdout },
  );
  if (status !== 0) {
    throw new ContainaiError('SESSION_NOT_FOUND', `the agent's tmux session in ${session.name} has ended`, {
      causes: ['the agent (or its shell) exited'],
      actions: [`import its work and remove it: remove-agent ${session.name}`],
      exitStatus: status,
    });
  }
  return 0;
}

export async function listAgentsCli(argv: string[]): Promise<number> {
  const args = parse('list-agents', argv);
  if (!args) return 0;
  const engine = engineFromEnv();
  await engine.checkReady();
  const sessions = await listSessions(engine);
  // Looking at sessions renews their capabilities (launchers/lifecycle/renewal.ts).
  await renewPersistent(resolvePaths(process.env), sessions);
  if (booleanFlag(args, 'json')) {
    const out = sessions.map(({ containerId: _c, launchId: _l, brokerSession: _b, ...s }) => s);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else process.stdout.write(sessions.length === 0 ? 'no sessions\n' : renderSessions(sessions));
  return 0;
}

export async function removeAgentCli(argv: string[]): Promise<number> {
  const args = parse('remove-agent', argv);
  if (!args) return 0;
  const [name, ...extra] = args.positionals;
  if (name === undefined || extra.length > 0) {
    throw new ContainaiError('USAGE', 'remove-agent takes exactly one NAME', {
      actions: ['see the names: list-agents'],
    });
  }
  const engine = engineFromEnv();
  await engine.checkReady();
  const { removeSession } = await import('../lifecycle/remove-session.js');
  const result = await removeSession(
    engine,
    name,
    { noPush: booleanFlag(args, 'no-push'), keepBranch: booleanFlag(args, 'keep-branch') },
    { paths: resolvePaths(process.env), env: process.env, log },
  );
  if (booleanFlag(args, 'json')) process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
  else
    process.stdout.write(
      `removed ${result.name}: ${result.removed.containers} container(s), ${result.removed.networks} network(s), ${result.removed.volumes} volume(s)\n`,
    );
  return 0;
}

export async function gcCli(argv: string[]): Promise<number> {
  const args = parse('containai gc', argv);
  if (!args) return 0;
  const engine = engineFromEnv();
  await engine.checkReady();
  const report = await collectGarbage(engine, resolvePaths(process.env), {
    dryRun: booleanFlag(args, 'dry-run'),
  });
  if (booleanFlag(args, 'json')) process.stdout.write(`${JSON.stringify({ ok: true, ...report })}\n`);
  else process.stdout.write(renderGc(report));
  return 0;
}
