// The `run` arguments of a pod's sandbox and of each container: names, labels, ports, env, command,
// security and resources. Pure: everything a pod asks that the CLI cannot do is a StartError here.
import { DEFAULT_PATH } from '../env';
import { resolvePort } from '../prober';
import { StartError, type StartRequest } from '../runtime';
import type { Container, Pod, Probe } from '../types';
import { parseQuantity } from '../../lib/quantity';
import { LABEL } from './podman-inspect';
import path from 'node:path';
import {
  SERVICEACCOUNT_MOUNT,
  SERVICEACCOUNT_PATH,
  SERVICEACCOUNT_ROOT_ENV,
  ServiceAccountFiles,
} from '../volumes/service-account';

/** What differs between podman and docker (and what this sandbox needs from podman). */
export interface Dialect {
  /** `container:<id>` joins the sandbox's network; podman can also join its UTS namespace (the hostname). */
  joinUts: boolean;
  /** podman takes a JSON array, which keeps an argv[0] with spaces intact; docker takes a string. */
  entrypointJson: boolean;
  /** podman writes k8s-file logs where we say; docker keeps json-file logs where it likes. */
  logDriverPath: boolean;
  /** The sandbox's network: podman's slirp4netns has no host-visible bridge address at all. */
  network: string;
  /** After `run`, before the image: the ulimits this sandbox needs, and anything else the operator adds. */
  runArgs: string[];
}

export interface Names {
  owner: string;
}

const configError = (message: string) => new StartError('CreateContainerConfigError', message);
const part = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, '-');

/** dockershim's names: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>, k8s_POD_... for the sandbox. */
export function instanceName(pod: Pod, container: string, attempt: number): string {
  return [
    'k8s',
    part(container),
    part(pod.metadata.name!),
    part(pod.metadata.namespace!),
    part(pod.metadata.uid!),
    String(attempt),
  ].join('_');
}

function podLabels(pod: Pod, owner: string): string[] {
  const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
  return [
    [LABEL.owner, owner],
    [LABEL.podUid, pod.metadata.uid!],
    [LABEL.podName, pod.metadata.name!],
    [LABEL.podNamespace, pod.metadata.namespace!],
    [LABEL.grace, String(grace)],
  ].flatMap(([k, v]) => ['--label', `${k}=${v}`]);
}

export const hostNetwork = (pod: Pod) =>
  (pod.spec as { hostNetwork?: boolean }).hostNetwork === true;

interface PortSpec {
  hostIP: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
}

function probePorts(c: Container): number[] {
  const probes = [c.livenessProbe, c.readinessProbe, c.startupProbe].filter((p): p is Probe => !!p);
  const out: number[] = [];
  for (const p of probes) {
    const port = p.httpGet?.port ?? p.tcpSocket?.port ?? p.grpc?.port;
    const n =
      port === undefined || p.httpGet?.host || p.tcpSocket?.host ? undefined : resolvePort(port, c);
    if (n) out.push(n);
  }
  return out;
}

/**
 * Every container port is published on the pod IP (a loopback address), so clients, the service
 * proxy and probes reach it at podIP:port as they would in Kubernetes; probe ports the pod did not
 * declare are published too, since kubelet probes them all the same. hostPort goes on the node address.
 */
export function podPorts(pod: Pod, podIP: string, nodeAddress: string | undefined): PortSpec[] {
  const seen = new Map<string, PortSpec>();
  const add = (p: PortSpec) => seen.set(`${p.hostIP}:${p.hostPort}/${p.protocol}`, p);
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const p of c.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP').toLowerCase();
      if (protocol !== 'tcp' && protocol !== 'udp')
        throw configError(
          `container ${c.name} port ${p.containerPort}: protocol ${p.protocol} is not supported by this runtime (TCP, UDP)`,
        );
      add({ hostIP: podIP, hostPort: p.containerPort, containerPort: p.containerPort, protocol });
      if (p.hostPort) {
        const ip = p.hostIP || nodeAddress;
        if (!ip)
          throw configError(
            `container ${c.name} port ${p.containerPort}: hostPort needs the node address, which this runtime was not given`,
          );
        add({ hostIP: ip, hostPort: p.hostPort, containerPort: p.containerPort, protocol });
      }
    }
    for (const port of probePorts(c))
      if (!seen.has(`${podIP}:${port}/tcp`))
        add({ hostIP: podIP, hostPort: port, containerPort: port, protocol: 'tcp' });
  }
  return [...seen.values()];
}

/** The pod's resolver, when it is not the runtime's default; `hostLoopback`: its server is on the host's loopback. */
export interface SandboxDns {
  nameservers: string[];
  searches: string[];
  options: string[];
  hostLoopback: boolean;
}

/** slirp4netns reaches the host's 127.0.0.1 (as 10.0.2.2) only when asked to. */
function withHostLoopback(network: string): string {
  if (!network.startsWith('slirp4netns') || network.includes('allow_host_loopback')) return network;
  return network.includes(':')
    ? `${network},allow_host_loopback=true`
    : `${network}:allow_host_loopback=true`;
}

/** `--dns*` flags: the containers that join the sandbox share its resolv.conf. */
function dnsArgs(dns: SandboxDns | undefined): string[] {
  if (!dns) return [];
  const args: string[] = [];
  for (const s of dns.nameservers) args.push('--dns', s);
  // An empty search path must say so, or the runtime copies the host's.
  for (const s of dns.searches.length ? dns.searches : ['.']) args.push('--dns-search', s);
  for (const o of dns.options) args.push('--dns-option', o);
  return args;
}

export function sandboxArgs(
  pod: Pod,
  podIP: string,
  image: string,
  d: Dialect,
  names: Names,
  nodeAddress?: string,
  dns?: SandboxDns,
): string[] {
  const hostname = (pod.spec.hostname ?? pod.metadata.name!).slice(0, 63);
  const args = [
    'run',
    '-d',
    '--name',
    instanceName(pod, 'POD', 0),
    ...podLabels(pod, names.owner),
    '--label',
    `${LABEL.sandbox}=true`,
    '--label',
    `${LABEL.podIP}=${podIP}`,
  ];
  // A pod with a ServiceAccount token reaches a loopback API as 10.0.2.2 (service-account.ts).
  const network =
    dns?.hostLoopback || ServiceAccountFiles.wanted(pod) ? withHostLoopback(d.network) : d.network;
  args.push('--hostname', hostname, '--network', network, ...dnsArgs(dns));
  for (const p of podPorts(pod, podIP, nodeAddress))
    args.push(
      '-p',
      `${p.hostIP}:${p.hostPort}:${p.containerPort}${p.protocol === 'udp' ? '/udp' : ''}`,
    );
  return [...args, ...d.runArgs, '--pull', 'never', image];
}

type SecurityContext = {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  seLinuxOptions?: unknown;
  procMount?: string;
  supplementalGroups?: number[];
  fsGroup?: number;
  sysctls?: { name: string; value: string }[];
};

/** The user a container runs as: `--user` and whether it can be root (for runAsNonRoot). */
export function userArgs(pod: Pod, c: Container, imageUser: string | undefined): string[] {
  const podSc = (pod.spec.securityContext ?? {}) as SecurityContext;
  const sc = (c.securityContext ?? {}) as SecurityContext;
  const uid = sc.runAsUser ?? podSc.runAsUser;
  const gid = sc.runAsGroup ?? podSc.runAsGroup;
  const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  const imageUid = (imageUser ?? '').split(':')[0];
  if (nonRoot) {
    // k8s: pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot.
    if (uid === 0)
      throw configError(
        `container ${c.name}'s runAsUser breaks non-root policy (pod: "${pod.metadata.name}", container: ${c.name})`,
      );
    if (uid === undefined) {
      if (imageUser === undefined)
        throw configError(`container ${c.name} has runAsNonRoot and the image's user is unknown`);
      if (imageUid && !/^\d+$/.test(imageUid))
        throw configError(
          `container has runAsNonRoot and image has non-numeric user (${imageUid}), cannot verify user is non-root`,
        );
      if (!imageUid || imageUid === '0')
        throw configError('container has runAsNonRoot and image will run as root');
    }
  }
  const args: string[] = [];
  if (uid !== undefined || gid !== undefined)
    args.push('--user', `${uid ?? (imageUid || 0)}${gid !== undefined ? `:${gid}` : ''}`);
  for (const g of [
    ...(podSc.supplementalGroups ?? []),
    ...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : []),
  ])
    args.push('--group-add', String(g));
  return args;
}

/** Whether userArgs needs the image's configured user. */
export function needsImageUser(pod: Pod, c: Container): boolean {
  const podSc = (pod.spec.securityContext ?? {}) as SecurityContext;
  const sc = (c.securityContext ?? {}) as SecurityContext;
  const uid = sc.runAsUser ?? podSc.runAsUser;
  return (
    uid === undefined &&
    ((sc.runAsNonRoot ?? podSc.runAsNonRoot) === true ||
      (sc.runAsGroup ?? podSc.runAsGroup) !== undefined)
  );
}

function securityArgs(pod: Pod, c: Container): string[] {
  const sc = (c.securityContext ?? {}) as SecurityContext;
  const podSc = (pod.spec.securityContext ?? {}) as SecurityContext;
  const args: string[] = [];
  if (sc.privileged) args.push('--privileged');
  if (sc.readOnlyRootFilesystem) args.push('--read-only');
  if (sc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  for (const cap of sc.capabilities?.add ?? []) args.push('--cap-add', cap);
  for (const cap of sc.capabilities?.drop ?? []) args.push('--cap-drop', cap);
  const seccomp = (sc.seccompProfile ?? podSc.seccompProfile)?.type;
  if (seccomp === 'Unconfined') args.push('--security-opt', 'seccomp=unconfined');
  else if (seccomp && seccomp !== 'RuntimeDefault')
    throw configError(
      `container ${c.name}: seccompProfile ${seccomp} is not supported by this runtime (RuntimeDefault, Unconfined)`,
    );
  if (sc.seLinuxOptions || podSc.seLinuxOptions)
    throw configError(`container ${c.name}: seLinuxOptions are not supported by this runtime`);
  if (sc.procMount && sc.procMount !== 'Default')
    throw configError(
      `container ${c.name}: procMount ${sc.procMount} is not supported by this runtime`,
    );
  for (const s of podSc.sysctls ?? []) args.push('--sysctl', `${s.name}=${s.value}`);
  return args;
}

// k8s: pkg/kubelet/cm/helpers_linux.go MilliCPUToShares (requests) and the CFS quota (limits).
function resourceArgs(c: Container): string[] {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const args: string[] = [];
  try {
    if (limits.memory)
      args.push('--memory', String(Math.ceil(parseQuantity(limits.memory).value())));
    if (limits.cpu) args.push('--cpus', String(parseQuantity(limits.cpu).milli() / 1000));
    if (requests.cpu)
      args.push(
        '--cpu-shares',
        String(Math.max(2, Math.floor((parseQuantity(requests.cpu).milli() * 1024) / 1000))),
      );
  } catch (err) {
    throw configError(
      `container ${c.name}: resources.limits: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return args;
}

/**
 * The pod's ServiceAccount files (token, ca.crt, namespace; written and refreshed by the agent in
 * a per-pod directory named in the environment) mounted read-only where in-cluster clients look,
 * as kubelet mounts the kube-api-access volume; not when the container mounts something there itself.
 */
export function serviceAccountMountArgs(c: Container, env: [string, string][]): string[] {
  const root = env.find(([k]) => k === SERVICEACCOUNT_ROOT_ENV)?.[1];
  if (!root) return [];
  const taken = (c as { volumeMounts?: { mountPath: string }[] }).volumeMounts?.some(
    (m) => path.posix.normalize(m.mountPath).replace(/\/+$/, '') === SERVICEACCOUNT_MOUNT,
  );
  return taken ? [] : ['-v', `${path.join(root, SERVICEACCOUNT_PATH)}:${SERVICEACCOUNT_MOUNT}:ro`];
}

/**
 * The environment without the process runtime's fallback PATH, so the image's own PATH applies
 * (Kubernetes passes the image's environment first and the pod's over it).
 */
export function containerEnvArgs(c: Container, env: [string, string][]): string[] {
  const own = new Set((c.env ?? []).map((e) => e.name));
  return (
    env
      .filter(
        ([k, v]) => !(k === 'PATH' && v === DEFAULT_PATH && !own.has('PATH') && !c.envFrom?.length),
      )
      // A host path: the container gets the directory mounted at the standard path instead.
      .filter(([k]) => k !== SERVICEACCOUNT_ROOT_ENV)
      .flatMap(([k, v]) => ['--env', `${k}=${v}`])
  );
}

export interface ContainerArgsInput {
  req: StartRequest;
  image: string;
  /** The sandbox container's id, or undefined for hostNetwork pods. */
  sandbox: string | undefined;
  mounts: string[];
  logPath: string | undefined;
  imageUser: string | undefined;
  d: Dialect;
  names: Names;
  /** A hostNetwork pod's resolver (ClusterFirstWithHostNet, dnsConfig), set on each container. */
  dns?: SandboxDns;
}

export function containerArgs(x: ContainerArgsInput): string[] {
  const { req, d } = x;
  const { pod, container: c } = req;
  const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
  const args = [
    'run',
    '-d',
    '--name',
    instanceName(pod, c.name, req.attempt),
    ...podLabels(pod, x.names.owner),
  ];
  args.push(
    '--label',
    `${LABEL.container}=${c.name}`,
    '--label',
    `${LABEL.init}=${req.init}`,
    '--label',
    `${LABEL.attempt}=${req.attempt}`,
    '--label',
    `${LABEL.image}=${c.image ?? ''}`,
  );
  if (x.sandbox) {
    args.push('--network', `container:${x.sandbox}`);
    if (d.joinUts) args.push('--uts', `container:${x.sandbox}`);
  } else {
    args.push('--network', 'host', ...dnsArgs(x.dns));
  }
  args.push(...containerEnvArgs(c, req.env));
  if (c.workingDir) args.push('--workdir', c.workingDir);
  args.push(...userArgs(pod, c, x.imageUser), ...securityArgs(pod, c), ...resourceArgs(c));
  if ((c as { tty?: boolean }).tty) args.push('--tty');
  if ((c as { stdin?: boolean }).stdin) args.push('--interactive');
  args.push('--stop-timeout', String(grace));
  if (x.logPath && d.logDriverPath)
    args.push('--log-driver', 'k8s-file', '--log-opt', `path=${x.logPath}`);
  args.push(...x.mounts, ...serviceAccountMountArgs(c, req.env), ...d.runArgs, '--pull', 'never');
  // k8s: command replaces the image's ENTRYPOINT (and drops its CMD); args alone replace only CMD.
  let rest: string[] = [];
  if (c.command?.length) {
    if (req.argv.length === 0) throw configError(`container ${c.name}: command is empty`);
    args.push('--entrypoint', d.entrypointJson ? JSON.stringify([req.argv[0]]) : req.argv[0]);
    rest = req.argv.slice(1);
  } else if (c.args?.length) {
    rest = req.argv;
  }
  return [...args, x.image, ...rest];
}
