// The per-resource strategy contract: defaulting, validation and write rules, all pure.
import type { KObject } from '../api/types';
import type { FieldError } from './field-errors';

export interface StrategyContext {
  /** Subresource being written ("" for the main resource, "status", "scale", ...). */
  subresource: string;
}

export interface ResourceStrategy {
  /** Fill defaults in place, as the Go defaulters do (SetDefaults_*). */
  applyDefaults(obj: KObject): void;
  /** Validate a new object; return every error found, never stop at the first. */
  validate(obj: KObject): FieldError[];
  /** Validate an update, including immutable fields, against the stored object. */
  validateUpdate(obj: KObject, old: KObject): FieldError[];
  /**
   * Whether the resource has a status subresource. If so, writes to the main resource keep the
   * stored status and writes to /status keep the stored spec (and metadata other than labels,
   * annotations, finalizers and ownerReferences stay as Kubernetes' status strategies leave them).
   */
  hasStatus: boolean;
  /** Whether spec changes bump metadata.generation (true for every kind with a spec). */
  tracksGeneration: boolean;
}
