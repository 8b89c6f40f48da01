/**
 * `cti-bridge`: see and drive a bridge from a terminal. Every command talks to one bridge: `--api` and
 * `--key` (or CTI_BRIDGE_API / CTI_BRIDGE_KEY), by default the local stack that `npm start` runs.
 *
 * @example
 * npx cti-bridge listen --user alice@sim.example     # terminal 1
 * npx cti-bridge trigger inbound-call                # terminal 2
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { call, CALL_ACTIONS, deliveries, events, links, type CallAction } from './commands.js';
import { targetOf } from './config.js';
import { listen } from './listen.js';
import { SCENARIOS, trigger } from './trigger.js';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number >= 0');
  return n;
};

export function program(): Command {
  const p = new Command('cti-bridge')
    .description('See and drive a cti-bridge: live events, simulated calls, call control, deliveries.')
    .option('--api <url>', 'the bridge API (env CTI_BRIDGE_API; default: the local stack)')
    .option(
      '--key <key>',
      'an admin or tenant API key (env CTI_BRIDGE_KEY; default: the local stack admin key)',
    )
    .showHelpAfterError();
  const target = () => targetOf(p.opts<{ api?: string; key?: string }>());

  p.command('listen')
    .description('print the events of a user, a queue or the whole link, live, until Ctrl-C')
    .option('--link <link>', 'only this link (default: every link)')
    .addOption(new Option('--user <user>', "a user's events").conflicts(['queue', 'system']))
    .addOption(new Option('--queue <queue>', "a queue's events").conflicts(['system']))
    .option('--system', 'every event of the link (the default without --user or --queue)')
    .option(
      '--events <families>',
      'event families, comma-separated: call,conference,agent,queue,route,service,link',
    )
    .option('--forward-to <url>', 're-post each event to this URL as a signed Standard Webhook')
    .option('--print-json', 'one JSON object per event instead of a line')
    .addOption(new Option('--count <n>', 'stop after n events').argParser(int).hideHelp())
    .action(async (o) => listen(target(), o));

  p.command('trigger')
    .description('run a call scenario on the bundled PBX simulator')
    .argument('<scenario>', `one of: ${Object.keys(SCENARIOS).join(', ')}`)
    .option(
      '--simulator <url>',
      'the simulator control API (env CTI_BRIDGE_SIMULATOR; default: the local stack)',
    )
    .addHelpText(
      'after',
      `\nScenarios:\n${Object.entries(SCENARIOS)
        .map(([k, v]) => `  ${k.padEnd(18)} ${v.summary}`)
        .join('\n')}`,
    )
    .action(async (name: string, o: { simulator?: string }) =>
      trigger(targetOf({ ...p.opts(), simulator: o.simulator }).simulatorUrl, name),
    );

  p.command('call')
    .description('call control on a link: dial, answer, hold, retrieve, release, transfer, conference')
    .addArgument(new Command().createArgument('<action>', 'what to do').choices(CALL_ACTIONS))
    .requiredOption('--link <link>', 'the link')
    .requiredOption('--user <user>', 'the user whose call it is')
    .option('--call <id>', 'the call (answer, hold, retrieve, release, transfer, conference)')
    .option('--to <address>', 'where to (dial, blind transfer)')
    .option('--with-call <id>', 'the other call (consult transfer, conference)')
    .option('--json', 'print JSON')
    .action(async (action: CallAction, o) => call(target(), action, { ...o, json: !!o.json }));

  p.command('links')
    .description('the links and their status')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => links(target(), !!o.json));

  p.command('events')
    .description("page through a link's event log; --follow waits for new events")
    .requiredOption('--link <link>', 'the link')
    .option('--after <seq>', 'events after this seq', int)
    .option('--limit <n>', 'page size (1..500)', int)
    .option('--follow', 'keep printing new events until Ctrl-C')
    .option('--json', 'print JSON')
    .action(async (o) => events(target(), { ...o, json: !!o.json }));

  p.command('deliveries')
    .description("a channel's deliveries and their attempts; --replay re-sends to a webhook channel")
    .argument('<channel>', 'the channel id')
    .option('--status <status>', 'only pending, delivered or failed')
    .option('--replay <after>', 're-send the events after this event-log seq', int)
    .option('--json', 'print JSON')
    .action(async (channel: string, o) => deliveries(target(), channel, { ...o, json: !!o.json }));

  return p;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    console.error(`cti-bridge: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
