/** `state`: every entity with its state, read from the durable store. */
import type { AppProfile } from '../profile';
import { EXIT_OK, parseCommand, type CliIo } from './args';
import { builtinHelp } from './help';
import { openStore } from './runs';

export function cmdState(profile: AppProfile, args: string[], io: CliIo): number {
  const p = parseCommand(args, {}, 0);
  if (p.help) {
    io.out(builtinHelp(profile.cli).state ?? '');
    return EXIT_OK;
  }
  const entities = openStore(p)
    .loadAllEntities()
    .filter((e) => e.exists)
    .sort((a, b) => a.id.localeCompare(b.id));
  if (entities.length === 0) io.out('no entities');
  for (const e of entities) {
    io.out(
      `${e.name}@${e.key}  (updated ${e.lastModifiedTime}${e.queue.length ? `, ${e.queue.length} queued` : ''})`,
    );
    io.out(`  ${e.state ?? 'null'}`);
  }
  return EXIT_OK;
}
