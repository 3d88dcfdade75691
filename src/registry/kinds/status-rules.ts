// Update rules several kinds' strategies share.
import type { KObject } from '../../api/types';

/**
 * k8s: the apps kinds' status strategies (PrepareForUpdate) keep the stored labels as well as the
 * spec: a /status write changes status only.
 */
export function keepLabelsOnStatus(next: KObject, live: KObject, sub: string): void {
  if (sub === 'status') next.metadata.labels = live.metadata.labels;
}
