import {
  NO_ISTIO_OBJECTS, type AuthorizationPolicy, type DestinationRule, type IstioGateway, type IstioObjects, type IstioSidecar, type PeerAuthentication,
  type RequestAuthentication, type ServiceEntry, type VirtualService,
} from './istio.js';
import { DEFAULT_ISTIO_SETTINGS, type IstioSettings } from './istio-settings.js';

/** The Istio objects of a graph and the mesh settings, with the lookups rules and paths need, indexed once. */
export class IstioConfig implements IstioObjects {
  readonly authorizationPolicies: readonly AuthorizationPolicy[];
  readonly peerAuthentications: readonly PeerAuthentication[];
  readonly requestAuthentications: readonly RequestAuthentication[];
  readonly sidecars: readonly IstioSidecar[];
  readonly gateways: readonly IstioGateway[];
  readonly virtualServices: readonly VirtualService[];
  readonly destinationRules: readonly DestinationRule[];
  readonly serviceEntries: readonly ServiceEntry[];
  readonly settings: IstioSettings;

  private readonly gatewayByKey: ReadonlyMap<string, IstioGateway>;
  private readonly gatewaysByNamespace: ReadonlyMap<string, readonly IstioGateway[]>;

  constructor(objects: IstioObjects = NO_ISTIO_OBJECTS, settings: IstioSettings = DEFAULT_ISTIO_SETTINGS) {
    this.authorizationPolicies = objects.authorizationPolicies;
    this.peerAuthentications = objects.peerAuthentications;
    this.requestAuthentications = objects.requestAuthentications;
    this.sidecars = objects.sidecars;
    this.gateways = objects.gateways;
    this.virtualServices = objects.virtualServices;
    this.destinationRules = objects.destinationRules;
    this.serviceEntries = objects.serviceEntries;
    this.settings = settings;
    this.gatewayByKey = new Map(this.gateways.map((gateway) => [`${gateway.namespace}/${gateway.name}`, gateway]));
    this.gatewaysByNamespace = groupBy(this.gateways, (gateway) => gateway.namespace);
  }

  /** True when the manifests hold no Istio object at all. */
  get isEmpty(): boolean {
    return this.authorizationPolicies.length === 0 && this.peerAuthentications.length === 0 && this.requestAuthentications.length === 0
      && this.sidecars.length === 0 && this.gateways.length === 0 && this.virtualServices.length === 0 && this.destinationRules.length === 0
      && this.serviceEntries.length === 0;
  }

  /** Returns the Istio Gateway `namespace/name`. */
  gateway(namespace: string, name: string): IstioGateway | undefined {
    return this.gatewayByKey.get(`${namespace}/${name}`);
  }

  /** Returns the Istio Gateways of `namespace`. */
  gatewaysInNamespace(namespace: string): readonly IstioGateway[] {
    return this.gatewaysByNamespace.get(namespace) ?? [];
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}
