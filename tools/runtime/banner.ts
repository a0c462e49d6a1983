/** The startup banner: functions with their routes or schedules, the task hub, the key and the app's lines. */
import type { Clock } from './clock';
import type { RouteInfo } from './httpHost';
import type { FunctionRegistry } from './registry';

export interface BannerInput {
  title: string;
  registry: FunctionRegistry;
  routes: RouteInfo[];
  hubName: string;
  storeDir: string;
  httpUrl: string;
  functionKey: string;
  keySource: string;
  timerNext: Record<string, Date>;
  /** Timer functions firing at start: why, and the occurrence. */
  timerStartup: Record<string, { kind: string; occurrence: Date }>;
  maxConcurrentActivities: number;
  clock: Clock;
  extras: string[];
  links: string[];
}

export function renderBanner(b: BannerInput): string {
  const lines: string[] = [];
  lines.push(b.title);
  lines.push('');
  lines.push('Functions:');
  const byName = new Map(b.routes.map((r) => [r.name, r]));
  for (const fn of [...b.registry.list()].sort((x, y) => x.name.localeCompare(y.name))) {
    const route = byName.get(fn.name);
    let detail = '';
    if (route) {
      detail = ` [${route.methods ? route.methods.join(',') : 'ALL'}] ${b.httpUrl}${route.path} (auth: ${route.authLevel})`;
    } else if (fn.triggerType.toLowerCase() === 'timertrigger') {
      const next = b.timerNext[fn.name];
      const first = b.timerStartup[fn.name];
      detail = ` schedule ${String(fn.trigger.schedule)}${next ? `, next ${next.toISOString()}` : ''}`;
      if (first?.kind === 'pastDue')
        detail += `; the ${first.occurrence.toISOString()} occurrence has not run: running it now (past due)`;
      else if (first) detail += `; running now (${first.kind})`;
    }
    lines.push(`  ${fn.name}: ${fn.triggerType}${detail}`);
  }
  lines.push('');
  lines.push(
    `Task hub: ${b.hubName} (max ${b.maxConcurrentActivities} concurrent activities, ${b.clock.kind} clock)`,
  );
  lines.push(`Durable store: ${b.storeDir}`);
  if (b.httpUrl) {
    lines.push(`HTTP: ${b.httpUrl}`);
    lines.push(`Function key (${b.keySource}): ${b.functionKey}`);
  }
  for (const extra of b.extras) lines.push(extra);
  for (const link of b.links) lines.push(link);
  return lines.join('\n');
}
