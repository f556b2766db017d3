import type { ResourceGraph } from './graph.js';
import { parseAddress } from './cidr.js';
import type { Gateway } from './gateway-api.js';
import type { Service, Workload } from './types.js';

/**
 * The label in-cluster implementations put on what they deploy for a Gateway, in the Gateway's
 * namespace (GEP-1762 "In-cluster Gateway deployments"; Istio, and others following the GEP).
 */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
/** Envoy Gateway's labels on its proxies, which run in the controller's namespace (envoy-gateway-system) by default. */
const ENVOY_GATEWAY_NAME_LABEL = 'gateway.envoyproxy.io/owning-gateway-name';
const ENVOY_GATEWAY_NAMESPACE_LABEL = 'gateway.envoyproxy.io/owning-gateway-namespace';
/** Cilium serves Gateways from the Envoy of its agent on every node, not from pods of their own. */
const CILIUM_CONTROLLER = 'io.cilium/gateway-controller';

/** Who sends a Gateway's traffic to its backends. */
export type GatewayDataPlane =
  | { readonly type: 'workloads'; readonly workloads: readonly Workload[]; readonly how: string }
  | { readonly type: 'node-proxy'; readonly note: string }
  | { readonly type: 'unknown' };

/**
 * Returns the Gateway's data plane as the manifests show it: the workloads implementations label
 * for it (GEP-1762's gateway-name label in its namespace; Envoy Gateway's owning-gateway labels
 * in any namespace), or the endpoints of the Service a `Hostname` address names (Istio's manual
 * deployment: `addresses: [{type: Hostname, value: istio-ingressgateway.istio-system.svc.cluster.local}]`);
 * Cilium's per-node Envoy for its class; otherwise unknown.
 */
export function gatewayDataPlane(graph: ResourceGraph, gateway: Gateway): GatewayDataPlane {
  const found = new Map<string, Workload>();
  const add = (pods: readonly { workloadId: string }[]) => {
    for (const pod of pods) {
      const workload = graph.workload(pod.workloadId);
      if (workload) found.set(workload.id, workload);
    }
  };
  const hows = new Set<string>();
  const labelled = graph.podsInNamespace(gateway.namespace).filter((pod) => pod.labels[GATEWAY_NAME_LABEL] === gateway.name);
  if (labelled.length > 0) hows.add(`label ${GATEWAY_NAME_LABEL}=${gateway.name}`);
  add(labelled);
  const envoy = graph.pods.filter((pod) => pod.labels[ENVOY_GATEWAY_NAME_LABEL] === gateway.name && pod.labels[ENVOY_GATEWAY_NAMESPACE_LABEL] === gateway.namespace);
  if (envoy.length > 0) hows.add(`Envoy Gateway's labels ${ENVOY_GATEWAY_NAME_LABEL}, ${ENVOY_GATEWAY_NAMESPACE_LABEL}`);
  add(envoy);
  for (const service of addressedServices(graph, gateway)) {
    if (!service.selector) continue;
    const pods = graph.podsWithLabels(service.selector, service.namespace);
    if (pods.length > 0) hows.add(`the endpoints of Service ${service.namespace}/${service.name}, its address`);
    add(pods);
  }
  if (found.size > 0) return { type: 'workloads', workloads: [...found.values()], how: [...hows].join('; ') };
  const controller = graph.gatewayApi.gatewayClass(gateway.className)?.controllerName;
  if (controller === CILIUM_CONTROLLER) {
    return {
      type: 'node-proxy',
      // Cilium serves the Gateway from the Envoy of its agent on each node; backends see the
      // reserved ingress identity, which CiliumNetworkPolicy names with fromEntities: [ingress].
      note: 'served by Cilium\'s node Envoy: NetworkPolicy selectors cannot name its ingress identity',
    };
  }
  return { type: 'unknown' };
}

/** The Services of the manifests that carry the Gateway's traffic: labelled for it, or named by a `Hostname` address. */
export function gatewayServices(graph: ResourceGraph, gateway: Gateway): Service[] {
  const services = new Set<Service>(addressedServices(graph, gateway));
  for (const service of graph.services) {
    const labels = labelsOf(service);
    if ((service.namespace === gateway.namespace && labels[GATEWAY_NAME_LABEL] === gateway.name)
      || (labels[ENVOY_GATEWAY_NAME_LABEL] === gateway.name && labels[ENVOY_GATEWAY_NAMESPACE_LABEL] === gateway.namespace)) services.add(service);
  }
  return [...services];
}

/** Services named by the Gateway's `Hostname` addresses: `name.namespace.svc[.cluster-domain]`. */
function addressedServices(graph: ResourceGraph, gateway: Gateway): Service[] {
  return gateway.addresses.flatMap((address) => {
    if (address.type !== 'Hostname') return [];
    const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.|$)/.exec(address.value);
    const service = match ? graph.service(match[2], match[1]) : undefined;
    return service ? [service] : [];
  });
}

function labelsOf(service: Service): Readonly<Record<string, unknown>> {
  return (service.source.value.metadata as { labels?: Record<string, unknown> } | undefined)?.labels ?? {};
}

/** Whether a Gateway is reachable from the internet, and what in the manifests shows it. */
export type GatewayExposure =
  | { readonly exposure: 'public' | 'internal'; readonly evidence: string }
  | { readonly exposure: 'unknown' };

/** Annotations by which cloud providers (and Istio) make a Gateway's load balancer internal, with the values that do. */
const INTERNAL_ANNOTATIONS: Readonly<Record<string, readonly string[]>> = {
  'service.beta.kubernetes.io/aws-load-balancer-internal': ['true', '0.0.0.0/0'],
  'service.beta.kubernetes.io/aws-load-balancer-scheme': ['internal'],
  'service.beta.kubernetes.io/azure-load-balancer-internal': ['true'],
  'networking.gke.io/load-balancer-type': ['internal'],
  'cloud.google.com/load-balancer-type': ['internal'],
  'service.beta.kubernetes.io/openstack-internal-load-balancer': ['true'],
  'service.beta.kubernetes.io/oci-load-balancer-internal': ['true'],
  // Istio's automated deployment gives the Gateway a Service of this type (LoadBalancer by default).
  'networking.istio.io/service-type': ['clusterip'],
};

/** Private, shared, loopback and link-local ranges: an address in them is not on the internet. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', 'fc00::/7', 'fe80::/10', '::1/128'];

/**
 * Decides whether a Gateway is public from what the manifests show, in this order: an
 * internal-load-balancer annotation (on the Gateway or in spec.infrastructure.annotations, which
 * implementations copy to the Service they create); the type of the Service that carries its
 * traffic; its addresses; GKE's class names (gke-l7-*-external-*, gke-l7-gxlb public; *-rilb,
 * *-internal-* internal). Otherwise unknown: most implementations give a Gateway a LoadBalancer
 * Service, but a class's parameters can make it internal, and the manifests may not show them.
 */
export function gatewayExposure(graph: ResourceGraph, gateway: Gateway): GatewayExposure {
  for (const [key, values] of Object.entries(INTERNAL_ANNOTATIONS)) {
    const value = gateway.annotations[key];
    if (value !== undefined && values.includes(value.toLowerCase())) return { exposure: 'internal', evidence: `its annotation ${key}: ${value}` };
  }
  const services = gatewayServices(graph, gateway);
  const open = services.find((service) => service.type === 'LoadBalancer' && !isInternalService(service)) ?? services.find((service) => service.type === 'NodePort');
  if (open) {
    return { exposure: 'public', evidence: `its Service ${open.namespace}/${open.name} is of type ${open.type}${open.type === 'NodePort' ? ', open on every node\'s address' : ''}` };
  }
  if (services.length > 0) return { exposure: 'internal', evidence: `its Service ${services[0].namespace}/${services[0].name} is ${services[0].type === 'LoadBalancer' ? 'an internal load balancer' : `of type ${services[0].type}`}` };
  for (const address of gateway.addresses) {
    if (address.type !== 'IPAddress') continue;
    const parsed = parseAddress(address.value);
    if (!parsed) continue;
    return isPrivateAddress(address.value)
      ? { exposure: 'internal', evidence: `its address ${address.value} is private` }
      : { exposure: 'public', evidence: `its address ${address.value} is public` };
  }
  const className = gateway.className;
  if (/^gke-l7-(gxlb|global-external-managed|regional-external-managed)/.test(className)) return { exposure: 'public', evidence: `its GatewayClass ${className} is an external Google Cloud load balancer` };
  if (/^gke-l7-(rilb|cross-regional-internal-managed)/.test(className)) return { exposure: 'internal', evidence: `its GatewayClass ${className} is an internal Google Cloud load balancer` };
  return { exposure: 'unknown' };
}

/**
 * Returns true for an Istio waypoint (class istio-waypoint, or a listener of protocol HBONE): a
 * proxy inside the mesh, not a way into the cluster.
 */
export function isMeshWaypoint(gateway: Gateway): boolean {
  return gateway.className === 'istio-waypoint' || gateway.listeners.some((listener) => listener.protocol === 'HBONE');
}

function isInternalService(service: Service): boolean {
  const annotations = (service.source.value.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations ?? {};
  return Object.entries(INTERNAL_ANNOTATIONS).some(([key, values]) => values.includes(String(annotations[key] ?? '').toLowerCase()));
}

function isPrivateAddress(text: string): boolean {
  const address = parseAddress(text);
  if (!address) return false;
  return PRIVATE_RANGES.some((cidr) => {
    const [base, prefix] = cidr.split('/');
    const network = parseAddress(base);
    if (!network || network.family !== address.family) return false;
    const bits = address.family === 4 ? 32n : 128n;
    const shift = bits - BigInt(prefix);
    return (address.value >> shift) === (network.value >> shift);
  });
}
