// Persistent volumes on this node: a pod's claims resolved to directories (PVC -> PV -> local/hostPath),
// created on first use, and the directories of deleted local-path volumes removed.
// k8s: pkg/kubelet/volumemanager (WaitForAttachAndMount), pkg/volume/local; rancher local-path-provisioner (cleanup)
import fs from 'node:fs';
import path from 'node:path';
import {
  LOCAL_PATH_ROOT_ANNOTATION,
  type PersistentVolume,
  type PersistentVolumeClaim,
} from '../../api/storage';
import type { KubeClient } from '../../client/client';
import { isNotFound } from '../../client/errors';
import { StartError } from '../runtime';
import type { Container, Pod } from '../types';

/** Where a node's local-path volumes live: <state>/volumes/local-path/<node>. */
export const localPathRoot = (stateDir: string, node: string) =>
  path.join(stateDir, 'volumes', 'local-path', node);

/** The annotation the agent puts on its Node so the provisioner knows where to make volumes. */
export const localPathAnnotations = (stateDir: string, node: string) => ({
  [LOCAL_PATH_ROOT_ANNOTATION]: path.resolve(localPathRoot(stateDir, node)),
});

interface ClaimVolume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}

const waiting = (message: string) => new StartError('ContainerCreating', message);

/** A pod's persistentVolumeClaim volumes by volume name, each the directory it is backed by (made if missing). */
export async function claimDirectories(client: KubeClient, pod: Pod): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const volumes = ((pod.spec as { volumes?: ClaimVolume[] }).volumes ?? []).filter(
    (v) => v.persistentVolumeClaim?.claimName,
  );
  for (const v of volumes) {
    const claimName = v.persistentVolumeClaim!.claimName;
    let pvc: PersistentVolumeClaim;
    try {
      pvc = await client.get<PersistentVolumeClaim>('persistentvolumeclaims', claimName, {
        namespace: pod.metadata.namespace,
      });
    } catch (err) {
      if (isNotFound(err))
        throw waiting(`persistentvolumeclaim "${claimName}" not found (volume "${v.name}")`);
      throw err;
    }
    if (pvc.metadata.deletionTimestamp)
      throw waiting(`persistentvolumeclaim "${claimName}" is being deleted`);
    if (!pvc.spec.volumeName || pvc.status?.phase !== 'Bound')
      throw waiting(`volume "${v.name}": persistentvolumeclaim "${claimName}" is not bound yet`);
    let pv: PersistentVolume;
    try {
      pv = await client.get<PersistentVolume>('persistentvolumes', pvc.spec.volumeName);
    } catch (err) {
      if (isNotFound(err))
        throw waiting(
          `persistentvolume "${pvc.spec.volumeName}" of claim "${claimName}" not found`,
        );
      throw err;
    }
    const dir = pv.spec.local?.path ?? pv.spec.hostPath?.path;
    if (!dir)
      throw new StartError(
        'CreateContainerConfigError',
        `persistentvolume "${pv.metadata.name}": only local and hostPath volumes can be mounted on this node`,
      );
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      // As rancher's local-path helper does: any user in the pod may write its volume.
      fs.chmodSync(dir, 0o777);
    }
    out.set(v.name, dir);
  }
  return out;
}

/** k8s-style env name of a volume: EDGEPLANE_VOLUME_<NAME>, upper case, other characters as '_'. */
export const volumeEnvName = (volume: string) =>
  `EDGEPLANE_VOLUME_${volume.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/**
 * A process pod runs on the host's filesystem, so it cannot see a mountPath: each claim volume the
 * container mounts is given to it as EDGEPLANE_VOLUME_<NAME>=<directory> instead (a subPath is
 * appended and made).
 */
export async function claimEnv(
  client: KubeClient,
  pod: Pod,
  container: Container,
): Promise<[string, string][]> {
  const mounts = (container as { volumeMounts?: { name: string; subPath?: string }[] })
    .volumeMounts;
  if (!mounts?.length) return [];
  const dirs = await claimDirectories(client, pod);
  const env: [string, string][] = [];
  for (const m of mounts) {
    const dir = dirs.get(m.name);
    if (!dir) continue;
    let full = dir;
    if (m.subPath) {
      if (path.isAbsolute(m.subPath) || m.subPath.split('/').includes('..'))
        throw new StartError(
          'CreateContainerConfigError',
          `subPath ${JSON.stringify(m.subPath)} must be a relative path without ".."`,
        );
      full = path.join(dir, m.subPath);
      fs.mkdirSync(full, { recursive: true });
    }
    env.push([volumeEnvName(m.name), full]);
  }
  return env;
}

/**
 * Removes the directory of each local-path volume (pvc-*) whose PersistentVolume is gone: the
 * reclaim policy Delete deletes the PV, and this is the node's half of it. Run now and then.
 */
export async function sweepDeletedVolumes(
  client: KubeClient,
  root: string,
  log: (m: string) => void,
): Promise<number> {
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => n.startsWith('pvc-'));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    try {
      await client.get('persistentvolumes', name);
    } catch (err) {
      if (!isNotFound(err)) continue;
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
      log(`removed the directory of deleted volume ${name}`);
      removed++;
    }
  }
  return removed;
}
