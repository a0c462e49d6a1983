/**
 * Conformance: every scenario of scenarios.ts on the embedded runtime and on the real Durable
 * Functions extension (tools/conformance), compared after the allow-list (tools/conformance/
 * allow-list.json). Run by `npm run test:conformance`, never by `npm test` (it needs .NET).
 */
import * as path from 'node:path';
import { historyView, lakeFiles, loadAllowList, normalize } from '../../tools/conformance/compare';
import { FN } from '../../shared/constants';
import { ROOT } from '../e2e/harness';
import { embeddedEngine, realEngine, type Engine } from './engines';
import { SCENARIOS, slotAt, type Observer } from './scenarios';

jest.setTimeout(300_000);
const allow = loadAllowList(ROOT);

interface Observed {
  aliases: Record<string, string>;
  view: Record<string, unknown>;
}

function observer(e: Engine, marks: Record<string, number>, aliases: Record<string, string>, scope: string) {
  const view: Record<string, unknown> = {};
  const o: Observer = {
    marks,
    mark: (label) => void (marks[label] = e.clockNow()),
    note: (label, value) => void (view[label] = value),
    run: async (label, instanceId) => {
      aliases[`${scope} ${label}`] = instanceId;
      const tag = /-(?:manual|backfill)-.*-([0-9a-f]{6})$/.exec(instanceId)?.[1];
      if (tag) aliases[`${scope} ${label} tag`] = tag;
      const first = await e.api('GET', `instances/${encodeURIComponent(instanceId)}`);
      const input = (first.body as { input?: { datasets?: string[] } } | null)?.input;
      await e.wait(instanceId, input?.datasets ?? []);
      const status = (await e.api('GET', `instances/${encodeURIComponent(instanceId)}`)).body as Record<
        string,
        unknown
      >;
      view[`run ${label}`] = {
        runtimeStatus: status.runtimeStatus,
        input: status.input,
        output: status.output,
        customStatus: status.customStatus,
        history: historyView(await e.history(instanceId)),
      };
      const states: Record<string, unknown> = {};
      for (const d of input?.datasets ?? []) {
        states[d] = (await e.api('GET', `entities/${FN.stateEntity}/${d}`)).body;
      }
      view[`state after ${label}`] = states;
    },
  };
  return { o, view };
}

describe('the app on the embedded runtime and on the real Durable Functions extension', () => {
  let embedded: Engine;
  let real: Engine;
  const marks = { embedded: {} as Record<string, number>, real: {} as Record<string, number> };
  // run names stay bound across scenarios: the lake and the instance list are cumulative
  const aliases = { embedded: {} as Record<string, string>, real: {} as Record<string, string> };

  beforeAll(async () => {
    real = await realEngine(process.env.CONFORMANCE_KEEP_DIR || undefined);
    embedded = await embeddedEngine(slotAt(0));
  }, 180_000);

  afterAll(async () => {
    await embedded?.stop();
    await real?.stop();
  });

  for (const [index, scenario] of SCENARIOS.entries()) {
    it(scenario.name, async () => {
      const seen: Record<'embedded' | 'real', Observed> = {
        embedded: { aliases: aliases.embedded, view: {} },
        real: { aliases: aliases.real, view: {} },
      };
      for (const e of [embedded, real]) {
        seen[e.name].aliases.odre = e.odre.url;
        const { o, view } = observer(e, marks[e.name], seen[e.name].aliases, `s${index + 1}`);
        await scenario.run(e, o);
        view.lake = lakeFiles(path.join(e.lakeDir, 'bronze'));
        seen[e.name].view = view;
      }
      const norm = (which: 'embedded' | 'real'): unknown =>
        normalize(seen[which].view, seen[which].aliases, allow);
      expect(norm('real')).toEqual(norm('embedded'));
    });
  }
});
