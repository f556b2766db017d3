import type { ManifestObject } from '../load/manifest-object.js';
import type { Finding } from '../finding.js';
import { LabelIndex } from './label-index.js';
import { matchesSelector, type Labels, type LabelSelector } from './label-selector.js';
import type { AdminNetworkPolicy, ClusterNetworkPolicy, Ingress, Namespace, NetworkPolicy, Node, Pod, Service, Workload } from './types.js';
import { GatewayApi, type GatewayApiObjects } from './gateway-api-index.js';
import type { PodLabelMentions } from './controller-labels.js';
import { CiliumIndex } from './cilium-index.js';
import type { CiliumObjects } from './cilium.js';
import { IstioConfig } from './istio-index.js';
import type { IstioObjects } from './istio.js';
import type { IstioSettings } from './istio-settings.js';
import { NO_CALICO_OBJECTS, type CalicoObjects } from './calico.js';

/** An object defined twice: the later definition (kept) and the earlier one (dropped). */
export interface DuplicateObject {
  readonly object: ManifestObject;
  readonly earlier: ManifestObject;
}

/** The contents of a graph, as the builder assembles them. */
export interface GraphContents {
  readonly namespaces: readonly Namespace[];
  readonly workloads: readonly Workload[];
  readonly services: readonly Service[];
  readonly ingresses: readonly Ingress[];
  readonly policies: readonly NetworkPolicy[];
  /** AdminNetworkPolicies and the BaselineAdminNetworkPolicy. */
  readonly adminPolicies: readonly AdminNetworkPolicy[];
  /** ClusterNetworkPolicies (policy.networking.k8s.io/v1alpha2), by tier, priority and name. */
  readonly clusterPolicies?: readonly ClusterNetworkPolicy[];
  readonly nodes: readonly Node[];
  /** GatewayClasses, Gateways, routes and ReferenceGrants of the Gateway API. */
  readonly gatewayApi: GatewayApiObjects;
  /** Cilium's policies and CIDR groups; none when absent. */
  readonly cilium?: CiliumObjects;
  /** Istio's policies and traffic objects; none when absent. */
  readonly istio?: IstioObjects;
  /** The Istio mesh settings (`.k8snet.yaml` `istio:`); Istio's defaults when absent. */
  readonly istioSettings?: IstioSettings;
  /** Calico's policies, tiers, network sets, profiles and endpoints (none when absent). */
  readonly calico?: CalicoObjects;
  /** Objects of kinds k8snet keeps without analysing them (ConfigMaps, CRDs, ...). */
  readonly otherObjects: readonly ManifestObject[];
  /** Problems found while building (invalid selectors, rejected values). */
  readonly findings: readonly Finding[];
  /** Objects defined more than once (same kind, namespace and name). */
  readonly duplicates: readonly DuplicateObject[];
  readonly defaultNamespace: string;
  /** The per-pod labels (StatefulSet ordinals, Job indexes) that selectors name, with the values they name; none when absent. */
  readonly podLabelMentions?: PodLabelMentions;
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

/**
 * The immutable resource graph: every namespace, workload, pod, service, ingress, policy and
 * node of the manifests, with the lookups the rules and the solver need, indexed once.
 */
export class ResourceGraph implements GraphContents {
  readonly namespaces: readonly Namespace[];
  readonly workloads: readonly Workload[];
  readonly pods: readonly Pod[];
  readonly services: readonly Service[];
  readonly ingresses: readonly Ingress[];
  readonly policies: readonly NetworkPolicy[];
  readonly adminPolicies: readonly AdminNetworkPolicy[];
  readonly clusterPolicies: readonly ClusterNetworkPolicy[];
  readonly nodes: readonly Node[];
  /** The Gateway API objects, with their lookups. */
  readonly gatewayApi: GatewayApi;
  /** Cilium's policies and CIDR groups, with their lookups. */
  readonly cilium: CiliumIndex;
  /** The Istio objects and mesh settings, with their lookups. */
  readonly istio: IstioConfig;
  /** Calico's objects; see src/model/calico.ts. */
  readonly calico: CalicoObjects;
  readonly otherObjects: readonly ManifestObject[];
  readonly findings: readonly Finding[];
  readonly duplicates: readonly DuplicateObject[];
  readonly defaultNamespace: string;
  /** The per-pod labels (StatefulSet ordinals, Job indexes) that selectors name: pods differing only elsewhere in them share a pod class. */
  readonly podLabelMentions: PodLabelMentions;

  private readonly namespaceByName: ReadonlyMap<string, Namespace>;
  private readonly podsByNamespace: ReadonlyMap<string, readonly Pod[]>;
  private readonly workloadById: ReadonlyMap<string, Workload>;
  private readonly serviceByKey: ReadonlyMap<string, Service>;
  private readonly policiesByNamespace: ReadonlyMap<string, readonly NetworkPolicy[]>;
  /** Filled on first use: answering it matches every policy's selector, which inspect and can-reach never need. */
  private readonly policiesByPod = new Map<Pod, NetworkPolicy[]>();
  private readonly podsMatchingCache = new Map<string, readonly Pod[]>();
  private readonly namespacesMatchingCache = new Map<string, readonly Namespace[]>();
  private readonly podsWithLabelsCache = new WeakMap<Labels, Map<string, readonly Pod[]>>();
  /** Filled on first use (a backend whose Service is missing asks for its namespace's others). */
  private readonly servicesByNamespace = new Map<string, Service[]>();
  private readonly namespaceIndex: LabelIndex<Namespace>;

  constructor(contents: GraphContents) {
    this.namespaces = contents.namespaces;
    this.workloads = contents.workloads;
    this.pods = contents.workloads.flatMap((workload) => workload.pods);
    this.services = contents.services;
    this.ingresses = contents.ingresses;
    this.policies = contents.policies;
    this.adminPolicies = contents.adminPolicies;
    this.clusterPolicies = contents.clusterPolicies ?? [];
    this.nodes = contents.nodes;
    this.gatewayApi = contents.gatewayApi instanceof GatewayApi ? contents.gatewayApi : new GatewayApi(contents.gatewayApi);
    this.cilium = new CiliumIndex(contents.cilium ?? { policies: [], cidrGroups: [], clusterName: { name: 'default' } },
      (name) => this.namespaceByName.get(name)?.labels ?? { 'kubernetes.io/metadata.name': name });
    this.istio = contents.istio instanceof IstioConfig ? contents.istio : new IstioConfig(contents.istio, contents.istioSettings);
    this.calico = contents.calico ?? NO_CALICO_OBJECTS;
    this.otherObjects = contents.otherObjects;
    this.findings = contents.findings;
    this.duplicates = contents.duplicates;
    this.defaultNamespace = contents.defaultNamespace;
    this.podLabelMentions = contents.podLabelMentions ?? new Map();
    this.namespaceByName = new Map(this.namespaces.map((namespace) => [namespace.name, namespace]));
    this.namespaceIndex = new LabelIndex(this.namespaces, (namespace) => namespace.labels);
    this.podsByNamespace = groupBy(this.pods, (pod) => pod.namespace);
    this.workloadById = new Map(this.workloads.map((workload) => [workload.id, workload]));
    this.serviceByKey = new Map(this.services.map((service) => [`${service.namespace}/${service.name}`, service]));
    this.policiesByNamespace = groupBy(this.policies, (policy) => policy.namespace);
  }

  /**
   * Returns a new graph with hypothetical workloads added (the original is unchanged), so that
   * a question about a pod the manifests do not contain, such as cluster DNS, is answered by the
   * same solver rather than by a second implementation of the semantics.
   */
  withExtraWorkloads(workloads: readonly Workload[]): ResourceGraph {
    const names = new Set(this.namespaces.map((namespace) => namespace.name));
    const extraNamespaces = [...new Set(workloads.map((workload) => workload.namespace))]
      .filter((name) => !names.has(name))
      .map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } }));
    return new ResourceGraph({
      ...this,
      namespaces: [...this.namespaces, ...extraNamespaces],
      workloads: [...this.workloads, ...workloads],
    });
  }

  /** Returns the namespace called `name`, if the manifests declare or imply it. */
  namespace(name: string): Namespace | undefined {
    return this.namespaceByName.get(name);
  }

  /** Returns the pods of namespace `namespace`. */
  podsInNamespace(namespace: string): readonly Pod[] {
    return this.podsByNamespace.get(namespace) ?? [];
  }

  /** Returns the Services of `namespace`, in input order. */
  servicesInNamespace(namespace: string): readonly Service[] {
    const byNamespace = this.servicesByNamespace;
    if (byNamespace.size === 0) {
      for (const service of this.services) {
        const list = byNamespace.get(service.namespace);
        if (list) list.push(service);
        else byNamespace.set(service.namespace, [service]);
      }
    }
    return byNamespace.get(namespace) ?? [];
  }

  /** Returns the pods of `namespace` that `selector` matches. */
  podsMatching(selector: LabelSelector, namespace: string): readonly Pod[] {
    // The graph never changes, so answers are remembered: thousands of policies repeat a few selectors.
    const key = `${namespace}\u0000${selector.text}`;
    let pods = this.podsMatchingCache.get(key);
    if (!pods) {
      pods = Object.freeze(this.podsInNamespace(namespace).filter((pod) => matchesSelector(selector, pod.labels)));
      this.podsMatchingCache.set(key, pods);
    }
    return pods;
  }

  /** Returns the pods of `namespace` whose labels include every `labels` pair (a Service selector). */
  podsWithLabels(labels: Labels, namespace: string): readonly Pod[] {
    // Remembered by the labels object: several rules, the solver and the CLI ask about each Service's selector.
    let byNamespace = this.podsWithLabelsCache.get(labels);
    if (!byNamespace) this.podsWithLabelsCache.set(labels, (byNamespace = new Map()));
    let pods = byNamespace.get(namespace);
    if (!pods) {
      const keys = Object.keys(labels);
      const candidates = this.podsInNamespace(namespace);
      const found: Pod[] = [];
      // Indexed loops: asked for every Service, over every pod of its namespace, mostly before
      // the code is optimised (for-of then allocates an iterator result per step).
      for (let index = 0; index < candidates.length; index++) {
        const pod = candidates[index];
        let matches = true;
        for (let keyIndex = 0; keyIndex < keys.length; keyIndex++) {
          if (pod.labels[keys[keyIndex]] !== labels[keys[keyIndex]]) {
            matches = false;
            break;
          }
        }
        if (matches) found.push(pod);
      }
      pods = Object.freeze(found);
      byNamespace.set(namespace, pods);
    }
    return pods;
  }

  /** Returns the namespaces whose labels `selector` matches. */
  namespacesMatching(selector: LabelSelector): readonly Namespace[] {
    let namespaces = this.namespacesMatchingCache.get(selector.text);
    if (!namespaces) {
      namespaces = Object.freeze(this.namespaceIndex.select(selector));
      this.namespacesMatchingCache.set(selector.text, namespaces);
    }
    return namespaces;
  }

  /** Returns the workload with id `namespace/name[Kind]`. */
  workload(id: string): Workload | undefined {
    return this.workloadById.get(id);
  }

  /** Returns the Service `namespace/name`. */
  service(namespace: string, name: string): Service | undefined {
    return this.serviceByKey.get(`${namespace}/${name}`);
  }

  /** Returns the policies of `namespace`. */
  policiesInNamespace(namespace: string): readonly NetworkPolicy[] {
    return this.policiesByNamespace.get(namespace) ?? [];
  }

  /** Returns the policies whose podSelector selects `pod`. */
  policiesSelecting(pod: Pod): readonly NetworkPolicy[] {
    if (this.policiesByPod.size === 0 && this.pods.length > 0) {
      for (const member of this.pods) this.policiesByPod.set(member, []);
      for (const policy of this.policies) {
        for (const selected of this.podsMatching(policy.podSelector, policy.namespace)) this.policiesByPod.get(selected)!.push(policy);
      }
    }
    return this.policiesByPod.get(pod) ?? [];
  }
}
