/** Help texts of the runtime's own commands; app commands bring theirs (profile.ts). */
import type { AppProfile } from '../profile';

export function mainHelp(profile: AppProfile): string {
  const app = (profile.commands ?? []).map((c) => `  ${c.name.padEnd(22)}${c.summary}`);
  return `Usage: ${profile.cli} <command> [options]

Commands:
  start                 Run the Functions host (HTTP on :7071, timer triggers, durable engine)
${app.length ? `${app.join('\n')}\n` : ''}  runs list | runs show Inspect orchestration runs in the durable store
  state                 Print entity states

Common options:
  --root DIR            App root (package.json, host.json); default: current directory
  --durable-dir DIR     Durable store root; default <root>/.durable
  --hub NAME            Task hub; default host.json extensions.durableTask.hubName
  -h, --help            Help for a command`;
}

export function builtinHelp(cli: string): Record<string, string> {
  return {
    start: `Usage: ${cli} start [--port N] [--fast-timers[=FACTOR]] [--no-timers] [--entry GLOB]...

Runs the embedded Functions host until Ctrl-C. A timer function whose latest occurrence has not
run yet (fresh task hub, or the host was down) fires that occurrence at once, past due.
  --port N              HTTP port (default 7071; 0 = any free port)
  --fast-timers         Accelerated clock (default x20): durable timers and schedules run faster
  --no-timers           Do not run timer triggers
  --entry GLOB          Entry files (default: package.json "main")`,
    runs: `Usage: ${cli} runs list [--status S] [--limit N]
       ${cli} runs show <instanceId>

  --status S            Pending, Running, Completed, Failed, Terminated, Suspended (comma-separated)
  --limit N             At most N runs, newest first (default 20)`,
    state: `Usage: ${cli} state

Prints every entity (name@key) with its state.`,
  };
}
