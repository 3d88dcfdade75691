// Whether a PolicyRule allows a request, and whether one set of rules covers another (the
// escalation check). Pure.
// k8s: pkg/apis/rbac/v1/evaluation_helpers.go, pkg/registry/rbac/validation/policy_comparator.go
import type { PolicyRule } from '../api/rbac';
import type { Attributes } from './attributes';

const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/** `pods/log` is matched by `pods/log`, `*` and `*` + `/log`; `pods` only by `pods` and `*`. */
export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some(
    (r) => r === ALL || r === combined || (subresource !== '' && r === `*/${subresource}`),
  );
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** `/apis/*` matches every path under `/apis/`; `*` matches every path. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === ALL || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))),
  );
}

export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceURLMatches(rule, a.path);
  return (
    apiGroupMatches(rule, a.apiGroup) &&
    resourceMatches(rule, a.resource, a.subresource) &&
    resourceNameMatches(rule, a.name)
  );
}

/** One verb on one group/resource/name, or on one URL: the unit the escalation check compares. */
function atoms(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0)
          out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
        for (const name of names)
          out.push({
            verbs: [verb],
            apiGroups: [group],
            resources: [resource],
            resourceNames: [name],
          });
      }
    }
    for (const url of rule.nonResourceURLs ?? [])
      out.push({ verbs: [verb], nonResourceURLs: [url] });
  }
  return out;
}

const has = (set: string[] | undefined, v: string) => (set ?? []).includes(v);

function resourceCovered(owner: string[], wanted: string): boolean {
  if (owner.includes(ALL) || owner.includes(wanted)) return true;
  const slash = wanted.indexOf('/');
  return slash >= 0 && owner.includes(`*/${wanted.slice(slash + 1)}`);
}

function urlCovered(owner: string[], wanted: string): boolean {
  return owner.some(
    (u) => u === ALL || u === wanted || (u.endsWith('*') && wanted.startsWith(u.slice(0, -1))),
  );
}

/** Whether `owner` grants everything the single-verb, single-target rule `atom` does. */
function atomCovered(owner: PolicyRule, atom: PolicyRule): boolean {
  if (!has(owner.verbs, ALL) && !has(owner.verbs, atom.verbs[0])) return false;
  if (atom.nonResourceURLs?.length) {
    return urlCovered(owner.nonResourceURLs ?? [], atom.nonResourceURLs[0]);
  }
  const group = atom.apiGroups![0];
  if (!has(owner.apiGroups, ALL) && !has(owner.apiGroups, group)) return false;
  if (!resourceCovered(owner.resources ?? [], atom.resources![0])) return false;
  const ownerNames = owner.resourceNames ?? [];
  if (ownerNames.length === 0) return true;
  return !!atom.resourceNames?.length && ownerNames.includes(atom.resourceNames[0]);
}

/** The parts of `wanted` no rule in `owner` grants (empty when `owner` covers all of it). */
export function uncoveredRules(owner: PolicyRule[], wanted: PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of wanted)
    for (const atom of atoms(rule))
      if (!owner.some((o) => atomCovered(o, atom))) missing.push(atom);
  return missing;
}

const quoted = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** A rule as the apiserver prints it in escalation errors: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`. */
export function compactRule(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${quoted(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${quoted(r.resources)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${quoted(r.resourceNames)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${quoted(r.nonResourceURLs)}`);
  parts.push(`Verbs:${quoted(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** Merges atoms that differ only in their verb, as the apiserver compacts the missing rules. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const byTarget = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
    const seen = byTarget.get(key);
    if (seen) {
      for (const v of r.verbs) if (!seen.verbs.includes(v)) seen.verbs.push(v);
    } else byTarget.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...byTarget.values()];
}
