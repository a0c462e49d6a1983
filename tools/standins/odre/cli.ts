#!/usr/bin/env node
/** Runs the ODRE stand-in in the foreground: `node dist/tools/standins/odre/cli.js --port 8787`. */
import { parseArgs } from 'node:util';
import { errorMessage } from '../../../shared/errors';
import { startFakeOdre } from './server';

const EX_USAGE = 64;

const HELP = `Usage: fake-api [--port 8787] [--latency ms] [--daily-limit n] [--now ISO-8601]
                [--release-start ISO-8601] [--lag-minutes n] [--ordered-exports] [--help]

Serves a local stand-in for the ODRE Explore API v2.1 (the datasets of shared/datasets.ts), with the
real portal's quirks: spring ghost rows, the autumn hole, unordered exports, a release start.

  --port         TCP port on 127.0.0.1 (default 8787; 0 picks a free port)
  --latency      added delay per request, in milliseconds (default 0)
  --daily-limit  calls per UTC day before 429 (default 10000)
  --now          freeze the server clock at this instant (default: real time)
  --release-start  real-time data starts on the 1st of this month (default 2025-01-01)
  --lag-minutes  values stay null this long after their quarter (default 60)
  --ordered-exports  exports in date order (default: an order that is not the dates', as the portal)
  --help         show this help

Fault injection while running:
  curl -X POST <url>/__control/faults -H 'content-type: application/json' \\
       -d '{"kind":503,"times":3}'        # also 429 (+ "retryAfter":5), timeout, drop, truncate,
                                          # malformed, html, empty; "times":"forever" or "until":ISO
  curl -X DELETE <url>/__control/faults   # clear
  curl <url>/__control/requests           # request log
  curl -X POST <url>/__control/lag -d '{"ms":10800000}'              # feed lag, while running
  curl -X POST <url>/__control/stalls -d '[{"from":ISO,"to":ISO}]'   # stalled feed
  curl -X POST <url>/__control/release -d '{"releaseStart":ISO}'     # release start
  curl -X POST <url>/__control/quirks -d '{"springGhostRows":false}' # also autumnHole, unorderedExports`;

function fail(message: string): never {
  process.stderr.write(`fake-api: ${message}\nRun with --help for usage.\n`);
  process.exit(EX_USAGE);
}

function wholeNumber(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    fail(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

async function main(argv: string[]): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        latency: { type: 'string' },
        'daily-limit': { type: 'string' },
        now: { type: 'string' },
        'release-start': { type: 'string' },
        'lag-minutes': { type: 'string' },
        'ordered-exports': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(errorMessage(e));
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const port = wholeNumber('port', str('port'), 8787, 0, 65535);
  const latencyMs = wholeNumber('latency', str('latency'), 0, 0, 600_000);
  const dailyLimit = wholeNumber('daily-limit', str('daily-limit'), 10_000, 0, 100_000_000);
  const nowRaw = str('now');
  if (nowRaw !== undefined && !Number.isFinite(Date.parse(nowRaw)))
    fail(`--now must be an ISO-8601 instant, got "${nowRaw}"`);

  const release = str('release-start');
  if (release !== undefined && !Number.isFinite(Date.parse(release)))
    fail(`--release-start must be an ISO-8601 instant, got "${release}"`);
  const lagMinutes = wholeNumber('lag-minutes', str('lag-minutes'), 60, 0, 10_080);

  const fake = await startFakeOdre({
    port,
    latencyMs,
    dailyLimit,
    publishDelayMs: lagMinutes * 60_000,
    quirks: { unorderedExports: values['ordered-exports'] !== true },
    ...(nowRaw === undefined ? {} : { now: nowRaw }),
    ...(release === undefined ? {} : { releaseStart: release }),
  });
  process.stdout.write(`ODRE stand-in listening on ${fake.url}\n`);
  process.stdout.write(
    `  try: ${fake.url}/api/explore/v2.1/catalog/datasets/eco2mix-national-tr/records?limit=2\n`,
  );
  const stop = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  process.stderr.write(
    `fake-api: ${err.code === 'EADDRINUSE' ? 'port already in use' : String(err.message ?? e)}\n`,
  );
  process.exit(1);
});
