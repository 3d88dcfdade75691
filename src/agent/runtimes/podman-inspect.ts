// What the runtime knows of a container, read back from `container inspect` and its edgeplane labels.
// The labels are the only record: an agent restart rebuilds everything from `ps` + `inspect`.
import type { ContainerInstance } from '../runtime';
import { killedByKernelOom } from './kernel-oom';

export const LABEL = {
  /** The agent's state folder: two agents on one host (or two test clusters) never see each other's containers. */
  owner: 'io.edgeplane.owner',
  podUid: 'io.edgeplane.pod-uid',
  podName: 'io.edgeplane.pod-name',
  podNamespace: 'io.edgeplane.pod-namespace',
  container: 'io.edgeplane.container',
  init: 'io.edgeplane.init',
  attempt: 'io.edgeplane.attempt',
  /** The image as the pod spec names it (the status reports that, not the qualified name). */
  image: 'io.edgeplane.image',
  grace: 'io.edgeplane.grace-seconds',
  /** Set on the pod's sandbox (the network and UTS namespace holder), not on its containers. */
  sandbox: 'io.edgeplane.sandbox',
  /** On the sandbox: the pod IP its ports are published on. */
  podIP: 'io.edgeplane.pod-ip',
} as const;

export interface PodmanInstance extends ContainerInstance {
  podUid: string;
  /** The runtime's own container id (no "podman://" prefix). */
  cid: string;
  sandbox: boolean;
  /** The sandbox's pod IP. */
  podIP?: string;
  /** Where the container's output is written, as ProcessRecord.logPath; undefined when the daemon keeps it out of reach. */
  logPath?: string;
  /** "cri" (podman's k8s-file: `<RFC3339Nano> <stream> <F|P> <line>`) or "docker-json" (docker's json-file). */
  logFormat: 'cri' | 'docker-json';
  graceSeconds: number;
}

interface InspectJson {
  Id: string;
  Name?: string;
  Created?: string;
  Image?: string;
  ImageName?: string;
  LogPath?: string;
  State?: {
    Status?: string;
    Running?: boolean;
    ExitCode?: number;
    OOMKilled?: boolean;
    StartedAt?: string;
    FinishedAt?: string;
    Error?: string;
  };
  Config?: { Labels?: Record<string, string> | null; Image?: string };
  HostConfig?: { LogConfig?: { Type?: string; Path?: string } };
}

/** RFC 3339 with nanoseconds (podman, docker) to epoch ms; Go's zero time is "never". */
export function parseTime(s: string | undefined): number | undefined {
  if (!s || s.startsWith('0001-01-01')) return undefined;
  const ms = Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}

export function containerName(s: string | undefined): string {
  return (s ?? '').replace(/^\//, '');
}

/**
 * One inspected container as the pod worker sees it. A container that was created but never started
 * (the command could not be executed) is reported as kubelet reports it from containerd: terminated,
 * reason StartError, exit code 128, with the message the start failed with when this agent saw it.
 */
export function toInstance(
  j: InspectJson,
  runtime: string,
  startErrors: Map<string, string>,
): PodmanInstance | undefined {
  const labels = j.Config?.Labels ?? {};
  const podUid = labels[LABEL.podUid];
  if (!podUid) return undefined;
  const st = j.State ?? {};
  const status = st.Status ?? '';
  const created = parseTime(j.Created) ?? Date.now();
  const sandbox = labels[LABEL.sandbox] === 'true';
  const image = labels[LABEL.image] ?? j.Config?.Image ?? j.ImageName ?? '';
  const imageHex = (j.Image ?? '').replace(/^sha256:/, '');
  const logPath = j.HostConfig?.LogConfig?.Path || j.LogPath || undefined;
  const base: PodmanInstance = {
    id: `${runtime}://${j.Id}`,
    cid: j.Id,
    podUid,
    sandbox,
    podIP: labels[LABEL.podIP],
    name: sandbox ? 'POD' : (labels[LABEL.container] ?? containerName(j.Name)),
    init: labels[LABEL.init] === 'true',
    attempt: Number(labels[LABEL.attempt] ?? 0) || 0,
    state: 'running',
    startedAt: parseTime(st.StartedAt) ?? created,
    image,
    imageID: imageHex ? `${runtime}://sha256:${imageHex}` : '',
    logPath,
    logFormat: j.HostConfig?.LogConfig?.Type === 'json-file' ? 'docker-json' : 'cri',
    graceSeconds: Number(labels[LABEL.grace] ?? 30),
  };
  if (st.Running || status === 'running' || status === 'paused' || status === 'stopping')
    return base;
  if (status === 'created' || status === 'configured' || status === 'initialized') {
    const message =
      startErrors.get(j.Id) ?? st.Error ?? 'the container was created but could not be started';
    return {
      ...base,
      state: 'exited',
      startedAt: created,
      finishedAt: created,
      exitCode: 128,
      reason: 'StartError',
      message,
    };
  }
  const exitCode = st.ExitCode ?? 0;
  // A SIGKILLed container (137) may have met its memory limit without podman noticing: ask the kernel.
  const oom = st.OOMKilled || (exitCode === 137 && killedByKernelOom(j.Id));
  const reason = oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
  const finishedAt = parseTime(st.FinishedAt) ?? Date.now();
  return { ...base, state: 'exited', finishedAt, exitCode, reason, message: st.Error || undefined };
}

/** `ps --format json` lines or array (podman prints an array, docker one object a line) to id and state. */
export function parsePs(out: string): { id: string; state: string }[] {
  const text = out.trim();
  if (!text) return [];
  const rows: Record<string, unknown>[] = text.startsWith('[')
    ? JSON.parse(text)
    : text.split('\n').map((l) => JSON.parse(l));
  return rows
    .map((r) => ({ id: String(r.Id ?? r.ID ?? ''), state: String(r.State ?? '') }))
    .filter((r) => r.id);
}
