/** Route template parameters: `{name}`, `{name?}`, `{name=default}`, `{*rest}` and their constraints. */
import { HttpHostError } from './httpError';

export type Constraint = (value: string) => boolean;

export interface ParamSpec {
  name: string;
  optional: boolean;
  defaultValue: string | undefined;
  catchAll: boolean;
  constraints: Constraint[];
}

const INT32 = { min: -2147483648, max: 2147483647 };

function numberArgs(name: string, args: string, count: number[]): number[] {
  const values = args.split(',').map((s) => s.trim());
  if (!count.includes(values.length) || values.some((v) => !/^-?\d+(\.\d+)?$/.test(v))) {
    throw new HttpHostError(
      `route constraint "${name}(${args})" needs ${count.join(' or ')} numeric argument(s)`,
    );
  }
  return values.map(Number);
}

function buildConstraint(text: string): Constraint {
  const m = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(text);
  if (!m) throw new HttpHostError(`route constraint "${text}" is not valid`);
  const name = (m[1] ?? '').toLowerCase();
  const args = m[2];
  const isNum = (v: string): boolean => /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v);
  const isInt = (v: string): boolean => /^-?\d+$/.test(v);
  switch (name) {
    case 'int':
      return (v) => isInt(v) && Number(v) >= INT32.min && Number(v) <= INT32.max;
    case 'long':
      return (v) => isInt(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n;
    case 'alpha':
      return (v) => /^[A-Za-z]+$/.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(v);
    case 'decimal':
    case 'double':
    case 'float':
      return isNum;
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'minlength': {
      const [n = 0] = numberArgs(name, args ?? '', [1]);
      return (v) => v.length >= n;
    }
    case 'maxlength': {
      const [n = 0] = numberArgs(name, args ?? '', [1]);
      return (v) => v.length <= n;
    }
    case 'length': {
      const [a = 0, b] = numberArgs(name, args ?? '', [1, 2]);
      return b === undefined ? (v) => v.length === a : (v) => v.length >= a && v.length <= b;
    }
    case 'min': {
      const [n = 0] = numberArgs(name, args ?? '', [1]);
      return (v) => isInt(v) && Number(v) >= n;
    }
    case 'max': {
      const [n = 0] = numberArgs(name, args ?? '', [1]);
      return (v) => isInt(v) && Number(v) <= n;
    }
    case 'range': {
      const [a = 0, b = 0] = numberArgs(name, args ?? '', [2]);
      return (v) => isInt(v) && Number(v) >= a && Number(v) <= b;
    }
    case 'regex': {
      if (args === undefined) throw new HttpHostError('route constraint "regex" needs a pattern');
      const re = new RegExp(args, 'i');
      return (v) => re.test(v);
    }
    default:
      throw new HttpHostError(`route constraint "${text}" is not supported`);
  }
}

export function parseParam(body: string, template: string): ParamSpec {
  // {name}, {name?}, {name=default}, {name:int}, {name:int?}, {*rest}, {**rest}, {name:regex(^a:b$)}
  let text = body;
  let catchAll = false;
  if (text.startsWith('**')) {
    catchAll = true;
    text = text.slice(2);
  } else if (text.startsWith('*')) {
    catchAll = true;
    text = text.slice(1);
  }
  let optional = false;
  if (text.endsWith('?')) {
    optional = true;
    text = text.slice(0, -1);
  }
  let defaultValue: string | undefined;
  const colon = text.indexOf(':');
  const nameEnd = colon >= 0 ? colon : text.length;
  let name = text.slice(0, nameEnd);
  const eq = name.indexOf('=');
  if (eq >= 0) {
    defaultValue = name.slice(eq + 1);
    name = name.slice(0, eq);
  }
  const constraints: Constraint[] = [];
  let rest = text.slice(nameEnd);
  while (rest.startsWith(':')) {
    rest = rest.slice(1);
    // A constraint runs to the next ':' outside parentheses.
    let depth = 0;
    let end = 0;
    for (; end < rest.length; end++) {
      const ch = rest[end];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if (ch === ':' && depth === 0) break;
    }
    let constraintText = rest.slice(0, end);
    rest = rest.slice(end);
    const dEq = constraintText.lastIndexOf('=');
    if (dEq >= 0 && !constraintText.includes('(')) {
      defaultValue = constraintText.slice(dEq + 1);
      constraintText = constraintText.slice(0, dEq);
    }
    constraints.push(buildConstraint(constraintText));
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new HttpHostError(`route "${template}": parameter name "${name}" is not valid`);
  }
  if (catchAll) optional = true;
  return { name, optional: optional || defaultValue !== undefined, defaultValue, catchAll, constraints };
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits one template segment into literal text and `{...}` parameters (braces may nest in regex constraints). */
export function splitSegment(segment: string, template: string): Array<string | ParamSpec> {
  const parts: Array<string | ParamSpec> = [];
  let i = 0;
  let literal = '';
  while (i < segment.length) {
    const ch = segment[i];
    if (ch === '{' && segment[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (ch === '}' && segment[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (ch === '{') {
      let depth = 1;
      let j = i + 1;
      for (; j < segment.length && depth > 0; j++) {
        if (segment[j] === '{') depth++;
        else if (segment[j] === '}') depth--;
      }
      if (depth !== 0) throw new HttpHostError(`route "${template}": unbalanced "{"`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(parseParam(segment.slice(i + 1, j - 1), template));
      i = j;
    } else if (ch === '}') {
      throw new HttpHostError(`route "${template}": unbalanced "}"`);
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

export function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
