// Service validation: ports, type rules, session affinity, traffic policies and clusterIP stability.
// k8s: pkg/apis/core/validation/validation.go ValidateService, ValidateServiceUpdate
import type { KObject } from '../../api/types';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidIP,
  isValidPortNum,
} from '../../lib/validation';
import { carryOverServiceAllocations } from '../defaults/service';
import { fieldErr, path, type FieldError } from '../field-errors';
import { PORT_PROTOCOLS, validatePortNumOrName } from './container';
import { nonSpecialIP } from './endpoints';
import { asArr, asNum, asStr, invalidEach, isSet, objOf, type Obj } from './fields';
import {
  nameIsDNS1035Label,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from './meta';
import { isValidCIDR } from './node';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const POLICIES = ['Cluster', 'Local'];
// k8s: the apiserver's default --service-node-port-range, enforced by the nodePort allocator.
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

const isHeadless = (spec: Obj) =>
  asArr(spec.clusterIPs).length === 1 && asArr(spec.clusterIPs)[0] === 'None';

export function validateService(svc: KObject): FieldError[] {
  const spec = objOf(svc.spec);
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameFn: nameIsDNS1035Label });
  const type = asStr(spec.type);
  const ports = asArr(spec.ports).map(objOf);
  if (!ports.length && !isHeadless(spec) && type !== 'ExternalName')
    errs.push(fieldErr.required('spec.ports'));
  if ((type === 'LoadBalancer' || type === 'NodePort') && isHeadless(spec)) {
    errs.push(
      fieldErr.invalid(
        'spec.clusterIPs[0]',
        'None',
        `may not be set to 'None' for ${type} services`,
      ),
    );
  }
  if (type === 'ExternalName') {
    if (asArr(spec.clusterIPs).length)
      errs.push(fieldErr.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (asArr(spec.ipFamilies).length)
      errs.push(fieldErr.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (isSet(spec.ipFamilyPolicy))
      errs.push(
        fieldErr.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'),
      );
    const cname = asStr(spec.externalName).replace(/\.$/, '');
    if (cname) errs.push(...invalidEach(isDNS1123Subdomain(cname), 'spec.externalName', cname));
    else errs.push(fieldErr.required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((port, i) =>
    errs.push(...validateServicePort(port, ports.length > 1, names, path.index('spec.ports', i))),
  );
  if (isSet(spec.selector)) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...validateSessionAffinity(spec));
  errs.push(...validateClusterIPs(spec));
  asArr(spec.externalIPs).forEach((ip, i) => {
    const p = path.index('spec.externalIPs', i);
    const msgs = isValidIP(asStr(ip));
    errs.push(...(msgs.length ? invalidEach(msgs, p, ip) : nonSpecialIP(asStr(ip), p)));
  });
  if (!type) errs.push(fieldErr.required('spec.type'));
  else if (!TYPES.includes(type)) errs.push(fieldErr.notSupported('spec.type', type, TYPES));
  ports.forEach((port, i) => {
    if (type === 'ClusterIP' && asNum(port.nodePort))
      errs.push(
        fieldErr.forbidden(
          path.child(path.index('spec.ports', i), 'nodePort'),
          "may not be used when `type` is 'ClusterIP'",
        ),
      );
  });
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((port, i) => {
    const np = asNum(port.nodePort) ?? 0;
    if (np) {
      const key = `${asStr(port.protocol)}/${np}`;
      if (nodePorts.has(key))
        errs.push(fieldErr.duplicate(path.child(path.index('spec.ports', i), 'nodePort'), np));
      nodePorts.add(key);
    }
    const key = `${asStr(port.protocol)}/${asNum(port.port) ?? 0}`;
    if (portKeys.has(key))
      errs.push(
        fieldErr.duplicate(path.index('spec.ports', i), {
          protocol: port.protocol,
          port: port.port,
        }),
      );
    portKeys.add(key);
  });
  const ranges = asArr(spec.loadBalancerSourceRanges).map(asStr);
  if (ranges.length) {
    // Upstream spells this path with a capital L.
    if (type !== 'LoadBalancer')
      errs.push(
        fieldErr.forbidden(
          'spec.LoadBalancerSourceRanges',
          "may only be used when `type` is 'LoadBalancer'",
        ),
      );
    ranges.forEach((r, i) => {
      if (!isValidCIDR(r.trim()))
        errs.push(
          fieldErr.invalid(
            path.index('spec.LoadBalancerSourceRanges', i),
            r.trim(),
            'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
          ),
        );
    });
  }
  if (isSet(spec.allocateLoadBalancerNodePorts) && type !== 'LoadBalancer') {
    errs.push(
      fieldErr.forbidden(
        'spec.allocateLoadBalancerNodePorts',
        "may only be used when `type` is 'LoadBalancer'",
      ),
    );
  }
  if (type === 'LoadBalancer' && !isSet(spec.allocateLoadBalancerNodePorts))
    errs.push(fieldErr.required('allocateLoadBalancerNodePorts'));
  errs.push(...validateTrafficPolicies(spec));
  return errs;
}

function validateServicePort(
  port: Obj,
  requireName: boolean,
  names: Set<string>,
  p: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = asStr(port.name);
  if (requireName && !name) errs.push(fieldErr.required(path.child(p, 'name')));
  else if (name) {
    errs.push(...invalidEach(isDNS1123Label(name), path.child(p, 'name'), name));
    if (names.has(name)) errs.push(fieldErr.duplicate(path.child(p, 'name'), name));
    else names.add(name);
  }
  errs.push(
    ...invalidEach(
      isValidPortNum(asNum(port.port) ?? 0),
      path.child(p, 'port'),
      asNum(port.port) ?? 0,
    ),
  );
  const proto = asStr(port.protocol);
  if (!proto) errs.push(fieldErr.required(path.child(p, 'protocol')));
  else if (!PORT_PROTOCOLS.includes(proto))
    errs.push(fieldErr.notSupported(path.child(p, 'protocol'), proto, PORT_PROTOCOLS));
  errs.push(...validatePortNumOrName(port.targetPort, path.child(p, 'targetPort')));
  if (isSet(port.appProtocol))
    errs.push(...validateQualifiedName(asStr(port.appProtocol), path.child(p, 'appProtocol')));
  const np = asNum(port.nodePort) ?? 0;
  if (np && (np < NODE_PORT_MIN || np > NODE_PORT_MAX)) {
    errs.push(
      fieldErr.invalid(
        path.child(p, 'nodePort'),
        np,
        `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`,
      ),
    );
  }
  return errs;
}

function validateSessionAffinity(spec: Obj): FieldError[] {
  const aff = asStr(spec.sessionAffinity);
  if (!aff) return [fieldErr.required('spec.sessionAffinity')];
  if (!AFFINITIES.includes(aff))
    return [fieldErr.notSupported('spec.sessionAffinity', aff, AFFINITIES)];
  const when = 'when session affinity type is ClientIP';
  if (aff === 'None') {
    return isSet(spec.sessionAffinityConfig)
      ? [
          fieldErr.forbidden(
            'spec.sessionAffinityConfig',
            'must not be set when session affinity is None',
          ),
        ]
      : [];
  }
  if (!isSet(spec.sessionAffinityConfig))
    return [fieldErr.required('spec.sessionAffinityConfig', when)];
  const clientIP = objOf(spec.sessionAffinityConfig).clientIP;
  if (!isSet(clientIP)) return [fieldErr.required('spec.sessionAffinityConfig.clientIP', when)];
  const t = objOf(clientIP).timeoutSeconds;
  if (!isSet(t))
    return [fieldErr.required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', when)];
  const n = asNum(t) ?? 0;
  return n <= 0 || n > 86400
    ? [
        fieldErr.invalid(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          n,
          'must be greater than 0 and less than 86400',
        ),
      ]
    : [];
}

function validateClusterIPs(spec: Obj): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const clusterIP = asStr(spec.clusterIP);
  const ips = asArr(spec.clusterIPs).map(asStr);
  if (clusterIP) {
    if (!ips.length) errs.push(fieldErr.required('spec.clusterIPs'));
    else if (ips[0] !== clusterIP)
      errs.push(fieldErr.invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length) {
    errs.push(
      fieldErr.invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'),
    );
  }
  const seen = new Set<string>();
  asArr(spec.ipFamilies)
    .map(asStr)
    .forEach((f, i) => {
      if (f !== 'IPv4' && f !== 'IPv6')
        errs.push(fieldErr.notSupported(path.index('spec.ipFamilies', i), f, ['IPv4', 'IPv6']));
      if (seen.has(f)) errs.push(fieldErr.duplicate(path.index('spec.ipFamilies', i), f));
      seen.add(f);
    });
  const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
  if (isSet(spec.ipFamilyPolicy) && !policies.includes(asStr(spec.ipFamilyPolicy))) {
    errs.push(fieldErr.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, policies));
  }
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1)
        errs.push(
          fieldErr.invalid('spec.clusterIPs', ips, "'None' must be the first and only value"),
        );
      return;
    }
    errs.push(...invalidEach(isValidIP(ip), path.index('spec.clusterIPs', i), ip));
  });
  if (ips.length > 2)
    errs.push(fieldErr.invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  return errs;
}

function validateTrafficPolicies(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const type = asStr(spec.type);
  const external =
    type === 'LoadBalancer' ||
    type === 'NodePort' ||
    (type === 'ClusterIP' && asArr(spec.externalIPs).length > 0);
  const etp = asStr(spec.externalTrafficPolicy);
  if (!external) {
    if (etp)
      errs.push(
        fieldErr.invalid(
          'spec.externalTrafficPolicy',
          etp,
          'may only be set for externally-accessible services',
        ),
      );
  } else if (!etp) errs.push(fieldErr.required('spec.externalTrafficPolicy'));
  else if (!POLICIES.includes(etp))
    errs.push(fieldErr.notSupported('spec.externalTrafficPolicy', etp, POLICIES));
  const hc = asNum(spec.healthCheckNodePort) ?? 0;
  const needsHC = type === 'LoadBalancer' && etp === 'Local';
  // A missing healthCheckNodePort is the allocator's to fill, so only a stray or bad one is an error here.
  if (!needsHC && hc)
    errs.push(
      fieldErr.invalid(
        'spec.healthCheckNodePort',
        hc,
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
      ),
    );
  if (needsHC && hc) errs.push(...invalidEach(isValidPortNum(hc), 'spec.healthCheckNodePort', hc));
  if (!isSet(spec.internalTrafficPolicy)) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(type))
      errs.push(fieldErr.required('spec.internalTrafficPolicy'));
  } else if (!POLICIES.includes(asStr(spec.internalTrafficPolicy))) {
    errs.push(
      fieldErr.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, POLICIES),
    );
  }
  if (isSet(spec.trafficDistribution) && spec.trafficDistribution !== 'PreferClose') {
    errs.push(
      fieldErr.notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']),
    );
  }
  return errs;
}

/** clusterIPs may be added or released at the secondary position, but the primary never changes. */
function validateClusterIPsUpdate(spec: Obj, oldSpec: Obj): FieldError[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  if (isHeadless(spec) && isHeadless(oldSpec)) return [];
  const ips = asArr(spec.clusterIPs).map(asStr);
  const oldIps = asArr(oldSpec.clusterIPs).map(asStr);
  const errs: FieldError[] = [];
  if (ips.length === oldIps.length) {
    oldIps.forEach(
      (ip, i) =>
        ip !== ips[i] &&
        errs.push(
          fieldErr.invalid(path.index('spec.clusterIPs', i), ips, 'may not change once set'),
        ),
    );
  } else if (oldIps.length > ips.length) {
    if (!ips.length)
      errs.push(fieldErr.invalid('spec.clusterIPs[0]', ips, 'primary clusterIP can not be unset'));
    else if (ips[0] !== oldIps[0])
      errs.push(fieldErr.invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
    if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(
        fieldErr.invalid(
          'spec.ipFamilyPolicy',
          spec.ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary clusterIP",
        ),
      );
    }
  } else if (oldIps.length && ips[0] !== oldIps[0]) {
    errs.push(fieldErr.invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
  }
  return errs;
}

export function validateServiceUpdate(svc: KObject, old: KObject): FieldError[] {
  // Validate what will be stored: server-allocated values the user left out are kept from old.
  const effective: KObject = { ...svc, spec: structuredClone(objOf(svc.spec)) };
  carryOverServiceAllocations(effective, old);
  const spec = objOf(effective.spec);
  const oldSpec = objOf(old.spec);
  const errs = [
    ...validateObjectMetaUpdate(svc.metadata, old.metadata),
    ...validateClusterIPsUpdate(spec, oldSpec),
  ];
  const hcNeeded = (s: Obj) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (
    hcNeeded(spec) &&
    hcNeeded(oldSpec) &&
    spec.healthCheckNodePort !== oldSpec.healthCheckNodePort
  ) {
    errs.push(fieldErr.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  errs.push(...validateService(effective));
  return errs;
}
