// Every controller the controllers Worker runs, in the order one pass runs them.
import type { Controller } from './framework';

export const CONTROLLERS: Controller[] = [];
