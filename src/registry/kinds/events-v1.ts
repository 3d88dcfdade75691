// events.k8s.io/v1 Event: the same stored resource as core/v1 events (see storageResource), served
// in its own shape. The REST layer hands the strategy the stored (core/v1) shape.
import { fromEventsV1, toEventsV1 } from '../../api/event-convert';
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultEvent } from '../defaults/event';
import { eventPrinter } from '../tables/events';
import { validateEvent, validateEventUpdate } from '../validate/event';

export const eventsV1: ResourceDefinition = {
  info: builtin('events.k8s.io', 'v1', 'events'),
  strategy: defineStrategy(
    (e) => validateEvent(toEventsV1(e), true),
    (e, o) => validateEventUpdate(toEventsV1(e), toEventsV1(o), true),
    { defaults: defaultEvent },
  ),
  // The printer reads either shape.
  printer: eventPrinter,
  view: { toView: toEventsV1, fromView: fromEventsV1 },
};
