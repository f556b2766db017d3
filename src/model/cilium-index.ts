import type { Labels } from './label-selector.js';
import type { Pod } from './types.js';
import type { CiliumAgentConfig, CiliumCidrGroup, CiliumClusterName, CiliumObjects, CiliumPolicy, CiliumRule } from './cilium.js';
import { makeIdentity, matchesCiliumSelector, podIdentity, type CiliumSelector, type EndpointIdentity } from './cilium-labels.js';

/** The Cilium objects of a graph with the lookups rules, answers and the compiler need, built once. */
export class CiliumIndex implements CiliumObjects {
  readonly policies: readonly CiliumPolicy[];
  readonly cidrGroups: readonly CiliumCidrGroup[];
  readonly clusterName: CiliumClusterName;
  readonly agentConfig: CiliumAgentConfig;

  private readonly groupByName: ReadonlyMap<string, CiliumCidrGroup>;
  private readonly identities = new WeakMap<Pod, EndpointIdentity>();

  constructor(objects: CiliumObjects, private readonly namespaceLabels: (namespace: string) => Labels = () => ({})) {
    this.policies = objects.policies;
    this.cidrGroups = objects.cidrGroups;
    this.clusterName = objects.clusterName;
    this.agentConfig = objects.agentConfig ?? {};
    this.groupByName = new Map(this.cidrGroups.map((group) => [group.name, group]));
  }

  /** Returns the CiliumCIDRGroup called `name`, when the manifests hold it. */
  cidrGroup(name: string): CiliumCidrGroup | undefined {
    return this.groupByName.get(name);
  }

  /** Returns the CiliumCIDRGroups whose labels `selector` matches (its keys read without source). */
  cidrGroupsMatching(selector: CiliumSelector): readonly CiliumCidrGroup[] {
    return this.cidrGroups.filter((group) => matchesCiliumSelector(selector, makeIdentity(Object.entries(group.labels).map(([key, value]) => ({ source: 'k8s', key, value })))));
  }

  /** The identity labels Cilium gives `pod`'s endpoint (remembered per pod). */
  identityOf(pod: Pod): EndpointIdentity {
    let identity = this.identities.get(pod);
    if (!identity) {
      identity = podIdentity({ namespace: pod.namespace, labels: pod.labels, ...(pod.serviceAccountName !== undefined ? { serviceAccountName: pod.serviceAccountName } : {}) },
        this.namespaceLabels(pod.namespace), this.clusterName.name);
      this.identities.set(pod, identity);
    }
    return identity;
  }

  /**
   * The rules of Cilium policies whose `endpointSelector` selects `pod` (as Cilium scopes it).
   * A hostNetwork pod is no Cilium endpoint: no endpoint selector selects it.
   */
  rulesSelecting(pod: Pod): { readonly policy: CiliumPolicy; readonly rule: CiliumRule }[] {
    if (pod.hostNetwork) return [];
    const identity = this.identityOf(pod);
    const selected: { policy: CiliumPolicy; rule: CiliumRule }[] = [];
    for (const policy of this.policies) {
      for (const rule of policy.rules) {
        if (rule.subject.kind === 'endpoints' && matchesCiliumSelector(rule.subject.effective, identity)) selected.push({ policy, rule });
      }
    }
    return selected;
  }
}
