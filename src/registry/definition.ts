// ResourceDefinition: everything edgeplane knows about one served kind, in one value.
import { RESOURCES, type ResourceInfo } from '../api/resources';
import type { KObject } from '../api/types';
import type { FieldError } from './field-errors';
import type { Schema } from './schema/dsl';
import type { ResourceStrategy } from './strategy';
import type { Printer } from './tables/types';

/** The loops a write can wake (the Workers behind env.SCHEDULER and env.CONTROLLERS). */
export type LoopName = 'scheduler' | 'controllers';

/** Which writes wake a loop: every write, or every write except those to the listed subresources. */
export type WakeRule = true | { except: string[] };

export interface ResourceDefinition {
  /**
   * Identity: group/version/kind, plural/singular/listKind, scope, shortNames, categories,
   * subresources, partitioning. Built-in kinds take it from src/api/resources.ts RESOURCES (see
   * `builtin`), because the loops read identities and may not import src/registry.
   */
  info: ResourceInfo;
  /** Defaulting, validation, create/update/status/delete rules. */
  strategy: ResourceStrategy;
  /** Server-side printing for `kubectl get`; kinds without one print Name and Created At. */
  printer?: Printer;
  /**
   * OpenAPI definitions this kind adds (by upstream name). Built-in kinds keep theirs in
   * src/registry/schema/defs-*.ts, which share many components; a new kind may bring its own here.
   * The kind's root definition carries x-kubernetes-group-version-kind, which is how it is found.
   */
  schemas?: Record<string, Schema>;
  /** The loops to wake after a write of this kind; none when absent. */
  wakes?: Partial<Record<LoopName, WakeRule>>;
  /** Converts between the stored shape and the served one, when this version stores another shape. */
  view?: { toView(stored: KObject): KObject; fromView(served: KObject): KObject };
  /**
   * Where the scale subresource (autoscaling/v1 Scale) reads and writes, as dotted paths
   * (`.spec.replicas`); absent means spec.replicas, status.replicas and spec.selector.
   */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /** Custom resources (from a CRD) decode and patch as unstructured objects do upstream. */
  custom?: CustomResourceRules;
}

export interface CustomResourceRules {
  /** Fields the schema does not specify, pruned on decode (reported under fieldValidation). */
  unknownFields(obj: KObject): { path: string; keys: (string | number)[] }[];
  /** The CRD is being deleted: no new objects (405), as upstream. */
  terminating: boolean;
  /** A deprecated version's warning, sent with every response for it. */
  deprecationWarning?: string;
  /** Field labels from the version's selectableFields ("spec.color"), besides metadata.name/namespace. */
  selectableFields?: string[];
}

/** A built-in kind's identity from the RESOURCES table; a missing entry is a programming error. */
export function builtin(group: string, version: string, resource: string): ResourceInfo {
  const info = RESOURCES.find(
    (r) => r.group === group && r.version === version && r.resource === resource,
  );
  if (!info) throw new Error(`registry: ${group}/${version}/${resource} is not in RESOURCES`);
  return info;
}

type Validate = (obj: KObject) => FieldError[];
type ValidateUpdate = (obj: KObject, old: KObject) => FieldError[];

/** A strategy from its validators and the optional hooks; no defaults, no status, no generation. */
export function defineStrategy(
  validate: Validate,
  validateUpdate: ValidateUpdate,
  opts: Partial<Omit<ResourceStrategy, 'validate' | 'validateUpdate' | 'applyDefaults'>> & {
    defaults?: (obj: KObject) => void;
  } = {},
): ResourceStrategy {
  const { defaults, ...hooks } = opts;
  return {
    applyDefaults: defaults ?? (() => {}),
    validate,
    validateUpdate,
    ...hooks,
    hasStatus: opts.hasStatus ?? false,
    // In 1.32 only the apps kinds here keep metadata.generation; pods gained it later (KEP-5067, 1.33).
    tracksGeneration: opts.tracksGeneration ?? false,
  };
}
