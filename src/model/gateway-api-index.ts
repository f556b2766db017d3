import type { Gateway, GatewayApiObjects, GatewayClass, GatewayRoute, ReferenceGrant } from './gateway-api.js';

export type { GatewayApiObjects } from './gateway-api.js';

/** The Gateway API objects of a graph, with the lookups rules and request paths need, indexed once. */
export class GatewayApi implements GatewayApiObjects {
  readonly gatewayClasses: readonly GatewayClass[];
  readonly gateways: readonly Gateway[];
  readonly routes: readonly GatewayRoute[];
  readonly referenceGrants: readonly ReferenceGrant[];

  private readonly classByName: ReadonlyMap<string, GatewayClass>;
  private readonly gatewayByKey: ReadonlyMap<string, Gateway>;
  private readonly gatewaysByNamespace: ReadonlyMap<string, readonly Gateway[]>;
  private readonly grantsByNamespace: ReadonlyMap<string, readonly ReferenceGrant[]>;

  constructor(objects: GatewayApiObjects) {
    this.gatewayClasses = objects.gatewayClasses;
    this.gateways = objects.gateways;
    this.routes = objects.routes;
    this.referenceGrants = objects.referenceGrants;
    this.classByName = new Map(this.gatewayClasses.map((gatewayClass) => [gatewayClass.name, gatewayClass]));
    this.gatewayByKey = new Map(this.gateways.map((gateway) => [`${gateway.namespace}/${gateway.name}`, gateway]));
    this.gatewaysByNamespace = groupBy(this.gateways, (gateway) => gateway.namespace);
    this.grantsByNamespace = groupBy(this.referenceGrants, (grant) => grant.namespace);
  }

  /** Returns the GatewayClass called `name`, when the manifests declare it. */
  gatewayClass(name: string): GatewayClass | undefined {
    return this.classByName.get(name);
  }

  /** Returns the Gateway `namespace/name`. */
  gateway(namespace: string, name: string): Gateway | undefined {
    return this.gatewayByKey.get(`${namespace}/${name}`);
  }

  /** Returns the Gateways of `namespace`. */
  gatewaysInNamespace(namespace: string): readonly Gateway[] {
    return this.gatewaysByNamespace.get(namespace) ?? [];
  }

  /** Returns the ReferenceGrants of `namespace` (those that grant access to its objects). */
  referenceGrantsIn(namespace: string): readonly ReferenceGrant[] {
    return this.grantsByNamespace.get(namespace) ?? [];
  }

  /**
   * Returns true when a ReferenceGrant of the target's namespace lets objects of `from`'s group,
   * kind and namespace refer to the target (ReferenceGrant: a `from` entry matching the referrer
   * and a `to` entry of the target's group and kind, naming it or naming none). A reference within
   * one namespace needs no grant.
   */
  permitsReference(from: { group: string; kind: string; namespace: string }, to: { group: string; kind: string; namespace: string; name: string }): boolean {
    if (from.namespace === to.namespace) return true;
    return this.referenceGrantsIn(to.namespace).some((grant) => grant.from.some((entry) => entry.group === from.group && entry.kind === from.kind && entry.namespace === from.namespace)
      && grant.to.some((entry) => entry.group === to.group && entry.kind === to.kind && (entry.name === undefined || entry.name === to.name)));
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
