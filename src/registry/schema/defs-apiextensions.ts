// Schemas of apiextensions.k8s.io/v1: CustomResourceDefinition and the JSON schema it carries.
import {
  META,
  type Schema,
  any,
  atomic,
  bool,
  gvk,
  int64,
  kind,
  list,
  map,
  mapList,
  num,
  obj,
  ref,
  str,
  time,
} from './dsl';

const AX = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';

export const apiextensionsDefs: Record<string, Schema> = {
  [AX + 'CustomResourceDefinition']: kind(
    'CustomResourceDefinition represents a resource that should be exposed on the API server. Its name MUST be in the format <.spec.name>.<.spec.group>.',
    gvk('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'),
    {
      metadata: ref(META + 'ObjectMeta', "Standard object's metadata."),
      spec: ref(
        AX + 'CustomResourceDefinitionSpec',
        'spec describes how the user wants the resources to appear',
      ),
      status: ref(
        AX + 'CustomResourceDefinitionStatus',
        'status indicates the actual state of the CustomResourceDefinition',
      ),
    },
    { required: ['spec'] },
  ),
  [AX + 'CustomResourceDefinitionSpec']: obj(
    'CustomResourceDefinitionSpec describes how a user wants their resource to appear',
    {
      group: str(
        'group is the API group of the defined custom resource. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`).',
      ),
      names: ref(
        AX + 'CustomResourceDefinitionNames',
        'names specify the resource and kind names for the custom resource.',
      ),
      scope: str(
        'scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.',
      ),
      versions: atomic(
        ref(AX + 'CustomResourceDefinitionVersion'),
        'versions is the list of all API versions of the defined custom resource. Version names are used to compute the order in which served versions are listed in API discovery.',
      ),
      conversion: ref(
        AX + 'CustomResourceConversion',
        'conversion defines conversion settings for the CRD.',
      ),
      preserveUnknownFields: bool(
        'preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage. Must be false in apiextensions.k8s.io/v1.',
      ),
    },
    { required: ['group', 'names', 'scope', 'versions'] },
  ),
  [AX + 'CustomResourceDefinitionNames']: obj(
    'CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition',
    {
      plural: str('plural is the plural name of the resource to serve. Must be all lowercase.'),
      singular: str(
        'singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.',
      ),
      kind: str(
        'kind is the serialized kind of the resource. It is normally CamelCase and singular.',
      ),
      listKind: str(
        'listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".',
      ),
      shortNames: atomic(
        str(),
        'shortNames are short names for the resource, exposed in API discovery documents, and used by clients to support invocations like `kubectl get <shortname>`. It must be all lowercase.',
      ),
      categories: atomic(
        str(),
        "categories is a list of grouped resources this custom resource belongs to (e.g. 'all'). This is published in API discovery documents, and used by clients to support invocations like `kubectl get all`.",
      ),
    },
    { required: ['plural', 'kind'] },
  ),
  [AX + 'CustomResourceDefinitionVersion']: obj(
    'CustomResourceDefinitionVersion describes a version for CRD.',
    {
      name: str('name is the version name, e.g. “v1”, “v2beta1”, etc.'),
      served: bool(
        'served is a flag enabling/disabling this version from being served via REST APIs',
      ),
      storage: bool(
        'storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true.',
      ),
      deprecated: bool(
        'deprecated indicates this version of the custom resource API is deprecated.',
      ),
      deprecationWarning: str(
        'deprecationWarning overrides the default warning returned to API clients.',
      ),
      schema: ref(
        AX + 'CustomResourceValidation',
        'schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.',
      ),
      subresources: ref(
        AX + 'CustomResourceSubresources',
        'subresources specify what subresources this version of the defined custom resource have.',
      ),
      additionalPrinterColumns: atomic(
        ref(AX + 'CustomResourceColumnDefinition'),
        'additionalPrinterColumns specifies additional columns returned in Table output. If no columns are specified, a single column displaying the age of the custom resource is used.',
      ),
      selectableFields: atomic(
        obj(
          'SelectableField specifies the JSON path of a field that may be used with field selectors.',
          {
            jsonPath: str(
              'jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value.',
            ),
          },
          { required: ['jsonPath'] },
        ),
        'selectableFields specifies paths to fields that may be used as field selectors.',
      ),
    },
    { required: ['name', 'served', 'storage'] },
  ),
  [AX + 'CustomResourceValidation']: obj(
    'CustomResourceValidation is a list of validation methods for CustomResources.',
    {
      // The schema language is recursive and open-ended (every JSON Schema keyword, extensions):
      // kept whole, so no keyword is refused as an unknown field.
      openAPIV3Schema: any(
        'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.',
      ),
    },
  ),
  [AX + 'CustomResourceSubresources']: obj(
    'CustomResourceSubresources defines the status and scale subresources for CustomResources.',
    {
      status: any('status indicates the custom resource should serve a `/status` subresource.'),
      scale: ref(
        AX + 'CustomResourceSubresourceScale',
        'scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.',
      ),
    },
  ),
  [AX + 'CustomResourceSubresourceScale']: obj(
    'CustomResourceSubresourceScale defines how to serve the scale subresource for CustomResources.',
    {
      specReplicasPath: str(
        'specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`.',
      ),
      statusReplicasPath: str(
        'statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`.',
      ),
      labelSelectorPath: str(
        'labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`.',
      ),
    },
    { required: ['specReplicasPath', 'statusReplicasPath'] },
  ),
  [AX + 'CustomResourceColumnDefinition']: obj(
    'CustomResourceColumnDefinition specifies a column for server side printing.',
    {
      name: str('name is a human readable name for the column.'),
      type: str('type is an OpenAPI type definition for this column.'),
      format: str('format is an optional OpenAPI type definition for this column.'),
      description: str('description is a human readable description of this column.'),
      priority: {
        type: 'integer',
        format: 'int32',
        description:
          'priority is an integer defining the relative importance of this column compared to others.',
      },
      jsonPath: str(
        'jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column.',
      ),
    },
    { required: ['name', 'type', 'jsonPath'] },
  ),
  [AX + 'CustomResourceConversion']: obj(
    'CustomResourceConversion describes how to convert different versions of a CR.',
    {
      strategy: str(
        'strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"`: The converter only change the apiVersion and would not touch any other field in the custom resource. - `"Webhook"`: API Server will call to an external webhook to do the conversion.',
      ),
      webhook: any(
        'webhook describes how to call the conversion webhook. Required when `strategy` is set to `"Webhook"`.',
      ),
    },
    { required: ['strategy'] },
  ),
  [AX + 'CustomResourceDefinitionStatus']: obj(
    'CustomResourceDefinitionStatus indicates the state of the CustomResourceDefinition',
    {
      conditions: mapList(
        ref(AX + 'CustomResourceDefinitionCondition'),
        'conditions indicate state for particular aspects of a CustomResourceDefinition',
        ['type'],
      ),
      acceptedNames: ref(
        AX + 'CustomResourceDefinitionNames',
        'acceptedNames are the names that are actually being used to serve discovery.',
      ),
      storedVersions: atomic(
        str(),
        'storedVersions lists all versions of CustomResources that were ever persisted.',
      ),
    },
  ),
  [AX + 'CustomResourceDefinitionCondition']: obj(
    'CustomResourceDefinitionCondition contains details for the current condition of this pod.',
    {
      type: str(
        'type is the type of the condition. Types include Established, NamesAccepted and Terminating.',
      ),
      status: str('status is the status of the condition. Can be True, False, Unknown.'),
      lastTransitionTime: time(
        'lastTransitionTime last time the condition transitioned from one status to another.',
      ),
      reason: str(
        "reason is a unique, one-word, CamelCase reason for the condition's last transition.",
      ),
      message: str('message is a human-readable message indicating details about last transition.'),
    },
    { required: ['type', 'status'] },
  ),
};
