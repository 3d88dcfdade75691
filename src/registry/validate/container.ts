// Containers of a PodSpec: names, image, ports, env, mounts, resources, probes and lifecycle handlers.
// k8s: pkg/apis/core/validation/validation.go validateContainerCommon and the functions it calls
import {
  isDNS1123Label,
  isEnvVarName,
  isValidPortName,
  isValidPortNum,
} from '../../lib/validation';
import { fieldErr, path, type FieldError } from '../field-errors';
import {
  asArr,
  asNum,
  asStr,
  invalidEach,
  isSet,
  nonNegative,
  notFound,
  objOf,
  type Obj,
} from './fields';
import { nameIsDNSSubdomain, validateQualifiedName } from './meta';
import { validateResources } from './resources';
import { localDescendingPath } from './volumes';
import { isConfigMapKey } from './config-key';

export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const RESOURCE_FIELD_PATHS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];

export interface ContainerContext {
  volumes: Map<string, Obj>;
  gracePeriod: number | undefined;
}

/** Rules every container kind shares (regular, init, ephemeral). */
export function validateContainerCommon(c: Obj, p: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = asStr(c.name);
  if (!name) errs.push(fieldErr.required(path.child(p, 'name')));
  else errs.push(...invalidEach(isDNS1123Label(name), path.child(p, 'name'), name));
  if (!asStr(c.image)) errs.push(fieldErr.required(path.child(p, 'image')));

  const tmp = asStr(c.terminationMessagePolicy);
  if (!tmp) errs.push(fieldErr.required(path.child(p, 'terminationMessagePolicy')));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(tmp)) {
    errs.push(
      fieldErr.notSupported(
        path.child(p, 'terminationMessagePolicy'),
        tmp,
        TERMINATION_MESSAGE_POLICIES,
      ),
    );
  }
  errs.push(...validatePorts(c.ports, path.child(p, 'ports')));
  errs.push(...validateEnv(c.env, path.child(p, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, path.child(p, 'envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, ctx.volumes, path.child(p, 'volumeMounts')));
  const pull = asStr(c.imagePullPolicy);
  if (!pull) errs.push(fieldErr.required(path.child(p, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(pull))
    errs.push(fieldErr.notSupported(path.child(p, 'imagePullPolicy'), pull, PULL_POLICIES));
  errs.push(...validateResources(c.resources, path.child(p, 'resources')));
  errs.push(...validateSecurityContext(c.securityContext, path.child(p, 'securityContext')));
  return errs;
}

/** Probes and lifecycle, allowed for regular containers and restartable init containers. */
export function validateProbesAndLifecycle(c: Obj, p: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const lifecycle = objOf(c.lifecycle);
  for (const hook of ['postStart', 'preStop']) {
    if (isSet(lifecycle[hook]))
      errs.push(
        ...validateHandler(
          objOf(lifecycle[hook]),
          ['exec', 'httpGet', 'tcpSocket', 'sleep'],
          path.child(path.child(p, 'lifecycle'), hook),
          ctx,
        ),
      );
  }
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (!isSet(c[kind])) continue;
    const probe = objOf(c[kind]);
    const pp = path.child(p, kind);
    errs.push(...validateHandler(probe, ['exec', 'httpGet', 'tcpSocket', 'grpc'], pp, ctx));
    for (const f of [
      'initialDelaySeconds',
      'timeoutSeconds',
      'periodSeconds',
      'successThreshold',
      'failureThreshold',
    ]) {
      errs.push(...nonNegative(probe[f], path.child(pp, f)));
    }
    const tgp = asNum(probe.terminationGracePeriodSeconds);
    if (tgp !== undefined && tgp <= 0)
      errs.push(
        fieldErr.invalid(
          path.child(pp, 'terminationGracePeriodSeconds'),
          tgp,
          'must be greater than 0',
        ),
      );
    if (kind === 'readinessProbe' && isSet(probe.terminationGracePeriodSeconds)) {
      errs.push(
        fieldErr.invalid(
          path.child(pp, 'terminationGracePeriodSeconds'),
          probe.terminationGracePeriodSeconds,
          'must not be set for readinessProbes',
        ),
      );
    }
    // Liveness and startup probes decide on one success; a threshold above 1 means nothing there.
    if (kind !== 'readinessProbe' && probe.successThreshold !== 1) {
      errs.push(
        fieldErr.invalid(
          path.child(pp, 'successThreshold'),
          probe.successThreshold ?? 0,
          'must be 1',
        ),
      );
    }
  }
  return errs;
}

function validateHandler(h: Obj, kinds: string[], p: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    if (!isSet(h[kind])) continue;
    if (count > 0) {
      errs.push(
        fieldErr.forbidden(path.child(p, kind), 'may not specify more than 1 handler type'),
      );
      continue;
    }
    count++;
    const a = objOf(h[kind]);
    const ap = path.child(p, kind);
    if (kind === 'exec' && !asArr(a.command).length)
      errs.push(fieldErr.required(path.child(ap, 'command')));
    if (kind === 'httpGet') {
      if (!asStr(a.path)) errs.push(fieldErr.required(path.child(ap, 'path')));
      errs.push(...validatePortNumOrName(a.port, path.child(ap, 'port')));
      const scheme = asStr(a.scheme);
      if (scheme !== 'HTTP' && scheme !== 'HTTPS')
        errs.push(fieldErr.notSupported(path.child(ap, 'scheme'), scheme, ['HTTP', 'HTTPS']));
      for (const hdr of asArr(a.httpHeaders).map(objOf)) {
        if (!/^[-A-Za-z0-9]+$/.test(asStr(hdr.name))) {
          errs.push(
            fieldErr.invalid(
              path.child(ap, 'httpHeaders'),
              asStr(hdr.name),
              "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
            ),
          );
        }
      }
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(a.port, path.child(ap, 'port')));
    if (kind === 'grpc')
      errs.push(...validatePortNumOrName(asNum(a.port) ?? 0, path.child(ap, 'port')));
    if (kind === 'sleep' && ctx.gracePeriod !== undefined) {
      const s = asNum(a.seconds) ?? 0;
      if (s <= 0 || s > ctx.gracePeriod) {
        errs.push(
          fieldErr.invalid(
            ap,
            s,
            `must be greater than 0 and less than terminationGracePeriodSeconds (${ctx.gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
          ),
        );
      }
    }
  }
  if (count === 0) errs.push(fieldErr.required(p, 'must specify a handler type'));
  return errs;
}

export function validatePortNumOrName(port: unknown, fld: string): FieldError[] {
  if (typeof port === 'number') return invalidEach(isValidPortNum(port), fld, port);
  if (typeof port === 'string') return invalidEach(isValidPortName(port), fld, port);
  return invalidEach(isValidPortNum(0), fld, 0);
}

function validatePorts(portsIn: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  asArr(portsIn).forEach((pIn, i) => {
    const port = objOf(pIn);
    const p = path.index(fld, i);
    const name = asStr(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...invalidEach(msgs, path.child(p, 'name'), name));
      else if (names.has(name)) errs.push(fieldErr.duplicate(path.child(p, 'name'), name));
      else names.add(name);
    }
    const cp = asNum(port.containerPort) ?? 0;
    if (cp === 0) errs.push(fieldErr.required(path.child(p, 'containerPort')));
    else errs.push(...invalidEach(isValidPortNum(cp), path.child(p, 'containerPort'), cp));
    const hp = asNum(port.hostPort) ?? 0;
    if (hp !== 0) errs.push(...invalidEach(isValidPortNum(hp), path.child(p, 'hostPort'), hp));
    const proto = asStr(port.protocol);
    if (!proto) errs.push(fieldErr.required(path.child(p, 'protocol')));
    else if (!PORT_PROTOCOLS.includes(proto))
      errs.push(fieldErr.notSupported(path.child(p, 'protocol'), proto, PORT_PROTOCOLS));
  });
  return errs;
}

function validateEnv(envIn: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(envIn).forEach((eIn, i) => {
    const e = objOf(eIn);
    const p = path.index(fld, i);
    const name = asStr(e.name);
    if (!name) errs.push(fieldErr.required(path.child(p, 'name')));
    else errs.push(...invalidEach(isEnvVarName(name), path.child(p, 'name'), name));
    if (isSet(e.valueFrom))
      errs.push(
        ...validateValueFrom(objOf(e.valueFrom), asStr(e.value), path.child(p, 'valueFrom')),
      );
  });
  return errs;
}

function validateValueFrom(vf: Obj, value: string, p: string): FieldError[] {
  const errs: FieldError[] = [];
  let sources = 0;
  if (isSet(vf.fieldRef)) {
    sources++;
    errs.push(...validateFieldRef(objOf(vf.fieldRef), path.child(p, 'fieldRef')));
  }
  if (isSet(vf.resourceFieldRef)) {
    sources++;
    const r = objOf(vf.resourceFieldRef);
    const rp = path.child(p, 'resourceFieldRef');
    const res = asStr(r.resource);
    if (!res) errs.push(fieldErr.required(path.child(rp, 'resource')));
    else if (!RESOURCE_FIELD_PATHS.includes(res) && !/^(requests|limits)\.hugepages-/.test(res)) {
      errs.push(fieldErr.notSupported(path.child(rp, 'resource'), res, RESOURCE_FIELD_PATHS));
    }
  }
  for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
    if (!isSet(vf[ref])) continue;
    sources++;
    const s = objOf(vf[ref]);
    const sp = path.child(p, ref);
    errs.push(
      ...invalidEach(
        nameIsDNSSubdomain(asStr(s.name), false),
        path.child(sp, 'name'),
        asStr(s.name),
      ),
    );
    const key = asStr(s.key);
    if (!key) errs.push(fieldErr.required(path.child(sp, 'key')));
    else errs.push(...invalidEach(isConfigMapKey(key), path.child(sp, 'key'), key));
  }
  if (sources === 0)
    errs.push(
      fieldErr.invalid(
        p,
        '',
        'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ),
    );
  else if (value)
    errs.push(fieldErr.invalid(p, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1)
    errs.push(fieldErr.invalid(p, '', 'may not have more than one field specified at a time'));
  return errs;
}

function validateFieldRef(fr: Obj, p: string): FieldError[] {
  if (!asStr(fr.apiVersion)) return [fieldErr.required(path.child(p, 'apiVersion'))];
  const fp = asStr(fr.fieldPath);
  if (!fp) return [fieldErr.required(path.child(p, 'fieldPath'))];
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fp);
  if (sub)
    return validateQualifiedName(
      sub[1] === 'metadata.annotations' ? sub[2].toLowerCase() : sub[2],
      p,
    );
  return ENV_FIELD_PATHS.includes(fp)
    ? []
    : [fieldErr.notSupported(path.child(p, 'fieldPath'), fp, ENV_FIELD_PATHS)];
}

function validateEnvFrom(listIn: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(listIn).forEach((eIn, i) => {
    const e = objOf(eIn);
    const p = path.index(fld, i);
    const prefix = asStr(e.prefix);
    if (prefix) errs.push(...invalidEach(isEnvVarName(prefix), path.child(p, 'prefix'), prefix));
    let sources = 0;
    for (const ref of ['configMapRef', 'secretRef']) {
      if (!isSet(e[ref])) continue;
      sources++;
      const name = asStr(objOf(e[ref]).name);
      if (!name) errs.push(fieldErr.required(path.child(path.child(p, ref), 'name')));
      else
        errs.push(
          ...invalidEach(
            nameIsDNSSubdomain(name, true),
            path.child(path.child(p, ref), 'name'),
            name,
          ),
        );
    }
    // Upstream reports these two on the list, not the item.
    if (sources === 0)
      errs.push(fieldErr.invalid(fld, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1)
      errs.push(fieldErr.invalid(fld, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(
  mountsIn: unknown,
  volumes: Map<string, Obj>,
  fld: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  asArr(mountsIn).forEach((mIn, i) => {
    const m = objOf(mIn);
    const p = path.index(fld, i);
    const name = asStr(m.name);
    const mountPath = asStr(m.mountPath);
    if (!name) errs.push(fieldErr.required(path.child(p, 'name')));
    if (!volumes.has(name)) errs.push(notFound(path.child(p, 'name'), name));
    if (!mountPath) errs.push(fieldErr.required(path.child(p, 'mountPath')));
    if (mountPoints.has(mountPath))
      errs.push(fieldErr.invalid(path.child(p, 'mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    const subPath = asStr(m.subPath);
    const subPathExpr = asStr(m.subPathExpr);
    // Upstream reports subPath problems against the list path.
    if (subPath) errs.push(...localDescendingPath(subPath, path.child(fld, 'subPath')));
    if (subPathExpr) {
      if (subPath)
        errs.push(
          fieldErr.invalid(
            path.child(p, 'subPathExpr'),
            subPathExpr,
            'subPathExpr and subPath are mutually exclusive',
          ),
        );
      errs.push(...localDescendingPath(subPathExpr, path.child(fld, 'subPathExpr')));
    }
  });
  return errs;
}

const ID_MAX = 2147483647;
function validateSecurityContext(scIn: unknown, p: string): FieldError[] {
  const sc = objOf(scIn);
  const errs: FieldError[] = [];
  for (const f of ['runAsUser', 'runAsGroup']) {
    const v = asNum(sc[f]);
    if (v !== undefined && (v < 0 || v > ID_MAX))
      errs.push(
        fieldErr.invalid(path.child(p, f), v, `must be between 0 and ${ID_MAX}, inclusive`),
      );
  }
  if (sc.allowPrivilegeEscalation === false && sc.privileged === true) {
    errs.push(
      fieldErr.invalid(
        p,
        sc,
        'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      ),
    );
  }
  return errs;
}
