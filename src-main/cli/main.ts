/**
 * `benchtop` — the command line on the same core as the workbench.
 *   benchtop image [--board mainstone] [--json]
 *   benchtop serve [--port N] [--workspace DIR]
 *   benchtop run   [--board mainstone] [--cmd 'uname -a']… [--timeout S] [--keep] [--workspace DIR]
 *   benchtop agent --boot ping|ls|stat|put|get|rm|run …
 *   benchtop top --once [--json] (--url URL --session ID | --boot)
 *   benchtop replay REC [--repeat N] [--report out.json] (--url URL --session ID | --boot)
 *   benchtop monitor --csv [--rate HZ] [--duration S] (--url URL --session ID | --boot)
 */
import { parseArgs } from 'node:util';
import { BenchtopError } from '../../src-shared/errors';
import { findBoard } from '../core/boards/profiles';
import { createCore } from '../core/core';
import { ensureWebUiBuilt, serve } from '../server/serve';
import { agentCommand, AGENT_USAGE } from './agent';
import { monitorCommand, MONITOR_USAGE, topCommand } from './monitor';
import { replayCommand, REPLAY_USAGE } from './replay';
import { runHeadless } from './run';

const USAGE = `usage: benchtop <command> [options]

commands:
  image   build (or reuse) the guest image and print where it is
          --board ID (default mainstone)  --json
  serve   serve the workbench UI on 127.0.0.1 and print its URL
          --port N (default: a free port)  --workspace DIR
          --default-session  create a mainstone session if the workspace has none
  run     boot a session headless, type commands on its console, print JSON, stop it
          --board ID  --cmd CMD (repeatable)  --timeout SECONDS (default 120)  --workspace DIR
          exits 1 if the boot or any command fails (non-zero exit status)
${AGENT_USAGE}${MONITOR_USAGE}${REPLAY_USAGE}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'image':
        return await imageCommand(rest);
      case 'serve':
        return await serveCommand(rest);
      case 'run':
        return await runCommand(rest);
      case 'agent':
        return await agentCommand(rest);
      case 'top':
        return await topCommand(rest);
      case 'monitor':
        return await monitorCommand(rest);
      case 'replay':
        return await replayCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`benchtop: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    const msg = err instanceof BenchtopError ? `${err.message} [${err.code}]` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`benchtop ${command}: ${msg}\n`);
    return 1;
  }
}

async function imageCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { board: { type: 'string', default: 'mainstone' }, json: { type: 'boolean', default: false } } });
  const boardId = values.board!;
  if (!findBoard(boardId)) throw new BenchtopError('unsupported-board', `unknown board '${boardId}'`);
  const core = createCore();
  const stop = core.bus.on('image.progress', (p) => process.stderr.write(`[image ${p.step}] ${p.message}\n`));
  try {
    const info = await core.ensureImage(boardId);
    process.stdout.write(values.json ? JSON.stringify(info) + '\n' : Object.entries(info).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n');
    return 0;
  } finally {
    stop();
    await core.close();
  }
}

async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: {
      port: { type: 'string' },
      workspace: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'default-session': { type: 'boolean', default: false },
    },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new BenchtopError('bad-request', `--port must be 0..65535, got '${values.port}'`);
  if (!values['no-build']) await ensureWebUiBuilt((line) => process.stderr.write(line + '\n'));
  const running = await serve({ port, workspace: values.workspace });
  if (values['default-session']) running.core.sessions.ensureDefaultSession();
  process.stdout.write(`Benchtop is serving the workbench at ${running.url}\n`);
  process.stdout.write(`workspace: ${running.core.workspace}\n(Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}

async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      board: { type: 'string', default: 'mainstone' },
      cmd: { type: 'string', multiple: true, default: [] },
      timeout: { type: 'string', default: '120' },
      workspace: { type: 'string' },
      name: { type: 'string' },
    },
  });
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new BenchtopError('bad-request', `--timeout must be a positive number of seconds`);
  const core = createCore({ workspace: values.workspace });
  const onSignal = () => void core.close().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    const result = await runHeadless(core, {
      board: values.board!,
      commands: values.cmd!,
      timeoutMs,
      name: values.name,
      onProgress: (line) => process.stderr.write(line + '\n'),
    });
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return result.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    await core.close();
  }
}
