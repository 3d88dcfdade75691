// Turns the stored CRDs into this isolate's run-time kinds: naming knowledge for CRD writes and
// one ResourceDefinition per served version of every established CRD.
import type { CustomResourceDefinition } from '../../api/crd';
import { setCustomDefinitions } from '../registry';
import { setKnownCRDs } from './naming';
import { customResourceDefinitions } from './resource-definitions';

let fingerprint = '';

/** Installs the CRDs' kinds; a set identical to the last one (same resourceVersions) changes nothing. */
export function installCustomResourceDefinitions(crds: CustomResourceDefinition[]): void {
  setKnownCRDs(crds);
  const next = crds
    .map((c) => `${c.metadata.name}@${c.metadata.resourceVersion}`)
    .sort()
    .join(',');
  if (next === fingerprint) return;
  fingerprint = next;
  setCustomDefinitions(crds.flatMap(customResourceDefinitions));
}
