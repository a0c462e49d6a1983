/**
 * Stand-in for the `@azure/functions-core` module that the Azure Functions Node.js worker
 * provides to `@azure/functions`. Jest maps the module name to this file; plain node gets it
 * through `runtime/loader.ts`, which redirects the module resolution to the compiled copy.
 *
 * It keeps what the app registers in one process-wide FunctionRegistry, plus hooks and the
 * programming model, exactly as handed over by `@azure/functions`.
 */
import { FunctionRegistry, type BindingMetadata, type FunctionMetadataLike } from './registry';

export const version = '3.10.1-embedded';
export const hostVersion = '4.1037.0-embedded';

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookCallback = (context: unknown) => unknown;

export class Disposable {
  private disposed = false;
  constructor(private readonly onDispose: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => void i.dispose()));
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
  }
}

interface CoreState {
  registry: FunctionRegistry;
  hooks: Map<HookName, HookCallback[]>;
  programmingModel: unknown;
  logSink: ((level: string, category: string, message: string) => void) | undefined;
}

// One state per process, shared even if this module is loaded twice (ts source + compiled copy).
const STATE_KEY = Symbol.for('watt-watcher.functions-core.state');
const globalStore = globalThis as unknown as Record<symbol, CoreState | undefined>;
const state: CoreState = (globalStore[STATE_KEY] ??= {
  registry: new FunctionRegistry(),
  hooks: new Map(),
  programmingModel: undefined,
  logSink: undefined,
});

export function getRegistry(): FunctionRegistry {
  return state.registry;
}

export function registerFunction(
  metadata: FunctionMetadataLike,
  callback: (...args: unknown[]) => unknown,
): Disposable {
  const bindings: Record<string, BindingMetadata> = metadata.bindings;
  state.registry.register({ ...metadata, bindings }, callback);
  return new Disposable(() => state.registry.unregister(metadata.name));
}

export function setProgrammingModel(model: unknown): void {
  state.programmingModel = model;
}

export function getProgrammingModel(): unknown {
  return state.programmingModel;
}

export function registerHook(hookName: HookName, callback: HookCallback): Disposable {
  const list = state.hooks.get(hookName) ?? [];
  list.push(callback);
  state.hooks.set(hookName, list);
  return new Disposable(() => {
    const current = state.hooks.get(hookName) ?? [];
    state.hooks.set(
      hookName,
      current.filter((c) => c !== callback),
    );
  });
}

export function getHooks(hookName: HookName): HookCallback[] {
  return [...(state.hooks.get(hookName) ?? [])];
}

/** System/user log lines that `@azure/functions` emits outside an invocation. */
export function log(level: string, category: string, message: string): void {
  if (state.logSink) state.logSink(level, category, message);
  else if (level === 'error' || level === 'warning' || level === 'critical')
    process.stderr.write(`${message}\n`);
}

export function setLogSink(sink: CoreState['logSink']): void {
  state.logSink = sink;
}

/** Forgets every registration and hook (tests load several fixture apps in one process). */
export function resetCore(): void {
  state.registry.clear();
  state.hooks.clear();
  state.programmingModel = undefined;
}
