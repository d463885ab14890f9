// `containai SUBCOMMAND …`: doctor and images today; the rest say so.
import { ContainaiError, ERROR_CATALOGUE, type ErrorCode, quote } from '../../broker/errors.js';
import { DockerEngine } from '../docker/engine.js';
import { ensureAgentImage } from '../images/ensure-images.js';
import { AGENTS } from '../agents/definitions.js';
import { renderDoctor, runDoctor } from '../preflight/doctor.js';
import { commandSpec, COMMANDS, renderHelp } from './command-specs.js';
import { auditCli, brokerCli } from './broker-cli.js';
import { booleanFlag, parseFlags } from './parse-flags.js';
import { secretsCli } from './secrets-cli.js';
import { logsCli } from './logs-cli.js';
import { gcCli } from './lifecycle-cli.js';

export async function containaiCli(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(topLevelHelp());
    return sub === undefined ? ERROR_CATALOGUE.USAGE.exit : 0;
  }
  if (sub === 'doctor') return doctor(rest);
  if (sub === 'images' && rest[0] === 'build') return imagesBuild(rest.slice(1));
  if (sub === 'secrets' && ['set', 'list', 'rm'].includes(rest[0] ?? '')) return secretsCli(rest);
  if (sub === 'broker' && ['start', 'stop', 'status', 'revoke'].includes(rest[0] ?? ''))
    return brokerCli(rest);
  if (sub === 'audit' && rest[0] === 'verify') return auditCli(rest);
  if (sub === 'logs') return logsCli(rest);
  if (sub === 'gc') return gcCli(rest);
  throw new ContainaiError('USAGE', `unknown subcommand ${quote(argv.join(' '))}`, {
    actions: ['see: containai --help'],
  });
}

function topLevelHelp(): string {
  const lines = ['usage: containai SUBCOMMAND [flags]', '', 'subcommands:'];
  for (const c of COMMANDS.filter((c) => c.name.startsWith('containai ')))
    lines.push(`  ${c.usage.padEnd(40)} ${c.summary}`);
  lines.push('', 'docs: docs/cli.md');
  return `${lines.join('\n')}\n`;
}

async function doctor(argv: string[]): Promise<number> {
  const spec = commandSpec('containai doctor');
  const args = parseFlags(spec, argv);
  if (booleanFlag(args, 'help')) {
    process.stdout.write(renderHelp(spec));
    return 0;
  }
  const results = await runDoctor(process.env, process.cwd());
  const firstFailure = results.find((r) => r.status === 'fail');
  const status = firstFailure?.code
    ? ERROR_CATALOGUE[firstFailure.code as ErrorCode].exit
    : firstFailure
      ? 1
      : 0;
  if (booleanFlag(args, 'json'))
    process.stdout.write(`${JSON.stringify({ ok: !firstFailure, checks: results }, null, 2)}\n`);
  else process.stdout.write(renderDoctor(results));
  return status;
}

async function imagesBuild(argv: string[]): Promise<number> {
  const spec = commandSpec('containai images build');
  const args = parseFlags(spec, argv);
  if (booleanFlag(args, 'help')) {
    process.stdout.write(renderHelp(spec));
    return 0;
  }
  const agent = args.positionals[0] ?? 'shell';
  if (!AGENTS[agent]?.available) {
    throw new ContainaiError('USAGE', `no buildable agent image ${quote(agent)}`, {
      actions: [
        `available: ${Object.values(AGENTS)
          .filter((a) => a.available)
          .map((a) => a.name)
          .join(', ')}`,
      ],
    });
  }
  const engine = DockerEngine.fromEnv(process.env);
  await engine.checkReady();
  const image = await ensureAgentImage(engine, AGENTS[agent].imageDir, {
    env: process.env,
    log: (line) => process.stderr.write(`containai: ${line}\n`),
  });
  if (booleanFlag(args, 'json'))
    process.stdout.write(`${JSON.stringify({ agent, image: image.ref, id: image.id })}\n`);
  else process.stdout.write(`${image.ref}\n`);
  return 0;
}
