// VolumeBinding: a pod's claims must exist; a bound claim's volume must be usable from the node (PV
// nodeAffinity); an unbound claim of an Immediate class must bind first; a WaitForFirstConsumer claim
// fits anywhere (the volume is made where the pod lands: the binder reads the pod's node).
// k8s: pkg/scheduler/framework/plugins/volumebinding/volume_binding.go, binder.go (FindPodVolumes)
import {
  BETA_STORAGE_PROVISIONER_ANNOTATION,
  DEFAULT_CLASS_ANNOTATION,
  SELECTED_NODE_ANNOTATION,
  STORAGE_PROVISIONER_ANNOTATION,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../../src/api/storage';
import type { KubeClient } from '../../../src/client/client';
import { Informer } from '../../../src/client/informer';
import { nodeSelectorTermsMatch, type SelectorTerm } from '../../../src/lib/node-selector';
import { unresolvable, skip, type FilterPlugin } from '../framework';
import type { Pod } from '../types';

/** What the plugin reads: claims, volumes and classes, from the scheduler leader's caches. */
export interface VolumeLookup {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
  /** The class a claim without storageClassName gets (the binder assigns it retroactively). */
  defaultClass(): StorageClass | undefined;
  /** PreBind: marks the pod's delayed-binding claims with the chosen node (AnnSelectedNode). */
  selectNode?(pod: Pod, nodeName: string): Promise<void>;
}

/** Watch-fed caches of claims, volumes and classes, started and stopped with the leader's others. */
export class VolumeInformers implements VolumeLookup {
  readonly claims: Informer<PersistentVolumeClaim>;
  readonly volumes: Informer<PersistentVolume>;
  readonly classes: Informer<StorageClass>;

  constructor(
    private readonly client: KubeClient,
    onError: (what: string) => (e: unknown) => void,
  ) {
    this.claims = new Informer(client, 'persistentvolumeclaims', { onError: onError('claims') });
    this.volumes = new Informer(client, 'persistentvolumes', { onError: onError('volumes') });
    this.classes = new Informer(client, 'storage.k8s.io/v1/storageclasses', {
      onError: onError('storageclasses'),
    });
  }

  all(): Informer[] {
    return [this.claims, this.volumes, this.classes] as unknown as Informer[];
  }

  claim(namespace: string, name: string) {
    return this.claims.store.get(`${namespace}/${name}`);
  }
  volume(name: string) {
    return this.volumes.store.get(name);
  }
  storageClass(name: string) {
    return this.classes.store.get(name);
  }
  /** The class a claim stands for: its own, or the default when it names none. */
  classOf(pvc: PersistentVolumeClaim): StorageClass | undefined {
    const name = pvc.spec.storageClassName;
    if (name === undefined || name === null) return this.defaultClass();
    return name ? this.storageClass(name) : undefined;
  }

  /**
   * k8s: volumebinding PreBind (AssumePodVolumes + BindPodVolumes): each unbound claim of a
   * WaitForFirstConsumer class gets volume.kubernetes.io/selected-node (and the provisioner
   * annotations), so its provisioner makes the volume on the pod's node.
   */
  async selectNode(pod: Pod, nodeName: string): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    for (const name of claimNames(pod)) {
      const pvc = this.claim(ns, name);
      if (!pvc || pvc.spec.volumeName) continue;
      if (pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION] === nodeName) continue;
      const cls = this.classOf(pvc);
      if (cls?.volumeBindingMode !== 'WaitForFirstConsumer') continue;
      await this.client.patch(
        'persistentvolumeclaims',
        name,
        'merge',
        {
          metadata: {
            annotations: {
              [SELECTED_NODE_ANNOTATION]: nodeName,
              [STORAGE_PROVISIONER_ANNOTATION]: cls.provisioner,
              [BETA_STORAGE_PROVISIONER_ANNOTATION]: cls.provisioner,
            },
          },
        },
        { namespace: ns, fieldManager: 'default-scheduler' },
      );
    }
  }

  defaultClass() {
    return [...this.classes.store.values()].find(
      (c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true',
    );
  }
}

const STATE_KEY = 'VolumeBinding';

function claimNames(pod: Pod): string[] {
  const volumes =
    (pod.spec as { volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] })
      .volumes ?? [];
  return volumes.flatMap((v) =>
    v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [],
  );
}

export function volumeBinding(lookup: VolumeLookup): FilterPlugin {
  return {
    name: 'VolumeBinding',
    preFilter(state, pod) {
      const names = claimNames(pod);
      if (!names.length) return skip();
      const ns = pod.metadata.namespace ?? 'default';
      const terms: SelectorTerm[][] = [];
      for (const name of names) {
        const pvc = lookup.claim(ns, name);
        if (!pvc) return unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (pvc.metadata.deletionTimestamp)
          return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        if (pvc.spec.volumeName) {
          const pv = lookup.volume(pvc.spec.volumeName);
          if (!pv)
            return unresolvable(
              `persistentvolume "${pvc.spec.volumeName}" of claim "${name}" not found`,
            );
          const required = pv.spec.nodeAffinity?.required?.nodeSelectorTerms;
          if (required) terms.push(required);
          continue;
        }
        const cls =
          pvc.spec.storageClassName === undefined || pvc.spec.storageClassName === null
            ? lookup.defaultClass()
            : pvc.spec.storageClassName
              ? lookup.storageClass(pvc.spec.storageClassName)
              : undefined;
        if (cls?.volumeBindingMode !== 'WaitForFirstConsumer')
          return unresolvable('pod has unbound immediate PersistentVolumeClaims');
      }
      state.write(STATE_KEY, terms);
      return null;
    },
    filter(state, _pod, node) {
      const terms = state.read<SelectorTerm[][]>(STATE_KEY) ?? [];
      return terms.every((t) => nodeSelectorTermsMatch(t, node.node))
        ? null
        : unresolvable('node(s) had volume node affinity conflict');
    },
  };
}
