// Event rows for both core/v1 and events.k8s.io/v1 shapes (one stored resource, two views); k8s: pkg/printers/internalversion/printers.go printEvent (release-1.32).
import type { KObject } from '../../api/types';
import { parseTime, translateTimestampSince } from './age';
import { column, int, rec, str, type Printer, type Rec } from './types';

const columns = [
  column('Last Seen', 'Time since the event was last observed.'),
  column('Type', 'Normal or Warning.'),
  column('Reason', 'Short machine-readable cause of the event.'),
  column('Object', 'The object the event is about, as kind/name.'),
  column('Subobject', 'Part of the object the event is about, such as a container.', {
    priority: 1,
  }),
  column('Source', 'Component (and host) that reported the event.', { priority: 1 }),
  column('Message', 'Human-readable description of the event.'),
  column('First Seen', 'Time since the event was first observed.', { priority: 1 }),
  column('Count', 'How many times the event has occurred.', { priority: 1 }),
  column('Name', 'Name of the event object.', { priority: 1, format: 'name' }),
];

/** The core/v1 fields printing needs, read from either API shape. */
interface EventView {
  involved: Rec;
  first: unknown;
  last: unknown;
  eventTime: unknown;
  count: number;
  series: Rec | undefined;
  source: Rec;
  message: string;
}

function view(ev: KObject): EventView {
  const series = ev.series === undefined || ev.series === null ? undefined : rec(ev.series);
  // events.k8s.io/v1 renames the core fields; upstream converts to the internal type before printing.
  if (
    'regarding' in ev ||
    'note' in ev ||
    'deprecatedCount' in ev ||
    ev.apiVersion === 'events.k8s.io/v1'
  ) {
    return {
      involved: rec(ev.regarding),
      first: ev.deprecatedFirstTimestamp,
      last: ev.deprecatedLastTimestamp,
      eventTime: ev.eventTime,
      count: int(ev.deprecatedCount),
      series,
      source: rec(ev.deprecatedSource),
      message: str(ev.note),
    };
  }
  return {
    involved: rec(ev.involvedObject),
    first: ev.firstTimestamp,
    last: ev.lastTimestamp,
    eventTime: ev.eventTime,
    count: int(ev.count),
    series,
    source: rec(ev.source),
    message: str(ev.message),
  };
}

function present(ts: unknown): boolean {
  return parseTime(ts) !== undefined;
}

function eventSource(ev: KObject, source: Rec): string {
  const component = str(source.component) || str(ev.reportingController);
  const instance = str(source.host) || str(ev.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: Printer = {
  columns,
  cells(ev, now) {
    const v = view(ev);
    const since = (ts: unknown) =>
      translateTimestampSince(typeof ts === 'string' ? ts : undefined, now);
    // New-style events carry only eventTime; old-style ones only first/last timestamps.
    const firstSeen = present(v.first) ? since(v.first) : since(v.eventTime);
    let lastSeen = present(v.last) ? since(v.last) : firstSeen;
    let count = v.count;
    if (v.series) {
      lastSeen = since(v.series.lastObservedTime);
      count = int(v.series.count);
    } else if (count === 0) {
      // A singleton new-style event has no count; it happened once.
      count = 1;
    }
    const kind = str(v.involved.kind).toLowerCase();
    const name = str(v.involved.name);
    return [
      lastSeen,
      str(ev.type),
      str(ev.reason),
      name ? `${kind}/${name}` : kind,
      str(v.involved.fieldPath),
      eventSource(ev, v.source),
      v.message.trim(),
      firstSeen,
      count,
      ev.metadata.name ?? '',
    ];
  },
};
