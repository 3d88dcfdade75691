// EventRecorder: core/v1 Events with repeats folded into count/lastTimestamp (client-go's correlator).
import type { KObject } from '../api/types';
import type { KubeClient } from './client';
import { isAlreadyExists, isNotFound } from './errors';

export interface EventSource {
  component: string;
  host?: string;
}

export interface EventRecorder {
  event(
    regarding: KObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void>;
}

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A core/v1 Event about `regarding`, as client-go's recorder first writes it (count 1). */
export function newEvent(
  regarding: KObject,
  name: string,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  source: EventSource,
  stamp: string,
): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: regarding.metadata.namespace || 'default' },
    involvedObject: {
      apiVersion: regarding.apiVersion,
      kind: regarding.kind,
      name: regarding.metadata.name,
      namespace: regarding.metadata.namespace,
      uid: regarding.metadata.uid,
      resourceVersion: regarding.metadata.resourceVersion,
    },
    reason,
    message,
    type,
    source,
    count: 1,
    firstTimestamp: stamp,
    lastTimestamp: stamp,
    reportingComponent: source.component,
    reportingInstance: source.host ?? '',
  } as KObject;
}

/**
 * The event's name is derived from what makes two events "the same" (object, reason, message,
 * source), so a repeat finds the earlier event and bumps its count instead of adding an object.
 */
export function createRecorder(client: KubeClient, source: EventSource): EventRecorder {
  return {
    async event(regarding, type, reason, message) {
      const namespace = regarding.metadata.namespace || 'default';
      const key = [
        regarding.kind,
        regarding.metadata.namespace,
        regarding.metadata.name,
        regarding.metadata.uid,
        type,
        reason,
        message,
        source.component,
        source.host,
      ].join('\u0000');
      const name = `${regarding.metadata.name}.${fnv(key)}`;
      const stamp = now();
      // A new event is the common case: create first, and only on a name clash fold the repeat
      // into the existing event's count (one request per first event, not a GET and a create).
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await client.create(
            'events',
            newEvent(regarding, name, type, reason, message, source, stamp),
            { namespace },
          );
          return;
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
        }
        try {
          const existing = await client.get('events', name, { namespace });
          const count = ((existing as { count?: number }).count ?? 1) + 1;
          await client.patch(
            'events',
            name,
            'merge',
            { count, lastTimestamp: stamp },
            { namespace },
          );
          return;
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    },
  };
}
