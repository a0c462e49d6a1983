/**
 * Conformance: every scenario of scenarios.ts on the embedded runtime and on the real Durable
 * Functions extension (tools/conformance), compared after the allow-list (tools/conformance/
 * allow-list.json). Run by `npm run test:conformance`, never by `npm test` (it needs .NET).
 */
import * as fs from 'node:fs';
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
    children: async (label, parentId) => {
      const list = await e.api(
        'GET',
        `instances/?instanceIdPrefix=${encodeURIComponent(`${parentId}-chunk-`)}`,
      );
      const ids = (Array.isArray(list.body) ? (list.body as { instanceId: string }[]) : [])
        .map((i) => i.instanceId)
        .sort();
      const children: Record<string, unknown> = {};
      for (const id of ids) {
        const status = (await e.api('GET', `instances/${encodeURIComponent(id)}`)).body as Record<
          string,
          unknown
        >;
        // child ids are `<parent id>-chunk-<dataset>-<index>`: the parent's name replaces its id
        children[id] = {
          runtimeStatus: status.runtimeStatus,
          input: status.input,
          output: status.output,
          customStatus: status.customStatus,
          history: historyView(await e.history(id)),
        };
      }
      view[`sub-orchestrations of ${label}`] = children;
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
    real = await realEngine(slotAt(0), process.env.CONFORMANCE_KEEP_DIR || undefined);
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
      const dump = process.env.CONFORMANCE_DUMP_DIR;
      if (dump) {
        fs.mkdirSync(dump, { recursive: true });
        for (const which of ['embedded', 'real'] as const)
          fs.writeFileSync(
            path.join(dump, `s${index + 1}-${which}.json`),
            JSON.stringify(norm(which), null, 2),
          );
      }
      // the behaviour the scenario is about happened (the comparison then carries it to the real engine)
      scenario.check?.(seen.embedded.view);
      expect(norm('real')).toEqual(norm('embedded'));
    });
  }
});
