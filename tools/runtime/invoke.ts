/**
 * Invokes a registered function the way the Node.js worker does: a real `InvocationContext`
 * from `@azure/functions` (function name, invocation id, log handler, binding options, extra
 * inputs), the app's pre/post invocation hooks, then `handler(triggerInput, context)`.
 */
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { InvocationContext, type InvocationContextInit } from '@azure/functions';
import { getHooks } from './functionsCore';
import type { Logger, LogLevel } from './logger';
import type { BindingMetadata, RegisteredFunction } from './registry';

export interface InvokeOptions {
  logger: Logger;
  invocationId?: string;
  /** Data for `durableClient` / `orchestrationClient` input bindings (see durable/clientData.ts). */
  durableClientData?: unknown;
  /** Values for other extra input bindings, by binding name. */
  extraInputs?: Record<string, unknown>;
  triggerMetadata?: Record<string, unknown>;
}

export interface InvokeResult {
  result: unknown;
  context: InvocationContext;
}

type Binding = BindingMetadata & { name: string };

/** Mirrors `fromRpcBindings` in @azure/functions: trigger, `$return`, extra inputs and outputs. */
export function bindingOptions(fn: RegisteredFunction): {
  trigger: Binding;
  return?: Binding;
  extraInputs: Binding[];
  extraOutputs: Binding[];
} {
  let trigger: Binding | undefined;
  let ret: Binding | undefined;
  const extraInputs: Binding[] = [];
  const extraOutputs: Binding[] = [];
  for (const [name, binding] of Object.entries(fn.bindings)) {
    const withName: Binding = { ...binding, name };
    if (/trigger$/i.test(binding.type)) trigger = withName;
    else if (name === '$return') ret = withName;
    else if (binding.direction === 'in') extraInputs.push(withName);
    else if (binding.direction === 'out') extraOutputs.push(withName);
  }
  if (!trigger) throw new Error(`Function "${fn.name}" has no trigger binding`);
  return { trigger, return: ret, extraInputs, extraOutputs };
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'];

function toLevel(level: string): LogLevel {
  return (LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'information';
}

export async function invokeFunction(
  fn: RegisteredFunction,
  triggerInput: unknown,
  options: InvokeOptions,
): Promise<InvokeResult> {
  const invocationId = options.invocationId ?? randomUUID();
  const bindings = bindingOptions(fn);
  const holder: { context?: InvocationContext } = {};
  const logHandler = (level: string, ...args: unknown[]): void => {
    const message = format(...args);
    let lvl = toLevel(level);
    let text = message;
    for (const hook of getHooks('log')) {
      const hookCtx = {
        level: lvl,
        message: text,
        category: 'user',
        invocationContext: holder.context,
        hookData: {},
      };
      try {
        hook(hookCtx);
        lvl = toLevel(hookCtx.level);
        text = hookCtx.message;
      } catch {
        // a failing log hook must not break the function
      }
    }
    options.logger.log(lvl, text, `Function.${fn.name}`);
  };
  const context = new InvocationContext({
    invocationId,
    functionName: fn.name,
    logHandler,
    triggerMetadata: options.triggerMetadata,
    options: bindings as unknown as InvocationContextInit['options'],
  });
  holder.context = context;
  for (const input of bindings.extraInputs) {
    const type = input.type.toLowerCase();
    if (type === 'durableclient' || type === 'orchestrationclient') {
      context.extraInputs.set(input.name, options.durableClientData);
    } else if (options.extraInputs && input.name in options.extraInputs) {
      context.extraInputs.set(input.name, options.extraInputs[input.name]);
    }
  }

  const hookData: Record<string, unknown> = {};
  const pre = {
    invocationContext: context,
    inputs: [triggerInput] as unknown[],
    functionCallback: fn.handler as (...args: unknown[]) => unknown,
    hookData,
  };
  for (const hook of getHooks('preInvocation')) await hook(pre);

  const post: {
    invocationContext: InvocationContext;
    inputs: unknown[];
    result: unknown;
    error: unknown;
    hookData: Record<string, unknown>;
  } = { invocationContext: context, inputs: pre.inputs, result: undefined, error: undefined, hookData };
  try {
    post.result = await Promise.resolve(pre.functionCallback(...pre.inputs, context));
  } catch (err) {
    post.error = err;
  }
  for (const hook of getHooks('postInvocation')) await hook(post);
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrow exactly what the function threw
  if (post.error !== undefined && post.error !== null) throw post.error;
  return { result: post.result, context };
}
