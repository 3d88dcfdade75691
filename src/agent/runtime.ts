// The container runtime interface (our CRI): start, stop, inspect and exec the containers of a pod.
// k8s: staging/src/k8s.io/cri-api (RuntimeService). Restart policy, backoff and probes live above it,
// in the pod worker, as they live in kubelet above CRI, so every runtime gets them for free.
import type { Container, Pod } from './types';
import type { StreamProcess, StreamRequest } from './stream-process';

export interface ContainerInstance {
  /** The full containerID the status reports, "<runtime>://<id>". */
  id: string;
  /** The container's name in the pod spec. */
  name: string;
  init: boolean;
  /** 0 for the first run; each restart is one more. The newest instance's attempt is restartCount. */
  attempt: number;
  state: 'running' | 'exited';
  /** Epoch milliseconds; the status rounds them to RFC 3339 seconds. */
  startedAt: number;
  finishedAt?: number;
  exitCode?: number;
  signal?: number;
  /** Completed, Error, or ContainerStatusUnknown when the runtime lost sight of it. */
  reason?: string;
  message?: string;
  image: string;
  imageID: string;
  /** A runtime's own readiness verdict (the fake runtime's annotation); undefined lets probes decide. */
  readyOverride?: boolean;
  /** Where the instance's output lands, for the log shipper; undefined when the runtime keeps none. */
  logPath?: string;
  /**
   * How that file is written: "raw" (the process's bytes as they came; stamped when shipped), "cri"
   * (`<RFC3339Nano> <stream> <F|P> <text>`, podman's k8s-file) or "docker-json" (docker's json-file).
   */
  logFormat?: 'raw' | 'cri' | 'docker-json';
}

export interface StartRequest {
  pod: Pod;
  container: Container;
  init: boolean;
  attempt: number;
  podIP: string;
  /** The final environment, in order (service variables, envFrom, env, defaults), names unique. */
  env: [string, string][];
  /** Command then args, with $(VAR) references expanded. */
  argv: string[];
}

/** A failure to start that the status reports as the container's waiting reason. */
export class StartError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export interface Runtime {
  /** "fake", "process", "podman", "docker". */
  readonly name: string;
  /** nodeInfo.containerRuntimeVersion, e.g. "process://1.0". */
  readonly version: string;
  /** False when starting a container needs no environment (the fake runtime skips ConfigMap, Secret and Service reads). */
  readonly needsEnv: boolean;
  /** Whether the runtime records Pulled/Created/Started events (the fake runtime stays quiet at scale). */
  readonly recordsEvents: boolean;
  /** Whether the pod worker runs the containers' probes (nothing listens in a fake container). */
  readonly runsProbes: boolean;
  /**
   * Makes the image available; answers the Pulled event's message, throws StartError (ErrImagePull)
   * when it cannot. A runtime without images says so in the message.
   */
  pull(pod: Pod, container: Container): Promise<string>;
  /** Resolves once the container runs (or failed at once); throws StartError when it cannot start. */
  start(req: StartRequest): Promise<ContainerInstance>;
  /** SIGTERM (or the runtime's equivalent), SIGKILL after graceSeconds; resolves once it has stopped. */
  stop(podUid: string, id: string, graceSeconds: number): Promise<void>;
  /** Every instance the runtime remembers for a pod, oldest first (at least the newest two per name). */
  containers(podUid: string): ContainerInstance[];
  /** Pods with any instance, running or not, so the agent can remove what no pod claims. */
  pods(): string[];
  /** Forgets a pod's instances (after they stopped) and whatever it kept for them. */
  remove(podUid: string): Promise<void>;
  exec(podUid: string, id: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  /** kubectl exec: a command in the container with live stdin/stdout/stderr (and a TTY when asked). */
  execStream?(podUid: string, req: StreamRequest): Promise<StreamProcess>;
  /** kubectl attach: the container's main process output from now on, and its stdin if the spec keeps one. */
  attach?(podUid: string, req: StreamRequest): Promise<StreamProcess>;
  /** kubectl port-forward: where to connect for a port inside the pod (default the pod IP). */
  dialTarget?(podUid: string, podIP: string, port: number): { host: string; port: number };
  /** Called when an instance changes on its own (it exited, or the fake readiness annotation flipped). */
  onChange(listener: (podUid: string) => void): void;
  /**
   * What of this pod the runtime will not honour, one sentence each; the pod worker reports them
   * once as a Warning event, so a pod never loses a feature silently.
   */
  unsupported?(pod: Pod): string[];
  /** Lets the fake runtime see pod updates (annotations) the pod worker receives. */
  observe?(pod: Pod): void;
  /** Stops watching; with stopContainers, also stops every container (an agent restart keeps them). */
  close(opts: { stopContainers: boolean }): Promise<void>;
}
