/** `npm run soak -- --days N [--start ISO]`: runs the soak and prints its figures. */
import { parseArgs } from 'node:util';
import { formatSoak, runSoak } from './soak';

/** `--days N --start ISO`, checked: a bad flag is an error that names it, never a silent no-op. */
export function parseSoakArgs(argv: readonly string[]): { days: number; start?: string } {
  const { values } = parseArgs({
    args: [...argv],
    options: { days: { type: 'string', default: '21' }, start: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const days = Number(values.days);
  if (!Number.isFinite(days) || days <= 0 || days > 3660) {
    throw new Error(`--days must be a number of days in (0, 3660], got "${values.days}"`);
  }
  if (values.start !== undefined && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(values.start)) {
    throw new Error(`--start must be an ISO instant like 2026-10-15T00:00:00Z, got "${values.start}"`);
  }
  return values.start === undefined ? { days } : { days, start: values.start };
}

if (require.main === module) {
  Promise.resolve()
    .then(() => parseSoakArgs(process.argv.slice(2)))
    .then((args) =>
      runSoak({
        ...args,
        onDay: (day, runs) => {
          if (day % 30 === 0) process.stderr.write(`soak: day ${day}, ${runs} runs\n`);
        },
      }),
    )
    .then((r) => console.log(formatSoak(r)))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    });
}
