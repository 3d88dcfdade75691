// core/v1 Event. Events are written by the loops themselves and wake none of them.
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultEvent } from '../defaults/event';
import { eventPrinter } from '../tables/events';
import { validateEvent, validateEventUpdate } from '../validate/event';

export const events: ResourceDefinition = {
  info: builtin('', 'v1', 'events'),
  strategy: defineStrategy(
    (e) => validateEvent(e, false),
    (e, o) => validateEventUpdate(e, o, false),
    { defaults: defaultEvent },
  ),
  printer: eventPrinter,
};
