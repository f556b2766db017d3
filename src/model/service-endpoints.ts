/**
 * The endpoints of a Service without a selector, as the manifests give them: Kubernetes leaves
 * such a Service's endpoints to whoever writes its Endpoints object (same name) or EndpointSlices
 * (labelled kubernetes.io/service-name), typically a database or an API outside the cluster.
 */
import { parseAddress } from './cidr.js';
import type { ResourceGraph } from './graph.js';
import type { Protocol, Service } from './types.js';

/** The label that ties an EndpointSlice to its Service (discovery.k8s.io/v1). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** A port an endpoint serves, named as the Service port it backs is named. */
export interface EndpointPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** One address of a selectorless Service's endpoints, with the ports given for it. */
export interface ManualEndpoint {
  readonly address: string;
  readonly ports: readonly EndpointPort[];
  /** `Endpoints legacy-db` or `EndpointSlice legacy-db-1`, for answers. */
  readonly from: string;
}

type Raw = Record<string, unknown>;

const isMapping = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function portsOf(value: unknown): EndpointPort[] {
  return list(value).filter(isMapping).flatMap((port) => {
    if (typeof port.port !== 'number') return [];
    const protocol = port.protocol === 'UDP' || port.protocol === 'SCTP' ? port.protocol : 'TCP';
    return [{ ...(typeof port.name === 'string' && port.name !== '' ? { name: port.name } : {}), port: port.port, protocol }];
  });
}

/**
 * The addresses the Endpoints and EndpointSlices of the manifests give a Service, each with its
 * ports; none for a Service with a selector (the endpoints controller manages those). Addresses
 * that are not IPs (an FQDN EndpointSlice) are left out.
 */
export function manualEndpoints(graph: ResourceGraph, service: Service): ManualEndpoint[] {
  if (service.selector) return [];
  const endpoints: ManualEndpoint[] = [];
  const add = (address: unknown, ports: EndpointPort[], from: string) => {
    if (typeof address === 'string' && parseAddress(address)) endpoints.push({ address, ports, from });
  };
  for (const object of graph.otherObjects) {
    if ((object.namespace ?? graph.defaultNamespace) !== service.namespace) continue;
    const value = object.value as Raw;
    if (object.kind === 'Endpoints' && object.name === service.name) {
      for (const subset of list(value.subsets).filter(isMapping)) {
        const ports = portsOf(subset.ports);
        // notReadyAddresses receive no traffic through the Service.
        for (const entry of list(subset.addresses).filter(isMapping)) add(entry.ip, ports, `Endpoints ${object.name}`);
      }
    } else if (object.kind === 'EndpointSlice') {
      const labels = isMapping(value.metadata) && isMapping(value.metadata.labels) ? value.metadata.labels : {};
      if (labels[SERVICE_NAME_LABEL] !== service.name || value.addressType === 'FQDN') continue;
      const ports = portsOf(value.ports);
      for (const entry of list(value.endpoints).filter(isMapping)) {
        // An endpoint not ready (conditions.ready false) receives no traffic through the Service.
        if (isMapping(entry.conditions) && entry.conditions.ready === false) continue;
        for (const address of list(entry.addresses)) add(address, ports, `EndpointSlice ${object.name}`);
      }
    }
  }
  return endpoints;
}
