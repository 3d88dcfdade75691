// The Service and EndpointSlice fields the service proxy reads (discovery.k8s.io/v1), nothing more.
import type { KObject } from '../../api/types';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  nodePort?: number;
}

export interface Service extends KObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: ServicePort[];
    sessionAffinity?: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    externalTrafficPolicy?: string;
    internalTrafficPolicy?: string;
  };
}

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  nodeName?: string;
}

export interface EndpointPort {
  name?: string;
  protocol?: string;
  port?: number;
}

export interface EndpointSlice extends KObject {
  addressType?: string;
  endpoints?: Endpoint[] | null;
  ports?: EndpointPort[] | null;
}

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
