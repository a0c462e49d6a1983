/** The HTTP host's route table: each httpTrigger's template, methods and auth level, in the host's precedence order. */
import { HttpHostError } from './httpError';
import type { BindingMetadata, RegisteredFunction } from './registry';
import { comparePrecedence, compileRoute, type CompiledRoute } from './routeTemplate';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface RouteInfo {
  /** Function name. */
  name: string;
  /** Upper-case methods, or undefined when the function accepts every method. */
  methods: string[] | undefined;
  authLevel: AuthLevel;
  /** The route template as declared (the function name when the binding has no `route`). */
  route: string;
  /** The path template including the prefix, e.g. `/api/orchestrators/{name}`. */
  path: string;
}

export interface Route {
  fn: RegisteredFunction;
  compiled: CompiledRoute;
  methods: Set<string> | undefined;
  authLevel: AuthLevel;
  info: RouteInfo;
}

function normalizeAuthLevel(value: unknown, name: string): AuthLevel {
  const level = typeof value === 'string' ? value.toLowerCase() : 'anonymous';
  if (level === 'anonymous' || level === 'function' || level === 'admin') return level;
  if (level === 'system') return 'admin';
  throw new HttpHostError(`function "${name}": unknown authLevel "${String(value)}"`);
}

export function buildRoutes(functions: RegisteredFunction[], prefix: string): Route[] {
  const routes: Route[] = [];
  for (const fn of functions) {
    if (fn.triggerType.toLowerCase() !== 'httptrigger') continue;
    const trigger: BindingMetadata = fn.trigger;
    const template =
      typeof trigger.route === 'string' && trigger.route.trim() !== '' ? trigger.route : fn.name;
    let compiled: CompiledRoute;
    try {
      compiled = compileRoute(template);
    } catch (err) {
      throw new HttpHostError(`function "${fn.name}": ${(err as Error).message}`);
    }
    const declared = Array.isArray(trigger.methods)
      ? trigger.methods.filter((m): m is string => typeof m === 'string').map((m) => m.toUpperCase())
      : [];
    const methods = declared.length > 0 ? new Set(declared) : undefined;
    const authLevel = normalizeAuthLevel(trigger.authLevel, fn.name);
    const routeTail = compiled.template.replace(/^~?\/+/, '').replace(/\/+$/, '');
    const path = '/' + [prefix, routeTail].filter((s) => s !== '').join('/');
    routes.push({
      fn,
      compiled,
      methods,
      authLevel,
      info: { name: fn.name, methods: methods ? [...methods] : undefined, authLevel, route: template, path },
    });
  }
  routes.sort((a, b) => comparePrecedence(a.compiled, b.compiled) || a.fn.name.localeCompare(b.fn.name));
  // Identical templates with overlapping methods cannot be told apart: refuse to start, like the host.
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      const a = routes[i];
      const b = routes[j];
      if (!a || !b) continue;
      if (a.info.path.toLowerCase() !== b.info.path.toLowerCase()) continue;
      const overlap = !a.methods || !b.methods || [...a.methods].some((m) => b.methods?.has(m));
      if (overlap) {
        throw new HttpHostError(
          `functions "${a.fn.name}" and "${b.fn.name}" declare the same route "${a.info.path}"`,
        );
      }
    }
  }
  return routes;
}

/** The first route matching the path (below the prefix) and the method, with its parameters. */
export function findRoute(
  routes: readonly Route[],
  pathSegments: string[],
  method: string,
): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    const params = route.compiled.match(pathSegments);
    if (params === undefined) continue;
    // Azure answers 404 (not 405) when only the method differs; keep looking for another function.
    if (route.methods && !route.methods.has(method)) continue;
    return { route, params };
  }
  return undefined;
}
