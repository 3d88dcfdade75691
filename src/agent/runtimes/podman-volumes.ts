// A container's volume mounts as `-v`/`--tmpfs` flags: emptyDir and hostPath directories, configMap and
// secret files materialised from the API (read-only), each with an optional subPath.
// k8s: pkg/volume/util/atomic_writer.go (the ..data symlink swap), pkg/kubelet/kubelet_pods.go makeMounts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { KObject } from '../../api/types';
import type { KubeClient } from '../../client/client';
import { isNotFound } from '../../client/errors';
import { parseQuantity } from '../../lib/quantity';
import { StartError } from '../runtime';
import { claimDirectories } from '../volumes/local-path';
import type { Container, Pod } from '../types';

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

interface Projection {
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  configMap?: Projection & { name: string };
  secret?: Projection & { secretName: string };
  hostPath?: { path: string; type?: string };
  [source: string]: unknown;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
  mountPropagation?: string;
}

export const volumesOf = (pod: Pod): Volume[] => (pod.spec as { volumes?: Volume[] }).volumes ?? [];
export const mountsOf = (c: Container): VolumeMount[] =>
  (c as { volumeMounts?: VolumeMount[] }).volumeMounts ?? [];

const SUPPORTED = ['emptyDir', 'configMap', 'secret', 'hostPath', 'persistentVolumeClaim'];
const configError = (message: string) => new StartError('CreateContainerConfigError', message);

export interface PodVolumeContext {
  client: KubeClient;
  pod: Pod;
  /** <state>/<runtime>/pods/<uid>: volumes live in its volumes/ folder. */
  podDir: string;
}

export interface MountContext extends PodVolumeContext {
  container: Container;
}

/** Relative, inside the volume: no absolute path, no `..` step (k8s: validation of subPath and items[].path). */
function safeRelative(p: string, what: string): string {
  const parts = p.split('/');
  if (!p || path.isAbsolute(p) || parts.includes('..'))
    throw configError(`${what} ${JSON.stringify(p)} must be a relative path without ".."`);
  return path.normalize(p);
}

export async function mountArgs(ctx: MountContext): Promise<string[]> {
  const volumes = new Map(volumesOf(ctx.pod).map((v) => [v.name, v]));
  const args: string[] = [];
  for (const m of mountsOf(ctx.container)) {
    const v = volumes.get(m.name);
    const where = `volumeMount ${JSON.stringify(m.name)} of container ${ctx.container.name}`;
    if (!v) throw configError(`${where} names no volume of the pod`);
    if (m.subPathExpr)
      throw configError(`${where}: subPathExpr is not supported by this runtime; use subPath`);
    if (m.mountPropagation && m.mountPropagation !== 'None')
      throw configError(
        `${where}: mountPropagation ${m.mountPropagation} is not supported by this runtime`,
      );
    // The CLI's -v syntax splits on ':'; a comma would split --tmpfs options.
    if (!path.isAbsolute(m.mountPath) || /[:,]/.test(m.mountPath))
      throw configError(
        `${where}: mountPath ${JSON.stringify(m.mountPath)} must be absolute, without ':' or ','`,
      );
    const source = Object.keys(v).find((k) => k !== 'name' && v[k] != null);
    if (!source || !SUPPORTED.includes(source)) {
      throw configError(
        `volume ${JSON.stringify(v.name)}: the ${source ?? 'unnamed'} volume type is not supported by this runtime (supported: ${SUPPORTED.join(', ')})`,
      );
    }
    if (v.emptyDir?.medium === 'Memory') {
      args.push(...memoryVolume(ctx, v, m, where));
      continue;
    }
    const root = await volumeRoot(ctx, v);
    let src = root;
    if (m.subPath) {
      src = path.join(root, safeRelative(m.subPath, `${where}: subPath`));
      if (v.configMap || v.secret) {
        if (!fs.existsSync(src))
          throw configError(
            `${where}: subPath ${JSON.stringify(m.subPath)} is not a key of volume ${JSON.stringify(v.name)}`,
          );
        // The key is a symlink into ..data; the bind mount takes the file it points at.
        src = fs.realpathSync(src);
      } else if (!fs.existsSync(src)) {
        fs.mkdirSync(src, { recursive: true, mode: 0o777 });
      }
    }
    if (/[:,]/.test(src))
      throw configError(`${where}: the host path ${JSON.stringify(src)} contains ':' or ','`);
    const ro = m.readOnly || v.configMap !== undefined || v.secret !== undefined;
    args.push('-v', `${src}:${m.mountPath}${ro ? ':ro' : ''}`);
  }
  return args;
}

/**
 * Rewrites the configMap and secret volumes already on disk from the API, as kubelet's periodic
 * volume sync does, so running containers see updates; a subPath mount keeps the file it had.
 * A failure keeps the old files and is logged.
 */
export async function refreshProjections(
  ctx: PodVolumeContext,
  log: (m: string) => void,
): Promise<void> {
  for (const v of volumesOf(ctx.pod)) {
    if (!v.configMap && !v.secret) continue;
    if (!fs.existsSync(path.join(ctx.podDir, 'volumes', v.name))) continue;
    try {
      await volumeRoot(ctx, v);
    } catch (err) {
      log(
        `refreshing volume ${v.name} of pod ${ctx.pod.metadata.namespace}/${ctx.pod.metadata.name}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}

/** What of the pod's volumes this runtime does not enforce. */
export function unenforcedVolumeFeatures(pod: Pod): string[] {
  return volumesOf(pod)
    .filter((v) => v.emptyDir?.sizeLimit && v.emptyDir.medium !== 'Memory')
    .map(
      (v) =>
        `emptyDir volume ${JSON.stringify(v.name)}: sizeLimit ${v.emptyDir!.sizeLimit} is not enforced for a disk-backed emptyDir by this runtime`,
    );
}

/** tmpfs belongs to one container's mount namespace here, so it is honoured only when one container mounts it. */
function memoryVolume(ctx: MountContext, v: Volume, m: VolumeMount, where: string): string[] {
  const users = [...(ctx.pod.spec.initContainers ?? []), ...ctx.pod.spec.containers].filter((c) =>
    mountsOf(c).some((x) => x.name === v.name),
  );
  if (users.length > 1 || m.subPath) {
    throw configError(
      `${where}: emptyDir medium Memory is honoured only for a single container without subPath (this runtime cannot share a tmpfs between containers)`,
    );
  }
  const size = v.emptyDir?.sizeLimit
    ? `,size=${Math.ceil(parseQuantity(v.emptyDir.sizeLimit).value())}`
    : '';
  return ['--tmpfs', `${m.mountPath}:rw,mode=1777${size}${m.readOnly ? ',ro' : ''}`];
}

async function volumeRoot(ctx: PodVolumeContext, v: Volume): Promise<string> {
  const dir = path.join(ctx.podDir, 'volumes', v.name);
  if (v.emptyDir) {
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      // k8s: an emptyDir is world-writable, whatever user the container runs as.
      fs.chmodSync(dir, 0o777);
    }
    return dir;
  }
  if (v.hostPath) return hostPath(v);
  if (v.persistentVolumeClaim) return (await claimDirectories(ctx.client, ctx.pod)).get(v.name)!;
  const kind = v.configMap ? 'configmaps' : 'secrets';
  const proj = (v.configMap ?? v.secret)!;
  const name = v.configMap?.name ?? v.secret!.secretName;
  const data = await readObject(ctx, kind, name, proj.optional === true);
  const files: { rel: string; data: Buffer; mode: number }[] = [];
  const mode = (m?: number) => m ?? proj.defaultMode ?? 0o644;
  if (proj.items?.length) {
    for (const item of proj.items) {
      const value = data.get(item.key);
      if (value === undefined) {
        if (proj.optional) continue;
        throw configError(
          `volume ${JSON.stringify(v.name)}: key ${JSON.stringify(item.key)} is not in ${kind === 'configmaps' ? 'configmap' : 'secret'} "${name}"`,
        );
      }
      files.push({
        rel: safeRelative(item.path, `volume ${JSON.stringify(v.name)}: items path`),
        data: value,
        mode: mode(item.mode),
      });
    }
  } else {
    for (const [key, value] of data)
      files.push({
        rel: safeRelative(key, `volume ${JSON.stringify(v.name)}: key`),
        data: value,
        mode: mode(),
      });
  }
  writeAtomically(dir, files);
  return dir;
}

async function readObject(
  ctx: PodVolumeContext,
  kind: 'configmaps' | 'secrets',
  name: string,
  optional: boolean,
): Promise<Map<string, Buffer>> {
  let obj: KObject;
  try {
    obj = await ctx.client.get(kind, name, { namespace: ctx.pod.metadata.namespace });
  } catch (err) {
    if (isNotFound(err) && optional) return new Map();
    if (isNotFound(err))
      throw configError(`${kind === 'configmaps' ? 'configmap' : 'secret'} "${name}" not found`);
    throw err;
  }
  const out = new Map<string, Buffer>();
  const data = (obj.data ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(data))
    out.set(k, kind === 'secrets' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8'));
  if (kind === 'configmaps')
    for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>))
      out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/**
 * Files land in a fresh `..<stamp>` folder; `..data` is swapped to it with one rename, and each
 * top-level name is a symlink through `..data`, so a running container never sees half an update.
 */
function writeAtomically(dir: string, files: { rel: string; data: Buffer; mode: number }[]): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const stamp = `..${new Date().toISOString().replace(/[-:.]/g, '_')}.${randomBytes(4).toString('hex')}`;
  const staged = path.join(dir, stamp);
  fs.mkdirSync(staged, { mode: 0o755 });
  for (const f of files) {
    const target = path.join(staged, f.rel);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.writeFileSync(target, f.data);
    fs.chmodSync(target, f.mode);
  }
  const tmpLink = path.join(dir, '..data_tmp');
  fs.rmSync(tmpLink, { force: true });
  fs.symlinkSync(stamp, tmpLink);
  fs.renameSync(tmpLink, path.join(dir, '..data'));
  const tops = new Set(files.map((f) => f.rel.split('/')[0]));
  for (const top of tops) {
    const link = path.join(dir, top);
    if (!fs.existsSync(link) && !isLink(link)) fs.symlinkSync(path.join('..data', top), link);
  }
  for (const entry of fs.readdirSync(dir)) {
    if (entry === '..data' || entry === stamp) continue;
    if (entry.startsWith('..') || !tops.has(entry))
      fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

// k8s: pkg/volume/hostpath/host_path.go checkType.
function hostPath(v: Volume): string {
  const { path: p, type = '' } = v.hostPath!;
  const where = `volume ${JSON.stringify(v.name)}: hostPath ${JSON.stringify(p)}`;
  if (!path.isAbsolute(p)) throw configError(`${where} must be absolute`);
  if (type === 'DirectoryOrCreate' && !fs.existsSync(p))
    fs.mkdirSync(p, { recursive: true, mode: 0o755 });
  if (type === 'FileOrCreate' && !fs.existsSync(p)) {
    fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
    fs.writeFileSync(p, '', { mode: 0o644 });
  }
  if (!type) return p;
  const st = fs.statSync(p, { throwIfNoEntry: false });
  const ok: Record<string, (s: fs.Stats) => boolean> = {
    Directory: (s) => s.isDirectory(),
    DirectoryOrCreate: (s) => s.isDirectory(),
    File: (s) => s.isFile(),
    FileOrCreate: (s) => s.isFile(),
    Socket: (s) => s.isSocket(),
    CharDevice: (s) => s.isCharacterDevice(),
    BlockDevice: (s) => s.isBlockDevice(),
  };
  if (!ok[type]) throw configError(`${where}: unknown type ${type}`);
  if (!st || !ok[type](st)) throw configError(`${where} is not a ${type} on this node`);
  return p;
}
