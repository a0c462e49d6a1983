/**
 * Reading the compiled ARM JSON of infra/main.bicep: every resource with the module (nested deployment)
 * it sits in, and ARM expressions with `parameters('x')` and `variables('x')` replaced by what the
 * enclosing deployments pass, so an assertion can read `'bronze'` where the template says
 * `parameters('lakeFilesystemName')`.
 */
import * as path from 'node:path';
import { buildTemplate, obtainBicep, type Built } from '../../tools/infra/bicep';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface ArmTemplate {
  readonly $schema: string;
  readonly parameters?: Record<string, { type: string; defaultValue?: unknown; metadata?: unknown }>;
  readonly variables?: Record<string, unknown>;
  readonly resources: ArmResource[] | Record<string, ArmResource>;
  readonly outputs?: Record<string, { type: string; value: unknown }>;
}

export interface ArmResource {
  readonly type: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly scope?: string;
  readonly condition?: unknown;
  readonly kind?: string;
  readonly location?: string;
  readonly tags?: unknown;
  readonly sku?: { name: string; tier?: string };
  readonly identity?: { type: string };
  readonly dependsOn?: unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form ARM JSON, read by the asserts
  readonly properties?: any;
}

/** A resource and the chain of deployments (modules) that hold it; the main template has none. */
export interface Placed {
  readonly resource: ArmResource;
  readonly module: string;
  readonly context: Context;
}

interface Context {
  readonly template: ArmTemplate;
  /** The deployment resource in the parent template that instantiates `template`, if any. */
  readonly deployment?: ArmResource;
  readonly parent?: Context;
}

const list = (resources: ArmTemplate['resources']): ArmResource[] =>
  Array.isArray(resources) ? resources : Object.values(resources);

export function flatten(template: ArmTemplate): Placed[] {
  const out: Placed[] = [];
  const walk = (context: Context, module: string): void => {
    for (const resource of list(context.template.resources)) {
      out.push({ resource, module, context });
      if (resource.type === 'Microsoft.Resources/deployments') {
        walk(
          { template: resource.properties.template, deployment: resource, parent: context },
          resource.name,
        );
      }
    }
  };
  walk({ template }, '');
  return out;
}

/** A JSON value as it reads inside an expression: strings quoted, expressions unwrapped. */
function asExpression(value: unknown, context: Context | undefined): string {
  if (typeof value === 'string') {
    return value.startsWith('[') && value.endsWith(']') ? expand(value.slice(1, -1), context) : `'${value}'`;
  }
  return JSON.stringify(value);
}

function expand(expression: string, context: Context | undefined): string {
  if (!context) return expression;
  return expression
    .replace(/variables\('(\w+)'\)(?:\.(\w+))?/g, (whole, name: string, key: string | undefined) => {
      const variable = context.template.variables?.[name];
      if (variable === undefined) return whole;
      const value = key === undefined ? variable : (variable as Record<string, unknown>)[key];
      return value === undefined ? whole : asExpression(value, context);
    })
    .replace(/parameters\('(\w+)'\)/g, (whole, name: string) => {
      const passed = context.deployment?.properties.parameters?.[name];
      if (passed && 'value' in passed) return asExpression(passed.value, context.parent);
      const fallback = context.template.parameters?.[name]?.defaultValue;
      return fallback === undefined ? whole : asExpression(fallback, context);
    });
}

/** The value an ARM property takes: literals as they are, expressions expanded (still as text). */
export function resolve(value: unknown, placed: Placed): unknown {
  if (typeof value !== 'string' || !value.startsWith('[')) return value;
  const text = expand(value.slice(1, -1), placed.context);
  if (/^'[^']*'$/.test(text)) return text.slice(1, -1);
  if (/^-?\d+$/.test(text)) return Number(text);
  return text === 'true' ? true : text === 'false' ? false : text;
}

export type Compiled =
  | { readonly ok: true; readonly built: Built; readonly compiler: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Compiles through the same code as `npm run infra:check` (cached in build/infra). Without a compiler
 * the infra asserts are skipped with a plain message, unless WATT_REQUIRE_BICEP=1 (set by .ci/run).
 */
export function compileOrSkip(): Compiled {
  const obtained = obtainBicep(ROOT, process.env);
  if ('missing' in obtained) {
    const reason = `no Bicep compiler found (${obtained.missing.split('\n')[0]})`;
    if (process.env.WATT_REQUIRE_BICEP === '1') throw new Error(`WATT_REQUIRE_BICEP=1 and ${reason}`);
    console.warn(`SKIPPING the compiled-template tests: ${reason}. Install azd or the .NET SDK.`);
    return { ok: false, reason };
  }
  const built = buildTemplate(ROOT, obtained.compiler);
  return { ok: true, built, compiler: `${obtained.compiler.version} (${obtained.compiler.source})` };
}
