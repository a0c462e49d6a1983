/** Route templates (the subset of ASP.NET Core route templates Functions apps use), with precedence. */
import { HttpHostError } from './httpError';
import { escapeRegex, safeDecode, splitSegment, type ParamSpec } from './routeParams';

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; param: ParamSpec }
  | { kind: 'complex'; regex: RegExp; params: ParamSpec[] };

export interface CompiledRoute {
  template: string;
  segments: Segment[];
  /** Lower sorts first: per segment 1 literal, 2 complex, 3 constrained param, 4 param, 5 catch-all. */
  precedence: number[];
  match(pathSegments: readonly string[]): Record<string, string> | undefined;
}

export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^~?\/+/, '').replace(/\/+$/, '');
  const rawSegments = trimmed === '' ? [] : trimmed.split('/');
  const segments: Segment[] = [];
  const precedence: number[] = [];
  const names = new Set<string>();
  rawSegments.forEach((raw, index) => {
    if (raw === '') throw new HttpHostError(`route "${template}": empty segment`);
    const parts = splitSegment(raw, template);
    const params = parts.filter((p): p is ParamSpec => typeof p !== 'string');
    for (const p of params) {
      if (names.has(p.name.toLowerCase())) {
        throw new HttpHostError(`route "${template}": parameter "${p.name}" appears twice`);
      }
      names.add(p.name.toLowerCase());
      if (p.catchAll && index !== rawSegments.length - 1) {
        throw new HttpHostError(`route "${template}": catch-all parameter "${p.name}" must be last`);
      }
    }
    const [only] = parts;
    if (parts.length === 1 && typeof only === 'string') {
      segments.push({ kind: 'literal', text: only });
      precedence.push(1);
    } else if (parts.length === 1 && only !== undefined && typeof only !== 'string') {
      segments.push({ kind: 'param', param: only });
      precedence.push(only.catchAll ? 5 : only.constraints.length > 0 ? 3 : 4);
    } else {
      if (params.some((p) => p.catchAll || p.optional)) {
        throw new HttpHostError(
          `route "${template}": optional and catch-all parameters must fill a whole segment`,
        );
      }
      const source = parts.map((p) => (typeof p === 'string' ? escapeRegex(p) : '(.+?)')).join('');
      segments.push({ kind: 'complex', regex: new RegExp(`^${source}$`, 'i'), params });
      precedence.push(2);
    }
  });
  // Optional parameters may only be followed by optional parameters.
  let seenOptional = false;
  for (const seg of segments) {
    const optional = seg.kind === 'param' && seg.param.optional;
    if (seenOptional && !optional) {
      throw new HttpHostError(
        `route "${template}": an optional parameter must not be followed by required segments`,
      );
    }
    seenOptional ||= optional;
  }

  const match = (pathSegments: readonly string[]): Record<string, string> | undefined => {
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      if (seg === undefined) return undefined;
      const raw = pathSegments[i];
      if (seg.kind === 'param' && seg.param.catchAll) {
        const rest = pathSegments.slice(i).map(safeDecode);
        if (rest.some((s) => s === undefined)) return undefined;
        const value = rest.join('/');
        if (value === '') {
          if (seg.param.defaultValue !== undefined) params[seg.param.name] = seg.param.defaultValue;
        } else {
          if (!seg.param.constraints.every((c) => c(value))) return undefined;
          params[seg.param.name] = value;
        }
        return params;
      }
      if (raw === undefined || raw === '') {
        if (seg.kind === 'param' && seg.param.optional && raw === undefined) {
          if (seg.param.defaultValue !== undefined) params[seg.param.name] = seg.param.defaultValue;
          continue;
        }
        return undefined;
      }
      const value = safeDecode(raw);
      if (value === undefined) return undefined;
      if (seg.kind === 'literal') {
        if (value.toLowerCase() !== seg.text.toLowerCase()) return undefined;
      } else if (seg.kind === 'param') {
        if (!seg.param.constraints.every((c) => c(value))) return undefined;
        params[seg.param.name] = value;
      } else {
        const m = seg.regex.exec(value);
        if (!m) return undefined;
        for (let k = 0; k < seg.params.length; k++) {
          const p = seg.params[k];
          const v = m[k + 1];
          if (p === undefined || v === undefined || !p.constraints.every((c) => c(v))) return undefined;
          params[p.name] = v;
        }
      }
    }
    return pathSegments.length > segments.length ? undefined : params;
  };

  return { template, segments, precedence, match };
}

export function comparePrecedence(a: CompiledRoute, b: CompiledRoute): number {
  const n = Math.min(a.precedence.length, b.precedence.length);
  for (let i = 0; i < n; i++) {
    const d = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (d !== 0) return d;
  }
  // Same prefix: the longer (more specific) template first.
  return b.precedence.length - a.precedence.length;
}
