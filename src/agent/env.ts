// A container's environment: service variables, envFrom, env (ConfigMap, Secret, downward API), $(VAR) expansion.
// k8s: pkg/kubelet/kubelet_pods.go makeEnvironmentVariables, pkg/kubelet/envvars/envvars.go,
// third_party/forked/golang/expansion/expand.go
import type { KObject } from '../api/types';
import type { KubeClient } from '../client/client';
import { isNotFound } from '../client/errors';
import { parseQuantity } from '../lib/quantity';
import { StartError } from './runtime';
import type { Container, EnvVarSource, Pod } from './types';

export interface EnvContext {
  client: KubeClient;
  pod: Pod;
  container: Container;
  podIP: string;
  hostIP: string;
  /** Node allocatable, the downward API's value for a limit the container does not set. */
  allocatable: Record<string, string>;
}

/** What a process starts with when the pod says nothing else: never the agent's own environment. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const configError = (message: string) => new StartError('CreateContainerConfigError', message);

/** $(VAR) expands from `lookup`; $$ is a literal $; an unknown $(VAR) stays as written. */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const n = input[i + 1];
    if (n === '$') {
      out += '$';
      i++;
    } else if (n === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = lookup(name);
      out += v ?? `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

function serviceEnv(services: KObject[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    const spec = (svc.spec ?? {}) as {
      clusterIP?: string;
      ports?: { name?: string; port: number; protocol?: string }[];
    };
    if (!spec.clusterIP || spec.clusterIP === 'None' || !spec.ports?.length) continue;
    const name = svc.metadata.name!.toUpperCase().replace(/-/g, '_');
    const ip = spec.clusterIP;
    out.push([`${name}_SERVICE_HOST`, ip], [`${name}_SERVICE_PORT`, String(spec.ports[0].port)]);
    for (const p of spec.ports)
      if (p.name)
        out.push([
          `${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`,
          String(p.port),
        ]);
    // Docker link variables, as enableServiceLinks (default true) gives them.
    const first = spec.ports[0];
    out.push([`${name}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`]);
    for (const p of spec.ports) {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push(
        [prefix, `${proto}://${ip}:${p.port}`],
        [`${prefix}_PROTO`, proto],
        [`${prefix}_PORT`, String(p.port)],
        [`${prefix}_ADDR`, ip],
      );
    }
  }
  return out;
}

async function services(ctx: EnvContext): Promise<KObject[]> {
  const ns = ctx.pod.metadata.namespace!;
  const out: KObject[] = [];
  // k8s: the master service ("kubernetes" in default) always; the pod's namespace when service links are on.
  if (ctx.pod.spec.enableServiceLinks !== false)
    out.push(...(await ctx.client.list('services', { namespace: ns })).items);
  if (ns !== 'default' || ctx.pod.spec.enableServiceLinks === false) {
    try {
      out.push(await ctx.client.get('services', 'kubernetes', { namespace: 'default' }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return out;
}

type Source = 'configmaps' | 'secrets';

async function readData(
  ctx: EnvContext,
  kind: Source,
  name: string,
  optional: boolean,
): Promise<Record<string, string> | undefined> {
  let obj: KObject;
  try {
    obj = await ctx.client.get(kind, name, { namespace: ctx.pod.metadata.namespace });
  } catch (err) {
    if (isNotFound(err) && optional) return undefined;
    if (isNotFound(err))
      throw configError(`${kind === 'configmaps' ? 'configmap' : 'secret'} "${name}" not found`);
    throw err;
  }
  if (kind === 'secrets') {
    const data = (obj.data ?? {}) as Record<string, string>;
    return Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  }
  const data = { ...((obj.data ?? {}) as Record<string, string>) };
  for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>))
    data[k] ??= Buffer.from(v, 'base64').toString('utf8');
  return data;
}

function fieldValue(ctx: EnvContext, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m)
    return (
      (m[1] === 'labels' ? ctx.pod.metadata.labels : ctx.pod.metadata.annotations)?.[m[2]] ?? ''
    );
  const meta = ctx.pod.metadata;
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return Object.entries(meta.labels ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .sort()
        .join('\n');
    case 'metadata.annotations':
      return Object.entries(meta.annotations ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .sort()
        .join('\n');
    case 'spec.nodeName':
      return ctx.pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return ctx.pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    default:
      throw configError(`unsupported fieldRef ${JSON.stringify(path)}`);
  }
}

// k8s: pkg/api/v1/resource/helpers.go ExtractContainerResourceValue: ceil(value / divisor).
function resourceValue(
  ctx: EnvContext,
  ref: NonNullable<EnvVarSource['resourceFieldRef']>,
): string {
  const target = ref.containerName
    ? [...ctx.pod.spec.containers, ...(ctx.pod.spec.initContainers ?? [])].find(
        (c) => c.name === ref.containerName,
      )
    : ctx.container;
  if (!target)
    throw configError(
      `resourceFieldRef names container ${JSON.stringify(ref.containerName)}, which the pod does not have`,
    );
  const [kind, resource] = ref.resource.split('.') as ['limits' | 'requests', string];
  const raw =
    target.resources?.[kind]?.[resource] ??
    (kind === 'limits' ? ctx.allocatable[resource] : undefined) ??
    '0';
  const divisor = parseQuantity(ref.divisor && ref.divisor !== '0' ? ref.divisor : '1');
  const value = parseQuantity(raw);
  if (resource === 'cpu') return String(Math.ceil(value.milli() / divisor.milli()));
  return String(Math.ceil(value.value() / divisor.value()));
}

/** The container's environment in order, names unique (a later definition replaces an earlier one in place). */
export async function containerEnv(ctx: EnvContext): Promise<[string, string][]> {
  const env = new Map<string, string>();
  const svc = serviceEnv(await services(ctx));
  for (const from of ctx.container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const data = await readData(
      ctx,
      from.configMapRef ? 'configmaps' : 'secrets',
      ref.name,
      ref.optional === true,
    );
    for (const [k, v] of Object.entries(data ?? {})) env.set((from.prefix ?? '') + k, v);
  }
  const svcMap = new Map(svc);
  const lookup = (name: string) => env.get(name) ?? svcMap.get(name);
  for (const e of ctx.container.env ?? []) {
    let value: string | undefined;
    const from = e.valueFrom;
    if (!from) value = expand(e.value ?? '', lookup);
    else if (from.fieldRef) value = fieldValue(ctx, from.fieldRef.fieldPath);
    else if (from.resourceFieldRef) value = resourceValue(ctx, from.resourceFieldRef);
    else if (from.configMapKeyRef || from.secretKeyRef) {
      const ref = (from.configMapKeyRef ?? from.secretKeyRef)!;
      const kind: Source = from.configMapKeyRef ? 'configmaps' : 'secrets';
      const data = await readData(ctx, kind, ref.name, ref.optional === true);
      value = data?.[ref.key];
      if (value === undefined && data && ref.optional !== true) {
        throw configError(
          `couldn't find key ${ref.key} in ${kind === 'configmaps' ? 'ConfigMap' : 'Secret'} ${ctx.pod.metadata.namespace}/${ref.name}`,
        );
      }
      if (value === undefined) continue;
    }
    env.set(e.name, value ?? '');
  }
  // Service variables only fill names the pod did not define itself.
  const out: [string, string][] = svc.filter(([k]) => !env.has(k));
  out.push(...env);
  if (!env.has('PATH') && !svcMap.has('PATH')) out.push(['PATH', DEFAULT_PATH]);
  return out;
}

/** Command then args with $(VAR) expanded from the final environment; the image has no entrypoint to fall back to. */
export function containerArgv(container: Container, env: [string, string][]): string[] {
  const map = new Map(env);
  const lookup = (n: string) => map.get(n);
  return [...(container.command ?? []), ...(container.args ?? [])].map((a) => expand(a, lookup));
}
