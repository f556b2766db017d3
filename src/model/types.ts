import type { ManifestObject } from '../load/manifest-object.js';
import type { FieldPath } from '../load/path.js';
import type { Labels, LabelSelector } from './label-selector.js';
import type { IpBlockRanges } from './cidr.js';
import type { PodScheduling } from './pod-placement.js';

/** The transport protocols NetworkPolicy and Services know. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** The protocols in the order outputs list them (alphabetical, as np-guard prints them). */
export const PROTOCOLS: readonly Protocol[] = ['SCTP', 'TCP', 'UDP'];

/** A namespace, declared in the manifests or implied by an object that lives in it. */
export interface Namespace {
  readonly name: string;
  /** Its labels, including the automatic `kubernetes.io/metadata.name`. */
  readonly labels: Labels;
  /** The Namespace object, when the manifests declare it. */
  readonly source?: ManifestObject;
  /**
   * Where `.k8snet.yaml` `namespaces:` states the labels of a namespace made outside the manifests
   * (the configuration file as an object, when it came from one, and the path of the entry).
   */
  readonly declaredIn?: { readonly object?: ManifestObject; readonly path: FieldPath };
}

/** A port a container declares. */
export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
  /** The node's port forwarded to this one (`hostPort`), when set. */
  readonly hostPort?: number;
}

/** The kinds whose pods k8snet analyses. */
export type WorkloadKind =
  | 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'ReplicationController' | 'Pod'
  | string;

/**
 * One pod, or the pods of one template (all replicas look the same to policies): the unit
 * NetworkPolicy selects. A workload has one such pod per distinct template or concrete Pod.
 */
export interface Pod {
  /** A stable identifier, unique in the graph: `namespace/workload-id#index`. */
  readonly key: string;
  readonly namespace: string;
  /** The concrete Pod's name, or the workload's name for a template. */
  readonly name: string;
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  /** `status.podIP` of a concrete Pod, when given. */
  readonly podIP?: string;
  /** `spec.nodeName` of a concrete Pod (or a template that pins one): the Node it runs on. */
  readonly nodeName?: string;
  /** `spec.serviceAccountName` (or the deprecated `serviceAccount`), when given; the API server sets `default` otherwise. */
  readonly serviceAccountName?: string;
  /** The id of the workload this pod belongs to. */
  readonly workloadId: string;
  readonly source: ManifestObject;
  /** Path of the pod template inside `source` (`spec.template`), `[]` for a Pod. */
  readonly templatePath: FieldPath;
  /**
   * The ordinal of a StatefulSet's pod (or the completion index of an Indexed Job's), when the
   * workload's pods are told apart one by one; undefined for a pod standing for all replicas.
   */
  readonly ordinal?: number;
  /** Where the pod runs, as far as the manifests say (src/model/pod-placement.ts). */
  readonly scheduling?: PodScheduling;
}

/** A workload: a controller object, or pods grouped by their controller, as np-guard groups them. */
export interface Workload {
  /** `namespace/name[Kind]`, the name np-guard and k8snet outputs use. */
  readonly id: string;
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  /** Replicas the workload asks for (DaemonSets: 1 per node, counted as 1 here). */
  readonly replicas: number;
  readonly pods: readonly Pod[];
  /** The defining object (for grouped concrete Pods: the first Pod; for an operator's pods: its custom resource). */
  readonly source: ManifestObject;
  /** The custom resource whose operator creates this workload (`Prometheus` `k8s`), when an operator does. */
  readonly madeBy?: { readonly kind: string; readonly name: string };
}

/** A port of a Service. */
export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** A number, or a container port name resolved on each endpoint pod. */
  readonly targetPort: number | string;
  readonly protocol: Protocol;
  readonly nodePort?: number;
  readonly path: FieldPath;
}

/** A Service. */
export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** The selector, or undefined for a Service without one (endpoints managed elsewhere). */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
  readonly clusterIP?: string;
  readonly externalName?: string;
  readonly loadBalancerSourceRanges: readonly string[];
  /** For NodePort and LoadBalancer Services: `Local` keeps the client's address, `Cluster` (the default) replaces it with a node's. */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /** False when a LoadBalancer Service asks for no NodePorts (`allocateLoadBalancerNodePorts: false`). */
  readonly allocateLoadBalancerNodePorts: boolean;
  readonly source: ManifestObject;
  /** For a Service an operator creates (`prometheus-operated`): the custom resource it is made for, which is also `source`. */
  readonly createdBy?: { readonly kind: string; readonly name: string };
}

/** A route from an Ingress (or OpenShift Route) to a Service port. */
export interface IngressBackend {
  readonly host?: string;
  readonly path?: string;
  readonly serviceName: string;
  /** A Service port number or name; undefined for a Route that names no port (all ports). */
  readonly servicePort?: number | string;
  readonly fieldPath: FieldPath;
}

/** An Ingress, or an OpenShift Route, reduced to where it sends traffic. */
export interface Ingress {
  readonly kind: 'Ingress' | 'Route';
  readonly namespace: string;
  readonly name: string;
  readonly className?: string;
  readonly backends: readonly IngressBackend[];
  readonly tls: readonly { readonly hosts: readonly string[]; readonly secretName?: string }[];
  readonly source: ManifestObject;
}

/** A port entry of a NetworkPolicy rule. */
export interface PolicyPort {
  readonly protocol: Protocol;
  /** Undefined means every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
  readonly path: FieldPath;
}

/** An ipBlock peer: the CIDR less its exceptions. */
export interface IpBlock {
  readonly cidr: string;
  readonly except: readonly string[];
  readonly ranges: IpBlockRanges;
}

/** A `from`/`to` peer of a NetworkPolicy rule. */
export interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IpBlock;
  readonly path: FieldPath;
}

/** One ingress or egress rule of a NetworkPolicy. */
export interface PolicyRule {
  /** The peers; undefined when `from`/`to` is missing or empty, which means every peer. */
  readonly peers?: readonly PolicyPeer[];
  /** The ports; empty when `ports` is missing or empty, which means every port. */
  readonly ports: readonly PolicyPort[];
  readonly path: FieldPath;
}

/** A NetworkPolicy with its effective policy types. */
export interface NetworkPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  /** Effective policyTypes (defaulted as the API server does). */
  readonly affectsIngress: boolean;
  readonly affectsEgress: boolean;
  /** True when `policyTypes` was written, false when it was defaulted. */
  readonly policyTypesStated: boolean;
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
  readonly source: ManifestObject;
}

/** A Node, for its pod address range, labels and addresses. */
export interface Node {
  readonly name: string;
  readonly podCIDRs: readonly string[];
  /** Its labels (`kubernetes.io/os`, `node-role.kubernetes.io/...`): what node selectors match. */
  readonly labels: Labels;
  /** `status.addresses` (InternalIP, ExternalIP...), the addresses its host-network pods use. */
  readonly addresses: readonly string[];
  readonly source: ManifestObject;
}

/** What an AdminNetworkPolicy rule does with the traffic it matches. */
export type AdminAction = 'Allow' | 'Deny' | 'Pass';

/**
 * A peer of an AdminNetworkPolicy or BaselineAdminNetworkPolicy rule
 * (policy.networking.k8s.io/v1alpha1): pods of namespaces, or (egress only) networks.
 */
export interface AdminPeer {
  /** Namespaces whose pods match; with `podSelector`, only those pods. */
  readonly namespaceSelector?: LabelSelector;
  readonly podSelector?: LabelSelector;
  /** `networks` CIDRs (egress only), as sorted IPv4 and IPv6 ranges. */
  readonly networks?: readonly IpBlockRanges[];
  /** `nodes` selector (egress only): traffic to nodes, which is where host-networked pods live. */
  readonly nodes?: LabelSelector;
  readonly path: FieldPath;
}

/** A port entry of an admin rule: a number, a range, or a name resolved on the destination pod. */
export type AdminPort =
  | { readonly protocol: Protocol; readonly from: number; readonly to: number }
  | { readonly namedPort: string };

/** One ingress or egress rule of an admin policy. */
export interface AdminRule {
  readonly name: string;
  readonly action: AdminAction;
  readonly peers: readonly AdminPeer[];
  /** Undefined when `ports` is missing: every port. */
  readonly ports?: readonly AdminPort[];
  readonly path: FieldPath;
}

/**
 * An AdminNetworkPolicy (cluster-wide, evaluated before NetworkPolicies by priority) or the
 * BaselineAdminNetworkPolicy (evaluated after them, for pods no NetworkPolicy isolates).
 */
export interface AdminNetworkPolicy {
  readonly kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';
  readonly name: string;
  /** Lower numbers go first; the baseline policy has none. */
  readonly priority: number;
  /** The pods the policy applies to. */
  readonly subject: { readonly namespaceSelector: LabelSelector; readonly podSelector?: LabelSelector };
  readonly ingress: readonly AdminRule[];
  readonly egress: readonly AdminRule[];
  readonly source: ManifestObject;
}

/** What a ClusterNetworkPolicy rule does with the traffic it matches. */
export type ClusterPolicyAction = 'Accept' | 'Deny' | 'Pass';

/** A CIDR of a `networks` peer, as written and as an address range. */
export interface NetworkCidr {
  readonly text: string;
  readonly ranges: IpBlockRanges;
}

/**
 * A peer of a ClusterNetworkPolicy rule (policy.networking.k8s.io/v1alpha2): exactly one of pods
 * of namespaces, pods, networks, nodes (egress) or domain names (egress, Accept rules).
 */
export interface ClusterPolicyPeer {
  /** Namespaces whose pods match (`namespaces`, or `pods.namespaceSelector`). */
  readonly namespaceSelector?: LabelSelector;
  /** `pods.podSelector`. */
  readonly podSelector?: LabelSelector;
  readonly networks?: readonly NetworkCidr[];
  readonly nodes?: LabelSelector;
  /** `domainNames`: said, not modelled (which addresses a name resolves to is not in the manifests). */
  readonly domainNames?: readonly string[];
  readonly path: FieldPath;
}

/** A `protocols` entry of a ClusterNetworkPolicy rule: ports of a protocol, or a named port. */
export type ClusterPolicyProtocol =
  | { readonly protocol: Protocol; readonly from: number; readonly to: number; readonly path: FieldPath }
  | { readonly namedPort: string; readonly path: FieldPath };

/** One ingress or egress rule of a ClusterNetworkPolicy. */
export interface ClusterPolicyRule {
  /** The rule's `name`, or `ingress[N]`/`egress[N]` when it has none. */
  readonly name: string;
  readonly action: ClusterPolicyAction;
  readonly peers: readonly ClusterPolicyPeer[];
  /** Undefined when `protocols` is missing: every connection of every protocol. */
  readonly protocols?: readonly ClusterPolicyProtocol[];
  readonly path: FieldPath;
}

/**
 * A ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2): cluster-wide, in the Admin tier
 * (before NetworkPolicies) or the Baseline tier (after them), ranked by priority in its tier.
 */
export interface ClusterNetworkPolicy {
  readonly name: string;
  readonly tier: 'Admin' | 'Baseline';
  /** 0-1000, lower first within the tier. */
  readonly priority: number;
  /** The pods the policy applies to: pods of these namespaces, narrowed by podSelector when given. */
  readonly subject: { readonly namespaceSelector: LabelSelector; readonly podSelector?: LabelSelector };
  readonly ingress: readonly ClusterPolicyRule[];
  readonly egress: readonly ClusterPolicyRule[];
  readonly source: ManifestObject;
}
