// PodSpec and PodTemplateSpec validation, and which PodSpec fields a Pod update may change.
// k8s: pkg/apis/core/validation/validation.go ValidatePodSpec, ValidatePodTemplateSpec, ValidatePodUpdate
import { isDNS1123Label, isDNS1123Subdomain, isValidIP } from '../../lib/validation';
import { fieldErr, path, type FieldError } from '../field-errors';
import {
  validateContainerCommon,
  validateProbesAndLifecycle,
  type ContainerContext,
} from './container';
import {
  asArr,
  asNum,
  asStr,
  inclusiveRange,
  invalidEach,
  isSet,
  objOf,
  semanticEqual,
  type Obj,
} from './fields';
import {
  nameIsDNSSubdomain,
  validateAnnotations,
  validateLabels,
  validateQualifiedName,
} from './meta';
import { validateOnlyAddedTolerations, validateTolerations } from './tolerations';
import { validateVolumes } from './volumes';

export interface PodSpecOptions {
  /** A Pod, not a template embedded in another kind: some rules apply only to real pods. */
  isPod: boolean;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

export function validatePodTemplateSpec(tplIn: unknown, fld: string): FieldError[] {
  const tpl = objOf(tplIn);
  const meta = objOf(tpl.metadata);
  const spec = objOf(tpl.spec);
  // Upstream names these template.labels / template.annotations, without "metadata".
  const errs = [
    ...validateLabels(meta.labels, path.child(fld, 'labels')),
    ...validateAnnotations(meta.annotations, path.child(fld, 'annotations')),
  ];
  errs.push(...validatePodSpec(spec, path.child(fld, 'spec'), { isPod: false }));
  if (asArr(spec.ephemeralContainers).length) {
    errs.push(
      fieldErr.forbidden(
        path.child(path.child(fld, 'spec'), 'ephemeralContainers'),
        'ephemeral containers not allowed in pod template',
      ),
    );
  }
  return errs;
}

export function validatePodSpec(specIn: unknown, fld: string, opts: PodSpecOptions): FieldError[] {
  const spec = objOf(specIn);
  const errs: FieldError[] = [];
  const child = (f: string) => path.child(fld, f);
  if (!isSet(spec.terminationGracePeriodSeconds))
    errs.push(fieldErr.required(child('terminationGracePeriodSeconds')));
  else if ((asNum(spec.terminationGracePeriodSeconds) ?? 0) < 0) {
    errs.push(
      fieldErr.invalid(
        child('terminationGracePeriodSeconds'),
        spec.terminationGracePeriodSeconds,
        'must be greater than or equal to 0',
      ),
    );
  }
  const { volumes, errors } = validateVolumes(spec.volumes, child('volumes'));
  errs.push(...errors);
  const ctx: ContainerContext = { volumes, gracePeriod: asNum(spec.terminationGracePeriodSeconds) };
  errs.push(...validateContainers(spec.containers, ctx, child('containers'), opts));
  errs.push(
    ...validateInitContainers(
      spec.initContainers,
      spec.containers,
      ctx,
      child('initContainers'),
      opts,
    ),
  );
  errs.push(...validateHostNetworkPorts(spec, fld, opts));
  errs.push(...enumField(spec.restartPolicy, RESTART_POLICIES, child('restartPolicy')));
  errs.push(...enumField(spec.dnsPolicy, DNS_POLICIES, child('dnsPolicy')));
  errs.push(...validateLabels(spec.nodeSelector, child('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec, child('securityContext')));
  errs.push(...validateDNSConfig(spec, child('dnsConfig')));
  asArr(spec.readinessGates).forEach((g, i) =>
    errs.push(
      ...validateQualifiedName(
        asStr(objOf(g).conditionType),
        path.child(path.index(child('readinessGates'), i), 'conditionType'),
      ),
    ),
  );
  const gates = new Set<string>();
  asArr(spec.schedulingGates).forEach((g, i) => {
    const name = asStr(objOf(g).name);
    errs.push(...validateQualifiedName(name, path.index(child('schedulingGates'), i)));
    if (gates.has(name))
      errs.push(fieldErr.duplicate(path.index(child('schedulingGates'), i), name));
    gates.add(name);
  });
  for (const f of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    const v = asStr(spec[f]);
    if (v) errs.push(...invalidEach(nameIsDNSSubdomain(v, false), child(f), v));
  }
  const ads = asNum(spec.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32))
    errs.push(fieldErr.invalid(child('activeDeadlineSeconds'), ads, inclusiveRange(1, MAX_INT32)));
  for (const f of ['hostname', 'subdomain']) {
    const v = asStr(spec[f]);
    if (v) errs.push(...invalidEach(isDNS1123Label(v), child(f), v));
  }
  errs.push(...validateTolerations(spec.tolerations, child('tolerations')));
  asArr(spec.hostAliases).forEach((aIn, i) => {
    const a = objOf(aIn);
    const p = path.index(child('hostAliases'), i);
    errs.push(...invalidEach(isValidIP(asStr(a.ip)), path.child(p, 'ip'), asStr(a.ip)));
    asArr(a.hostnames).forEach((h, j) =>
      errs.push(
        ...invalidEach(isDNS1123Subdomain(asStr(h)), path.index(path.child(p, 'hostnames'), j), h),
      ),
    );
  });
  if (isSet(spec.runtimeClassName))
    errs.push(
      ...invalidEach(
        nameIsDNSSubdomain(asStr(spec.runtimeClassName), false),
        child('runtimeClassName'),
        spec.runtimeClassName,
      ),
    );
  if (isSet(spec.preemptionPolicy))
    errs.push(
      ...enumField(
        spec.preemptionPolicy,
        ['PreemptLowerPriority', 'Never'],
        child('preemptionPolicy'),
      ),
    );
  if (isSet(spec.os)) {
    const os = asStr(objOf(spec.os).name);
    if (!os) errs.push(fieldErr.required(path.child(child('os'), 'name')));
    else if (os !== 'linux' && os !== 'windows')
      errs.push(fieldErr.notSupported(path.child(child('os'), 'name'), os, ['linux', 'windows']));
  }
  return errs;
}

function enumField(value: unknown, allowed: string[], fld: string): FieldError[] {
  const v = asStr(value);
  if (!v) return [fieldErr.required(fld)];
  return allowed.includes(v) ? [] : [fieldErr.notSupported(fld, v, allowed)];
}

function validateContainers(
  listIn: unknown,
  ctx: ContainerContext,
  fld: string,
  opts: PodSpecOptions,
): FieldError[] {
  const list = asArr(listIn).map(objOf);
  if (!list.length) return [fieldErr.required(fld)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = path.index(fld, i);
    errs.push(...validateContainerCommon(c, p, ctx), ...imageWhitespace(c, p, opts));
    const name = asStr(c.name);
    if (names.has(name)) errs.push(fieldErr.duplicate(path.child(p, 'name'), name));
    else names.add(name);
    errs.push(...validateProbesAndLifecycle(c, p, ctx));
    if (isSet(c.restartPolicy))
      errs.push(
        fieldErr.forbidden(
          path.child(p, 'restartPolicy'),
          'may not be set for non-init containers',
        ),
      );
  });
  errs.push(...hostPortConflicts(list, fld));
  return errs;
}

function validateInitContainers(
  listIn: unknown,
  regularIn: unknown,
  ctx: ContainerContext,
  fld: string,
  opts: PodSpecOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(asArr(regularIn).map((c) => asStr(objOf(c).name)));
  asArr(listIn)
    .map(objOf)
    .forEach((c, i) => {
      const p = path.index(fld, i);
      errs.push(...validateContainerCommon(c, p, ctx), ...imageWhitespace(c, p, opts));
      // A restartPolicy of Always makes this a sidecar, which may carry probes and lifecycle hooks.
      const restartable = c.restartPolicy === 'Always';
      if (isSet(c.restartPolicy) && !restartable)
        errs.push(
          fieldErr.notSupported(path.child(p, 'restartPolicy'), c.restartPolicy, ['Always']),
        );
      const name = asStr(c.name);
      if (names.has(name)) errs.push(fieldErr.duplicate(path.child(p, 'name'), name));
      else if (name) names.add(name);
      // Init containers run one by one, so each is checked for host-port conflicts alone.
      errs.push(...hostPortConflicts([c], fld));
      if (restartable) errs.push(...validateProbesAndLifecycle(c, p, ctx));
      else {
        for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
          if (isSet(c[f]))
            errs.push(
              fieldErr.forbidden(
                path.child(p, f),
                'may not be set for init containers without restartPolicy=Always',
              ),
            );
        }
      }
    });
  return errs;
}

function imageWhitespace(c: Obj, p: string, opts: PodSpecOptions): FieldError[] {
  const image = asStr(c.image);
  return opts.isPod && image !== image.trim()
    ? [
        fieldErr.invalid(
          path.child(p, 'image'),
          image,
          'must not have leading or trailing whitespace',
        ),
      ]
    : [];
}

function hostPortConflicts(containers: Obj[], fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    asArr(c.ports)
      .map(objOf)
      .forEach((port, pi) => {
        const hp = asNum(port.hostPort) ?? 0;
        if (!hp) return;
        const key = `${asStr(port.protocol)}/${asStr(port.hostIP)}/${hp}`;
        const p = path.child(path.index(path.child(path.index(fld, ci), 'ports'), pi), 'hostPort');
        if (seen.has(key)) errs.push(fieldErr.duplicate(p, key));
        else seen.add(key);
      });
  });
  return errs;
}

function validateHostNetworkPorts(spec: Obj, fld: string, opts: PodSpecOptions): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldError[] = [];
  asArr(spec.containers)
    .map(objOf)
    .forEach((c, i) => {
      asArr(c.ports)
        .map(objOf)
        .forEach((port, j) => {
          const hp = asNum(port.hostPort) ?? 0;
          const cp = asNum(port.containerPort) ?? 0;
          // A template may leave hostPort 0: it is defaulted to containerPort when the Pod is made.
          if ((opts.isPod || hp !== 0) && hp !== cp) {
            const p = path.child(
              path.index(path.child(path.index(path.child(fld, 'containers'), i), 'ports'), j),
              'hostPort',
            );
            errs.push(
              fieldErr.invalid(p, hp, 'must match `containerPort` when `hostNetwork` is true'),
            );
          }
        });
    });
  return errs;
}

function validatePodSecurityContext(spec: Obj, fld: string): FieldError[] {
  const sc = objOf(spec.securityContext);
  const errs: FieldError[] = [];
  const idRange = `must be between 0 and ${MAX_INT32}, inclusive`;
  for (const f of ['fsGroup', 'runAsUser', 'runAsGroup']) {
    const v = asNum(sc[f]);
    if (v !== undefined && (v < 0 || v > MAX_INT32))
      errs.push(fieldErr.invalid(path.child(fld, f), v, idRange));
  }
  asArr(sc.supplementalGroups).forEach((g, i) => {
    if (typeof g === 'number' && (g < 0 || g > MAX_INT32))
      errs.push(fieldErr.invalid(path.index(path.child(fld, 'supplementalGroups'), i), g, idRange));
  });
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(
      fieldErr.invalid(
        path.child(fld, 'shareProcessNamespace'),
        true,
        'ShareProcessNamespace and HostPID cannot both be enabled',
      ),
    );
  }
  return errs;
}

function validateDNSConfig(spec: Obj, fld: string): FieldError[] {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!isSet(cfg))
      return [fieldErr.required(fld, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!asArr(objOf(cfg).nameservers).length)
      return [
        fieldErr.required(
          path.child(fld, 'nameservers'),
          'must provide at least one DNS nameserver when `dnsPolicy` is None',
        ),
      ];
  }
  if (!isSet(cfg)) return [];
  const c = objOf(cfg);
  const errs: FieldError[] = [];
  const ns = asArr(c.nameservers);
  if (ns.length > 3)
    errs.push(
      fieldErr.invalid(path.child(fld, 'nameservers'), ns, 'must not have more than 3 nameservers'),
    );
  ns.forEach((n, i) =>
    errs.push(
      ...invalidEach(isValidIP(asStr(n)), path.index(path.child(fld, 'nameservers'), i), n),
    ),
  );
  const searches = asArr(c.searches).map(asStr);
  if (searches.length > 32)
    errs.push(
      fieldErr.invalid(
        path.child(fld, 'searches'),
        searches,
        'must not have more than 32 search paths',
      ),
    );
  if (searches.join(' ').length > 2048)
    errs.push(
      fieldErr.invalid(
        path.child(fld, 'searches'),
        searches,
        'must not have more than 2048 characters (including spaces) in the search list',
      ),
    );
  searches.forEach((s, i) => {
    const bare = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(
      ...invalidEach(isDNS1123Subdomain(bare), path.index(path.child(fld, 'searches'), i), bare),
    );
  });
  asArr(c.options).forEach((o, i) => {
    if (!asStr(objOf(o).name))
      errs.push(fieldErr.required(path.index(path.child(fld, 'options'), i), 'must not be empty'));
  });
  return errs;
}

const UPDATABLE = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** A running Pod's spec is fixed except for images, a shrinking deadline and added tolerations. */
export function validatePodSpecUpdate(newIn: unknown, oldIn: unknown, fld = 'spec'): FieldError[] {
  const n = objOf(newIn);
  const o = objOf(oldIn);
  const errs: FieldError[] = [];
  for (const list of ['containers', 'initContainers']) {
    const nl = asArr(n[list]).map(objOf);
    if (nl.length !== asArr(o[list]).length) {
      errs.push(
        fieldErr.forbidden(path.child(fld, list), 'pod updates may not add or remove containers'),
      );
      return errs;
    }
    nl.forEach((c, i) => {
      const image = asStr(c.image);
      if (!image)
        errs.push(fieldErr.required(path.child(path.index(path.child(fld, list), i), 'image')));
      if (image !== image.trim())
        errs.push(
          fieldErr.invalid(
            path.child(path.index(path.child(fld, list), i), 'image'),
            image,
            'must not have leading or trailing whitespace',
          ),
        );
    });
  }
  const nads = asNum(n.activeDeadlineSeconds);
  const oads = asNum(o.activeDeadlineSeconds);
  if (nads !== undefined) {
    if (nads < 0 || nads > MAX_INT32)
      return [
        ...errs,
        fieldErr.invalid(
          path.child(fld, 'activeDeadlineSeconds'),
          nads,
          inclusiveRange(0, MAX_INT32),
        ),
      ];
    if (oads !== undefined && oads < nads)
      return [
        ...errs,
        fieldErr.invalid(
          path.child(fld, 'activeDeadlineSeconds'),
          nads,
          'must be less than or equal to previous value',
        ),
      ];
  } else if (oads !== undefined) {
    errs.push(
      fieldErr.invalid(
        path.child(fld, 'activeDeadlineSeconds'),
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }
  errs.push(
    ...validateOnlyAddedTolerations(n.tolerations, o.tolerations, path.child(fld, 'tolerations')),
  );
  const oldGates = new Set(asArr(o.schedulingGates).map((g) => asStr(objOf(g).name)));
  asArr(n.schedulingGates).forEach((g, i) => {
    const name = asStr(objOf(g).name);
    if (!oldGates.has(name))
      errs.push(
        fieldErr.forbidden(
          path.child(path.index(path.child(fld, 'schedulingGates'), i), 'name'),
          `only deletion is allowed, but found new scheduling gate '${name}'`,
        ),
      );
  });

  // Copy the mutable fields over from the old spec; whatever still differs was an illegal change.
  const munged: Obj = { ...n };
  for (const list of ['containers', 'initContainers']) {
    const ol = asArr(o[list]).map(objOf);
    if (isSet(n[list]))
      munged[list] = asArr(n[list]).map((c, i) => ({ ...objOf(c), image: ol[i]?.image }));
  }
  munged.activeDeadlineSeconds = o.activeDeadlineSeconds;
  munged.schedulingGates = o.schedulingGates;
  munged.tolerations = o.tolerations;
  const ngp = asNum(n.terminationGracePeriodSeconds);
  const ogp = asNum(o.terminationGracePeriodSeconds);
  if (ogp !== undefined && ogp < 0 && ngp === 1) munged.terminationGracePeriodSeconds = ogp;
  if (!semanticEqual(munged, o, true)) {
    const diff = diffPaths(o, munged, fld).slice(0, 10).join('\n');
    errs.push(
      fieldErr.forbidden(
        fld,
        `pod updates may not change fields other than ${UPDATABLE.join(',')}\n${diff}`,
      ),
    );
  }
  return errs;
}

/** Leaf paths where two specs differ, printed under the Forbidden error so the user sees what changed. */
function diffPaths(a: unknown, b: unknown, at: string): string[] {
  if (semanticEqual(a, b, true)) return [];
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
    return a.flatMap((x, i) => diffPaths(x, b[i], path.index(at, i)));
  const ao = a && typeof a === 'object' && !Array.isArray(a) ? (a as Obj) : undefined;
  const bo = b && typeof b === 'object' && !Array.isArray(b) ? (b as Obj) : undefined;
  if (ao && bo)
    return [...new Set([...Object.keys(ao), ...Object.keys(bo)])].flatMap((k) =>
      diffPaths(ao[k], bo[k], path.child(at, k)),
    );
  return [`  ${at}: ${JSON.stringify(a ?? null)} -> ${JSON.stringify(b ?? null)}`];
}
