// Container resource requirements: resource names, quantities, and requests never above limits.
// k8s: pkg/apis/core/validation/validation.go validateResourceRequirements, validateContainerResourceName
import { isQualifiedName } from '../../lib/validation';
import { parseQuantity } from '../../lib/quantity';
import { fieldErr, path, type FieldError } from '../field-errors';
import { IS_NEGATIVE, invalidEach, objOf } from './fields';

type Quantity = ReturnType<typeof parseQuantity>;

const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
// k8s: pkg/apis/core/helper/helpers.go standardResources (what a quota or a container may name unqualified)
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);

const isHugePages = (n: string) => n.startsWith('hugepages-');
const isNative = (n: string) => !n.includes('/') || n.includes('kubernetes.io/');
const isExtended = (n: string) =>
  !isNative(n) && !n.startsWith('requests.') && isQualifiedName(`requests.${n}`).length === 0;
// Extended resources and hugepages cannot be overcommitted, so their requests must equal their limits.
const overcommitAllowed = (n: string) => isNative(n) && !isHugePages(n);

function validateResourceName(name: string, fld: string): FieldError[] {
  const errs = invalidEach(isQualifiedName(name), fld, name);
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name))
      errs.push(fieldErr.invalid(fld, name, 'must be a standard resource type or fully qualified'));
    if (!CONTAINER_RESOURCES.has(name) && !isHugePages(name))
      errs.push(fieldErr.invalid(fld, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtended(name)) {
    errs.push(fieldErr.invalid(fld, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** The text Kubernetes prints for a quantity: the parser's canonical form when it offers one. */
function show(q: Quantity, raw: unknown): string {
  const s = String(q);
  return s.startsWith('[object') ? String(raw) : s;
}

function parse(raw: unknown, fld: string, errs: FieldError[]): Quantity | undefined {
  try {
    return parseQuantity(String(raw));
  } catch (e) {
    errs.push(fieldErr.invalid(fld, raw, e instanceof Error ? e.message : String(e)));
    return undefined;
  }
}

function isWhole(q: Quantity): boolean {
  const m = q.milli() as unknown as number | bigint;
  return typeof m === 'bigint' ? m % 1000n === 0n : m % 1000 === 0;
}

function validateQuantity(name: string, q: Quantity, raw: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (q.cmp(parseQuantity('0')) < 0) errs.push(fieldErr.invalid(fld, show(q, raw), IS_NEGATIVE));
  if (isExtended(name) && !isWhole(q))
    errs.push(fieldErr.invalid(fld, show(q, raw), 'must be an integer'));
  return errs;
}

export function validateResources(resIn: unknown, fld: string): FieldError[] {
  const res = objOf(resIn);
  const errs: FieldError[] = [];
  const limPath = path.child(fld, 'limits');
  const reqPath = path.child(fld, 'requests');
  const limits = new Map<string, Quantity>();
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, raw] of Object.entries(objOf(res.limits))) {
    const p = path.key(limPath, name);
    errs.push(...validateResourceName(name, p));
    const q = parse(raw, p, errs);
    if (!q) continue;
    errs.push(...validateQuantity(name, q, raw, p));
    limits.set(name, q);
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const [name, raw] of Object.entries(objOf(res.requests))) {
    const p = path.key(reqPath, name);
    errs.push(...validateResourceName(name, p));
    const q = parse(raw, p, errs);
    if (!q) continue;
    errs.push(...validateQuantity(name, q, raw, p));
    const limit = limits.get(name);
    if (limit) {
      const c = q.cmp(limit);
      const limitRaw = objOf(res.limits)[name];
      if (c !== 0 && !overcommitAllowed(name)) {
        errs.push(
          fieldErr.invalid(
            reqPath,
            show(q, raw),
            `must be equal to ${name} limit of ${show(limit, limitRaw)}`,
          ),
        );
      } else if (c > 0) {
        errs.push(
          fieldErr.invalid(
            reqPath,
            show(q, raw),
            `must be less than or equal to ${name} limit of ${show(limit, limitRaw)}`,
          ),
        );
      }
    } else if (!overcommitAllowed(name) && !(name in objOf(res.limits))) {
      errs.push(fieldErr.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (hugePages && !cpuOrMemory)
    errs.push(fieldErr.forbidden(fld, 'HugePages require cpu or memory'));
  return errs;
}
