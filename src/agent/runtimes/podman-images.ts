// Images for the podman/docker runtime: imagePullPolicy, pull back-off, and the sandbox's pause image.
// k8s: pkg/kubelet/images/image_manager.go (EnsureImageExists: the pull back-off lives there, below the
// pod worker, keyed by pod and image: 10 s doubling to 5 min).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StartError } from '../runtime';
import type { Container } from '../types';
import { cliError, type Cli } from './podman-cli';

const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
const PULL_TIMEOUT_MS = 10 * 60_000;
// The pod worker syncs again as soon as it has written a status (kubelet's would wait ~10 s), so a
// failed pull's own error stands this long before the back-off answers; otherwise ErrImagePull
// would flash for a few hundred milliseconds and kubectl would hardly ever show it.
const FAILURE_SHOWN_MS = 5_000;

/**
 * A short name the way kubelet's runtimes resolve it (docker.io/library/busybox:latest), so podman
 * never consults registries.conf search lists or asks a question nobody can answer.
 */
export function qualifyImage(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  let ref = hasRegistry ? image : slash < 0 ? `docker.io/library/${image}` : `docker.io/${image}`;
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  if (!last.includes(':') && !last.includes('@')) ref += ':latest';
  return ref;
}

/** k8s: pkg/apis/core/v1/defaults.go: Always for :latest or no tag, IfNotPresent otherwise. */
export function pullPolicy(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  return !last.includes(':') || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

export class ImageManager {
  private readonly backoff = new Map<string, { lastMs: number; delayMs: number; error: string }>();
  private pause?: Promise<string>;

  constructor(private readonly cli: Cli) {}

  async present(ref: string): Promise<boolean> {
    return (
      (await this.cli.run(['image', 'inspect', '--format', '{{.Id}}', ref], { timeoutMs: 30_000 }))
        .code === 0
    );
  }

  /** Answers the Pulled event's message; throws StartError ErrImagePull, ImagePullBackOff or ErrImageNeverPull. */
  /** `pullArgs` makes the pull command for a reference (with the pod's registry credentials, if any). */
  async ensure(
    podUid: string,
    c: Container,
    pullArgs: (ref: string) => string[] = (ref) => ['pull', ref],
  ): Promise<string> {
    const image = c.image ?? '';
    if (!image) throw new StartError('InvalidImageName', `container ${c.name} names no image`);
    const ref = qualifyImage(image);
    const policy = pullPolicy(c);
    if (policy !== 'Always' && (await this.present(ref)))
      return `Container image "${image}" already present on machine`;
    if (policy === 'Never')
      throw new StartError(
        'ErrImageNeverPull',
        `Container image "${image}" is not present with pull policy of Never`,
      );
    const key = `${podUid}/${ref}`;
    const b = this.backoff.get(key);
    const now = Date.now();
    if (b && now - b.lastMs < FAILURE_SHOWN_MS) throw new StartError('ErrImagePull', b.error);
    if (b && now - b.lastMs < b.delayMs)
      throw new StartError('ImagePullBackOff', `Back-off pulling image "${image}"`);
    const began = Date.now();
    const r = await this.cli.run(pullArgs(ref), { timeoutMs: PULL_TIMEOUT_MS });
    if (r.code !== 0) {
      // k8s: flowcontrol.Backoff.Next: the delay doubles per failure, and a long quiet spell resets it.
      const delayMs =
        b && now - b.lastMs < 2 * BACKOFF_MAX_MS
          ? Math.min(b.delayMs * 2, BACKOFF_MAX_MS)
          : BACKOFF_INITIAL_MS;
      const error = `failed to pull image "${image}": ${cliError(r)}`;
      this.backoff.set(key, { lastMs: Date.now(), delayMs, error });
      throw new StartError('ErrImagePull', error);
    }
    this.backoff.delete(key);
    return `Successfully pulled image "${image}" in ${((Date.now() - began) / 1000).toFixed(3)}s`;
  }

  forget(podUid: string): void {
    for (const key of this.backoff.keys())
      if (key.startsWith(`${podUid}/`)) this.backoff.delete(key);
  }

  /**
   * The image of every pod's sandbox. Built once from the host's static catatonit (podman depends on
   * it), because no registry may be reachable; otherwise the configured pause image, pulled if missing.
   */
  pauseImage(opts: { image?: string; binaries: string[] }): Promise<string> {
    return (this.pause ??= this.buildPause(opts).catch((err: unknown) => {
      this.pause = undefined;
      throw err;
    }));
  }

  private async buildPause(opts: { image?: string; binaries: string[] }): Promise<string> {
    if (opts.image) {
      if (!(await this.present(opts.image))) {
        const r = await this.cli.run(['pull', opts.image], { timeoutMs: PULL_TIMEOUT_MS });
        if (r.code !== 0)
          throw new StartError(
            'CreateContainerError',
            `pod sandbox image "${opts.image}" could not be pulled: ${cliError(r)}`,
          );
      }
      return opts.image;
    }
    const binary = opts.binaries.find((b) => fs.existsSync(b));
    if (!binary) {
      throw new StartError(
        'CreateContainerError',
        `no pod sandbox image: none of ${opts.binaries.join(', ')} exists (install catatonit) and no pause image is configured`,
      );
    }
    const ref = 'localhost/edgeplane-pause:catatonit';
    if (await this.present(ref)) return ref;
    // tar of the one file, straight into `import`: the image is catatonit at / and nothing else.
    const tar = spawn('tar', ['-C', path.dirname(binary), '-c', path.basename(binary)], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const r = await this.cli.run(
      ['import', '--change', `ENTRYPOINT ["/${path.basename(binary)}", "-P"]`, '-', ref],
      { stdin: tar.stdout!, timeoutMs: 120_000 },
    );
    if (r.code !== 0)
      throw new StartError(
        'CreateContainerError',
        `building the pod sandbox image from ${binary}: ${cliError(r)}`,
      );
    return ref;
  }
}
