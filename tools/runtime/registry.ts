/** Process-wide record of the functions an app registers through `@azure/functions-core`. */

export interface BindingMetadata {
  type: string;
  /** 'in' | 'out' | 'inout' (any string is accepted). */
  direction: string;
  [key: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, BindingMetadata>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (...args: any[]) => unknown;
  triggerType: string;
  trigger: BindingMetadata;
}

/** The metadata shape `@azure/functions` passes to `registerFunction`. */
export interface FunctionMetadataLike {
  name: string;
  bindings: Record<string, BindingMetadata>;
  [key: string]: unknown;
}

export class FunctionRegistry {
  private readonly functions = new Map<string, RegisteredFunction>();

  register(metadata: FunctionMetadataLike, callback: (...args: unknown[]) => unknown): void {
    if (!metadata || typeof metadata.name !== 'string' || metadata.name === '') {
      throw new Error('registerFunction: metadata.name is required');
    }
    if (this.get(metadata.name)) {
      throw new Error(`A function named "${metadata.name}" is already registered`);
    }
    const bindings = metadata.bindings ?? {};
    const trigger = Object.values(bindings).find(
      (b) => typeof b.type === 'string' && b.type.toLowerCase().endsWith('trigger'),
    );
    if (!trigger) {
      throw new Error(`Function "${metadata.name}" has no trigger binding`);
    }
    this.functions.set(metadata.name, {
      name: metadata.name,
      bindings,
      handler: callback,
      triggerType: trigger.type,
      trigger,
    });
  }

  list(): RegisteredFunction[] {
    return [...this.functions.values()];
  }

  /** Function names are case-insensitive in Azure Functions: an exact match wins, then any case. */
  get(name: string): RegisteredFunction | undefined {
    const exact = this.functions.get(name);
    if (exact) return exact;
    const wanted = name.toLowerCase();
    return this.list().find((f) => f.name.toLowerCase() === wanted);
  }

  unregister(name: string): void {
    this.functions.delete(name);
  }

  byTrigger(type: string): RegisteredFunction[] {
    const wanted = type.toLowerCase();
    return this.list().filter((f) => f.triggerType.toLowerCase() === wanted);
  }

  clear(): void {
    this.functions.clear();
  }
}
