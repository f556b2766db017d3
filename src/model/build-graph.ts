import type { ManifestObject } from '../load/manifest-object.js';
import { completeValues, locateField } from '../load/manifest-object.js';
import { INPUT_RULES, type InputRule } from '../load/input-rules.js';
import { GATEWAY_API_GROUP, KIND_DEFINITIONS, isToolConfig, modelledKindOf } from '../load/kinds.js';
import { formatPath, valueAt, type FieldPath } from '../load/path.js';
import type { Finding } from '../finding.js';
import { parseLabelSelector, type Labels, type LabelSelector } from './label-selector.js';
import { parseCidr, subtractRanges, type Cidr } from './cidr.js';
import { ResourceGraph, type DuplicateObject } from './graph.js';
import { buildGatewayApiObjects } from './build-gateway-api.js';
import { CILIUM_KIND_IDS, buildCiliumObjects } from './build-cilium.js';
import { placePod, type PlacementNode } from './pod-placement.js';
import { ISTIO_KIND_IDS, buildIstioObjects } from './build-istio.js';
import { DEFAULT_ISTIO_SETTINGS, type IstioSettings } from './istio-settings.js';
import { CALICO_KIND_IDS, buildCalicoObjects } from './build-calico.js';
import type { CalicoObjects, CalicoRule, CalicoWorkloadEndpoint } from './calico.js';
import type { CalicoSelector } from './calico-selector.js';
import type { IstioObjects } from './istio.js';
import { CALICO_CLUSTER_SCOPED_KINDS } from '../load/calico-kinds.js';
import { locateInString } from '../load/scalar-position.js';
import type { SourceLocation } from '../finding.js';
import {
  JOB_COMPLETION_INDEX, POD_INDEX, STATEFULSET_POD_NAME, collectPodLabelMentions, controllerLabels, ordinalLabels, type PodLabelMentions,
} from './controller-labels.js';
import { BUILT_IN_OPERATOR_KINDS, declaredOperatorKind, isOfOperatorKind, type OperatorKind, type WorkloadDeclaration } from './operator-workloads.js';
import { readClusterNetworkPolicy } from './build-cluster-policy.js';
import type {
  AdminAction, AdminNetworkPolicy, AdminPeer, AdminPort, AdminRule, ClusterNetworkPolicy, ContainerPort, Ingress, IngressBackend, IpBlock, Namespace, NetworkPolicy, Node, Pod, PolicyPeer, PolicyPort,
  PolicyRule, Protocol, Service, ServicePort, Workload,
} from './types.js';

/** Options of graph building. */
export interface BuildOptions {
  /** Namespace of objects that name none (kubectl's current namespace); `default` by default. */
  readonly defaultNamespace?: string;
  /** Custom resources whose operator runs pods, declared in `.k8snet.yaml` `workloads:` (beside the built-in ones). */
  readonly workloadDeclarations?: readonly WorkloadDeclaration[];
  /** Namespaces made outside the manifests, with their labels, from `.k8snet.yaml` `namespaces:`. */
  readonly namespaceDeclarations?: readonly NamespaceDeclaration[];
  /**
   * Pod addresses known from elsewhere (a conformance case's pod-ips file), by `namespace/pod-name`:
   * a StatefulSet's ordinal (`db-1`) named here becomes a pod of its own with that podIP, and a
   * concrete Pod without status.podIP gets it.
   */
  readonly podIPs?: ReadonlyMap<string, string>;
  /**
   * The nodes pods run on, known from elsewhere (a conformance case's assumptions), by
   * `namespace/pod-name` (a template pod's name is its workload's): they win over what the
   * manifests say (src/model/pod-placement.ts).
   */
  readonly podNodes?: ReadonlyMap<string, string>;
  /** The Istio mesh settings (`.k8snet.yaml` `istio:`); Istio's defaults when absent. */
  readonly istio?: IstioSettings;
}

/** A namespace made outside the manifests (by an operator, a platform team, a kubeflow Profile), as `.k8snet.yaml` declares it. */
export interface NamespaceDeclaration {
  readonly name: string;
  readonly labels: Labels;
  /** Where `.k8snet.yaml` states it: the file as an object (when it came from one) and the entry's path. */
  readonly declaredIn: { readonly object?: ManifestObject; readonly path: FieldPath };
}

/**
 * A controller whose pods the graph holds: an object of the manifests, or one an operator creates
 * for a custom resource (its pod template made from the resource).
 */
interface ControllerSource {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly object: ManifestObject;
  readonly template: Raw;
  readonly templatePath: FieldPath;
  readonly replicas: number;
  readonly madeBy?: { readonly kind: string; readonly name: string };
}

/** The registry ids of the Gateway API kinds, which the graph holds in `gatewayApi`. */
const GATEWAY_API_IDS: ReadonlySet<string> = new Set(KIND_DEFINITIONS.filter((definition) => definition.group === GATEWAY_API_GROUP).map((definition) => definition.id));

const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'IngressClass', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass',
  'CustomResourceDefinition', 'PriorityClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'APIService', 'CSIDriver', 'CSINode', 'RuntimeClass', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy',
  'GlobalNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'IPPool', 'ClusterIssuer', 'CertificateSigningRequest',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
  'ClusterNetworkPolicy', 'FlowSchema', 'PriorityLevelConfiguration', 'VolumeAttachment', 'ServiceCIDR', 'IPAddress', 'ComponentStatus',
  'DeviceClass', 'ResourceSlice', 'PodSecurityPolicy', 'GatewayClass', 'CiliumNode', 'CiliumIdentity', 'CiliumEndpointSlice',
  'CiliumCIDRGroup', 'CiliumClusterwideEnvoyConfig', 'CiliumLoadBalancerIPPool', 'CiliumEgressGatewayPolicy', 'CiliumPodIPPool',
  'CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement', 'CiliumBGPNodeConfig', 'CiliumBGPNodeConfigOverride',
  ...CALICO_CLUSTER_SCOPED_KINDS,
]);

/** Where the pod template of each controller kind lives. */
const TEMPLATE_PATHS: Readonly<Record<string, FieldPath>> = {
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};
/** The controller kinds (registry ids) whose pods k8snet reads from their template. */
const CONTROLLER_KIND_IDS: ReadonlySet<string> = new Set(Object.keys(TEMPLATE_PATHS));

type Raw = Record<string, any>;

/** Records a value the API server rejects, under the rule id that documents it. */
type Invalid = (path: FieldPath, message: string, rule?: InputRule) => void;

/**
 * Builds the immutable resource graph from loaded objects. Values the API server would reject
 * (invalid selectors, impossible ports, malformed CIDRs) become findings here, and the objects
 * carrying them are left out, as the cluster would never admit them.
 */
export function buildGraph(objects: readonly ManifestObject[], options: BuildOptions = {}): ResourceGraph {
  return new GraphBuilder(options).build(objects);
}

class GraphBuilder {
  private readonly findings: Finding[] = [];
  /** The Nodes of the input, which pods' node selectors and affinities are matched against. */
  private placementNodes: readonly PlacementNode[] = [];
  private readonly duplicates: DuplicateObject[] = [];
  private readonly defaultNamespace: string;

  constructor(private readonly options: BuildOptions) {
    this.defaultNamespace = options.defaultNamespace ?? 'default';
  }

  build(objects: readonly ManifestObject[]): ResourceGraph {
    const unique = this.removeDuplicates(objects);
    // Grouped by what an object is (group and kind), not by its kind's name alone: a Calico
    // NetworkPolicy or a Knative Service is not read as Kubernetes' own.
    // Each object's kind is worked out once: every reader below takes its kinds' objects from here.
    const kinds = unique.map((object) => modelledKindOf(object));
    const byKind = new Map<string, ManifestObject[]>();
    for (const [index, object] of unique.entries()) {
      const kind = kinds[index];
      if (kind === undefined) continue;
      const list = byKind.get(kind);
      if (list) list.push(object);
      else byKind.set(kind, [object]);
    }
    const of = (kind: string) => byKind.get(kind) ?? [];
    /** The objects of the modelled kinds `ids` (registry ids), in input order. */
    const ofKinds = (ids: ReadonlySet<string>) => unique.filter((_, index) => ids.has(kinds[index] ?? ''));
    const services = of('Service').map((object) => this.buildService(object));
    const ingresses = [
      ...of('Ingress').map((object) => this.buildIngress(object)),
      ...of('Route').map((object) => this.buildRoute(object)),
    ];
    const policies = of('NetworkPolicy')
      .map((object) => this.buildPolicy(object))
      .filter((policy): policy is NetworkPolicy => policy !== undefined);
    const adminPolicies = [...of('AdminNetworkPolicy'), ...of('BaselineAdminNetworkPolicy')]
      .map((object) => this.buildAdminPolicy(object))
      .filter((policy): policy is AdminNetworkPolicy => policy !== undefined)
      // Lower priority numbers are evaluated first; equal priorities are undefined behaviour in
      // the API, so k8snet orders them by name to stay deterministic.
      .sort((a, b) => a.priority - b.priority || compareText(a.name, b.name));
    const clusterPolicies = of('ClusterNetworkPolicy')
      .map((object) => this.buildClusterPolicy(object))
      .filter((policy): policy is ClusterNetworkPolicy => policy !== undefined)
      // Admin tier first; within a tier by priority, then by name (the API leaves ties undefined).
      .sort((a, b) => Number(a.tier === 'Baseline') - Number(b.tier === 'Baseline') || a.priority - b.priority || compareText(a.name, b.name));
    const nodes: Node[] = of('Node').map((object) => {
      const spec = (object.value.spec ?? {}) as Raw;
      // Wrong shapes were reported by schema validation; what is left is read as far as it makes sense.
      const listed = Array.isArray(spec.podCIDRs) ? spec.podCIDRs.filter((text: unknown) => typeof text === 'string') : [];
      const status = (object.value.status ?? {}) as Raw;
      const addresses = Array.isArray(status.addresses)
        ? (status.addresses as Raw[]).flatMap((entry) => (typeof entry?.address === 'string' && entry.address !== '' ? [entry.address] : []))
        : [];
      return {
        name: object.name,
        podCIDRs: [...new Set([...listed, ...(typeof spec.podCIDR === 'string' ? [spec.podCIDR] : [])])],
        labels: stringMap((object.value.metadata as Raw)?.labels),
        addresses,
        source: object,
      };
    });
    this.placementNodes = nodes;
    const operated = this.operatorControllers(unique, services);
    services.push(...operated.services);
    // Read before the workloads: their selectors, too, may single out pods by ordinal.
    const istioSettings = this.options.istio ?? DEFAULT_ISTIO_SETTINGS;
    const istio = buildIstioObjects(ofKinds(ISTIO_KIND_IDS), {
      settings: istioSettings,
      namespaceOf: (object) => this.namespaceOf(object),
      reject: (object, path, message) => this.report(INPUT_RULES.invalidValue, object, path, message),
      warn: (object, path, message) => this.report(INPUT_RULES.istioWarning, object, path, message),
    });
    const calico = buildCalicoObjects(ofKinds(CALICO_KIND_IDS), {
      namespaceOf: (object) => this.namespaceOf(object),
      report: (rule, object, path, message, location) => this.report(rule, object, path, message, undefined, location),
      locateInString,
    });
    // Selectors that single out pods by ordinal decide which workloads have their pods told apart.
    const podLabelMentions = collectPodLabelMentions(
      [
        ...policies.flatMap((policy) => [policy.podSelector, ...[...policy.ingress, ...policy.egress].flatMap((rule) => (rule.peers ?? []).map((peer) => peer.podSelector))]),
        ...adminPolicies.flatMap((policy) => [policy.subject.podSelector, ...[...policy.ingress, ...policy.egress].flatMap((rule) => rule.peers.map((peer) => peer.podSelector))]),
        ...clusterPolicies.flatMap((policy) => [policy.subject.podSelector, ...[...policy.ingress, ...policy.egress].flatMap((rule) => rule.peers.map((peer) => peer.podSelector))]),
      ],
      [...services.map((service) => service.selector), ...istioWorkloadSelectors(istio)],
      calicoSelectors(calico),
    );
    const workloads = this.buildWorkloads(ofKinds(CONTROLLER_KIND_IDS), of('Pod'), operated.controllers, podLabelMentions);
    const namespaces = this.buildNamespaces(of('Namespace'), unique);
    const gatewayApi = buildGatewayApiObjects(ofKinds(GATEWAY_API_IDS), {
      namespaceOf: (object) => this.namespaceOf(object),
      reject: (object, path, message) => this.report(INPUT_RULES.invalidValue, object, path, message),
    });
    workloads.push(...this.workloadEndpointWorkloads(calico.workloadEndpoints, workloads));
    workloads.sort((a, b) => compareText(a.id, b.id));
    // The kinds the graph holds as objects of its own (by registry id); an operator's custom
    // resource, which the graph holds as the workloads it makes, is another object as well.
    const modelled = new Set(['Namespace', 'Service', 'Ingress', 'Route', 'NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy',
      'ClusterNetworkPolicy', 'Node', 'Pod', ...Object.keys(TEMPLATE_PATHS), ...GATEWAY_API_IDS, ...CILIUM_KIND_IDS, ...ISTIO_KIND_IDS, ...CALICO_KIND_IDS]);
    const otherObjects = unique.filter((_, index) => !modelled.has(kinds[index] ?? ''));
    const cilium = buildCiliumObjects(ofKinds(CILIUM_KIND_IDS), {
      namespaceOf: (object) => this.namespaceOf(object),
      report: (rule, object, path, message) => this.report(rule, object, path, message),
      otherObjects,
    });
    return new ResourceGraph({
      namespaces,
      workloads,
      services,
      ingresses,
      policies,
      adminPolicies,
      clusterPolicies,
      nodes,
      gatewayApi,
      cilium,
      otherObjects,
      istio,
      istioSettings,
      calico,
      findings: this.findings,
      duplicates: this.duplicates,
      defaultNamespace: this.defaultNamespace,
      podLabelMentions,
    });
  }

  private namespaceOf(object: ManifestObject): string {
    return object.namespace ?? this.defaultNamespace;
  }

  private report(rule: InputRule, object: ManifestObject, path: FieldPath, message: string, related?: Finding['related'], location?: SourceLocation): void {
    this.findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message,
      location: location ?? locateField(object.origin, path),
      path: formatPath(path),
      object: { kind: object.kind, namespace: CLUSTER_SCOPED_KINDS.has(object.kind) ? undefined : this.namespaceOf(object), name: object.name },
      why: rule.why,
      fix: rule.fix,
      related,
    });
  }

  /** Keeps the last definition of each kind/namespace/name, as `kubectl apply` of all files would. */
  private removeDuplicates(objects: readonly ManifestObject[]): ManifestObject[] {
    const byIdentity = new Map<string, ManifestObject>();
    const unique: ManifestObject[] = [];
    for (const object of objects) {
      // Tool configuration (kustomization.yaml in every folder) has no identity in a cluster.
      if (isToolConfig(object.apiVersion)) {
        unique.push(object);
        continue;
      }
      const namespace = CLUSTER_SCOPED_KINDS.has(object.kind) ? '' : this.namespaceOf(object);
      const slash = object.apiVersion.indexOf('/');
      const group = slash === -1 ? object.apiVersion : object.apiVersion.slice(0, slash);
      const identity = `${group}|${object.kind}|${namespace}|${object.name}`;
      const earlier = byIdentity.get(identity);
      if (earlier) {
        // Reported by the duplicate-object rule; the later definition wins, as with kubectl apply.
        this.duplicates.push({ object, earlier });
        byIdentity.delete(identity);
      }
      byIdentity.set(identity, object);
    }
    return [...unique, ...byIdentity.values()];
  }

  private buildNamespaces(declared: readonly ManifestObject[], objects: readonly ManifestObject[]): Namespace[] {
    const namespaces = new Map<string, Namespace>();
    for (const object of declared) {
      const labels = stringMap((object.value.metadata as Raw)?.labels);
      // The API server sets this label on every namespace (immutable since Kubernetes 1.22).
      namespaces.set(object.name, { name: object.name, labels: { ...labels, 'kubernetes.io/metadata.name': object.name }, source: object });
    }
    for (const object of objects) {
      if (CLUSTER_SCOPED_KINDS.has(object.kind) || isToolConfig(object.apiVersion)) continue;
      const name = this.namespaceOf(object);
      if (!namespaces.has(name)) namespaces.set(name, { name, labels: { 'kubernetes.io/metadata.name': name } });
    }
    // Namespaces made elsewhere count with the labels .k8snet.yaml gives them; a Namespace object
    // of the manifests states its labels itself and wins.
    for (const declaration of this.options.namespaceDeclarations ?? []) {
      if (namespaces.get(declaration.name)?.source) continue;
      namespaces.set(declaration.name, {
        name: declaration.name,
        labels: { ...declaration.labels, 'kubernetes.io/metadata.name': declaration.name },
        declaredIn: declaration.declaredIn,
      });
    }
    return [...namespaces.values()].sort((a, b) => compareText(a.name, b.name));
  }

  /**
   * The controllers operators create for the custom resources of the manifests (built-in kinds,
   * and those `.k8snet.yaml` declares, which replace a built-in description of the same kind),
   * and the Services they create per namespace unless the manifests already hold one of that name.
   */
  private operatorControllers(objects: readonly ManifestObject[], services: readonly Service[]): { controllers: ControllerSource[]; services: Service[] } {
    const declared = (this.options.workloadDeclarations ?? []).map((declaration) => declaredOperatorKind(declaration));
    const builtIn = Object.values(BUILT_IN_OPERATOR_KINDS).flatMap((kinds) => Object.values(kinds))
      .filter((kind) => !declared.some((other) => other.group === kind.group && other.kind === kind.kind));
    const kinds = [...builtIn, ...declared];
    const kindNames = new Set(kinds.map((kind) => kind.kind));
    // A built-in kind is the kind registry's (kinds.ts): an object of a version its group does not
    // serve is another kind, reported as such. A declared kind is what `.k8snet.yaml` says.
    const isOfKind = (kind: OperatorKind, object: ManifestObject) =>
      isOfOperatorKind(kind, object) && (declared.includes(kind) || modelledKindOf(object) !== undefined);
    const candidates = objects.filter((object) => kindNames.has(object.kind) && !CLUSTER_SCOPED_KINDS.has(object.kind));
    if (candidates.length === 0) return { controllers: [], services: [] };
    // The loader keeps only the identity of kinds it does not know: declared kinds are read in full.
    const declaredObjects = candidates.filter((object) => declared.some((kind) => isOfOperatorKind(kind, object)));
    const fullValues = declaredObjects.length > 0 ? completeValues(declaredObjects) : new Map<ManifestObject, unknown>();
    const controllers: ControllerSource[] = [];
    const made = new Map<string, ManifestObject>();
    const governed = new Map<string, { kind: OperatorKind; namespace: string; objects: ManifestObject[]; values: Raw[] }>();
    for (const object of candidates) {
      const namespace = this.namespaceOf(object);
      for (const kind of kinds) {
        if (!isOfKind(kind, object)) continue;
        const value = (fullValues.get(object) ?? object.value) as Raw;
        for (const podSet of kind.podSets(object, value ?? {})) {
          const id = `${namespace}/${podSet.name}[${podSet.controller}]`;
          const earlier = made.get(id);
          if (earlier) {
            this.report({ ...INPUT_RULES.invalidValue, severity: 'warning' }, object, ['metadata', 'name'],
              `${object.kind} ${namespace}/${object.name}: ${kind.operator} would create ${podSet.controller} ${podSet.name}, which ${earlier.kind} ${namespace}/${earlier.name} already makes; k8snet keeps the first.`);
            continue;
          }
          made.set(id, object);
          controllers.push({
            kind: podSet.controller, namespace, name: podSet.name, object, template: podSet.template, templatePath: podSet.templatePath,
            replicas: podSet.replicas, madeBy: { kind: object.kind, name: object.name },
          });
        }
        if (kind.governingService) {
          const key = `${namespace}\u0000${kind.group}\u0000${kind.kind}`;
          const entry = governed.get(key);
          if (entry) {
            entry.objects.push(object);
            entry.values.push(value ?? {});
          } else governed.set(key, { kind, namespace, objects: [object], values: [value ?? {}] });
        }
      }
    }
    const created: Service[] = [];
    const existing = new Set(services.map((service) => `${service.namespace}/${service.name}`));
    for (const { kind, namespace, objects: owners, values } of governed.values()) {
      const service = kind.governingService!(values);
      if (existing.has(`${namespace}/${service.name}`)) continue;
      existing.add(`${namespace}/${service.name}`);
      created.push({
        namespace,
        name: service.name,
        // The operators' governing Services are headless.
        type: 'ClusterIP',
        clusterIP: 'None',
        selector: service.selector,
        ports: service.ports.map((port) => ({ ...port, path: ['spec'] })),
        loadBalancerSourceRanges: [],
        allocateLoadBalancerNodePorts: true,
        source: owners[0],
        createdBy: { kind: owners[0].kind, name: owners[0].name },
      });
    }
    return { controllers, services: created };
  }

  /** The workloads of `controllers` (objects of the kinds of TEMPLATE_PATHS), `pods`, and the operators' custom resources. */
  private buildWorkloads(controllers: readonly ManifestObject[], pods: readonly ManifestObject[], operated: readonly ControllerSource[], mentions: PodLabelMentions): Workload[] {
    const controllerIds = new Set(controllers.map((object) => `${this.namespaceOf(object)}/${object.name}[${object.kind}]`));
    const podsByOwner = new Map<string, { kind: string; name: string; pods: ManifestObject[] }>();
    // In a cluster dump a Deployment, its ReplicaSet and the Pods are all present: a controller
    // owned by another controller of the manifests hands its pods up to that owner.
    const controllerByName = new Map(controllers.map((object) => [`${this.namespaceOf(object)}/${object.name}[${object.kind}]`, object]));
    const topOwner = (namespace: string, owner: { kind: string; name: string }): { kind: string; name: string } => {
      let current = owner;
      for (let depth = 0; depth < 5; depth++) {
        const object = controllerByName.get(`${namespace}/${current.name}[${current.kind}]`);
        const parent = object && controllerOwner(object);
        if (!parent || !controllerByName.has(`${namespace}/${parent.name}[${parent.kind}]`)) break;
        current = parent;
      }
      return current;
    };
    for (const pod of pods) {
      const owner = topOwner(this.namespaceOf(pod), workloadOwner(pod));
      const id = `${this.namespaceOf(pod)}/${owner.name}[${owner.kind}]`;
      const group = podsByOwner.get(id);
      if (group) group.pods.push(pod);
      else podsByOwner.set(id, { ...owner, pods: [pod] });
    }
    const sources: ControllerSource[] = [];
    for (const controller of controllers) {
      const namespace = this.namespaceOf(controller);
      // A controller owned by another controller in the manifests (a Deployment's ReplicaSet in
      // a cluster dump) runs the same pods: count them once, under the owner.
      const owner = controllerOwner(controller);
      if (owner && controllerIds.has(`${namespace}/${owner.name}[${owner.kind}]`)) continue;
      const templatePath = TEMPLATE_PATHS[controller.kind];
      sources.push({
        kind: controller.kind, namespace, name: controller.name, object: controller,
        template: (valueAt(controller.value, templatePath) as Raw | undefined) ?? {}, templatePath, replicas: replicaCount(controller),
      });
    }
    // A controller an operator makes that the manifests hold too (a cluster dump) is read from them.
    for (const source of operated) if (!controllerIds.has(`${source.namespace}/${source.name}[${source.kind}]`)) sources.push(source);
    const workloads: Workload[] = [];
    for (const source of sources) {
      const id = `${source.namespace}/${source.name}[${source.kind}]`;
      const concretePods = podsByOwner.get(id);
      podsByOwner.delete(id);
      workloads.push(this.controllerWorkload(id, source, concretePods?.pods, mentions));
    }
    for (const [id, group] of podsByOwner) {
      const namespace = this.namespaceOf(group.pods[0]);
      workloads.push(this.workloadOfPods(id, group.kind, namespace, group.name, group.pods, group.pods[0], group.pods.length));
    }
    return workloads.sort((a, b) => compareText(a.id, b.id));
  }

  /**
   * The pods of one controller: the concrete Pods of the manifests when there are some (a cluster
   * dump), else its template with the labels the controller adds. A StatefulSet's pods are told
   * apart by ordinal (`<name>-<i>`, with their pod-name and pod-index labels) when some selector
   * names those labels or some of its Pods are given (each given Pod takes its ordinal's place);
   * an Indexed Job's likewise by completion index. Otherwise one pod stands for every replica.
   */
  private controllerWorkload(id: string, source: ControllerSource, concrete: readonly ManifestObject[] | undefined, mentions: PodLabelMentions): Workload {
    const { kind, namespace, name, object, template, templatePath, replicas } = source;
    const workload = (pods: Pod[]): Workload => ({
      id, kind, namespace, name, replicas, pods, source: object, ...(source.madeBy ? { madeBy: source.madeBy } : {}),
    });
    const spec: Raw = source.madeBy ? {} : ((object.value.spec as Raw) ?? {});
    const labels = { ...stringMap(template.metadata?.labels), ...controllerLabels(kind, name, spec) };
    const templatePod = (key: string, podName: string, extraLabels: Labels = {}, ordinal?: number) =>
      this.buildPod(key, namespace, podName, id, template, object, templatePath, { labels: { ...labels, ...extraLabels }, ...(ordinal !== undefined ? { ordinal } : {}) });
    if (kind === 'StatefulSet' && (concrete || mentions.has(STATEFULSET_POD_NAME) || mentions.has(POD_INDEX) || this.addressesOrdinalOf(namespace, name))) {
      const pods = this.ordinalPods(id, source, concrete ?? [], (key, ordinal) => templatePod(key, `${name}-${ordinal}`, ordinalLabels(`${name}-${ordinal}`, ordinal), ordinal));
      if (pods.length > 0) return workload(pods);
    } else if (concrete) {
      return this.workloadOfPods(id, kind, namespace, name, concrete, object, replicas);
    }
    const indexes = kind === 'Job' || kind === 'CronJob' ? completionIndexes(kind === 'Job' ? spec : spec.jobTemplate?.spec ?? {}) : 0;
    if (indexes > 0 && mentions.has(JOB_COMPLETION_INDEX)) {
      return workload(Array.from({ length: indexes }, (_, index) => templatePod(`${id}#${index}`, `${name}-${index}`, { [JOB_COMPLETION_INDEX]: String(index) }, index)));
    }
    return workload([templatePod(`${id}#0`, name)]);
  }

  /**
   * The pods Calico's exported WorkloadEndpoints stand for when the input lacks the Pod
   * (`spec.pod` in the endpoint's namespace): one workload `namespace/<pod>[Pod]` each (NCA's
   * name for them), with the endpoint's own labels (less Calico's `projectcalico.org/*`, which
   * the Calico view adds back), its service account, node, first address and named ports.
   */
  private workloadEndpointWorkloads(endpoints: readonly CalicoWorkloadEndpoint[], workloads: readonly Workload[]): Workload[] {
    if (endpoints.length === 0) return [];
    const known = new Set(workloads.flatMap((workload) => workload.pods.map((pod) => `${pod.namespace}/${pod.name}`)));
    const made: Workload[] = [];
    for (const endpoint of endpoints) {
      if (endpoint.pod === undefined || known.has(`${endpoint.namespace}/${endpoint.pod}`)) continue;
      known.add(`${endpoint.namespace}/${endpoint.pod}`);
      const labels = Object.fromEntries(Object.entries(endpoint.labels).filter(([key]) => !key.startsWith('projectcalico.org/')));
      const address = endpoint.ipNetworks[0]?.cidr;
      const template = {
        metadata: { labels },
        spec: {
          ...(endpoint.serviceAccountName ? { serviceAccountName: endpoint.serviceAccountName } : {}),
          ...(endpoint.node ? { nodeName: endpoint.node } : {}),
          containers: [{
            ports: endpoint.ports.filter((port) => ['TCP', 'UDP', 'SCTP'].includes(port.protocol.text))
              .map((port) => ({ name: port.name, containerPort: port.port, protocol: port.protocol.text })),
          }],
        },
        ...(address ? { status: { podIP: address.text.replace(/\/\d+$/, '') } } : {}),
      };
      const id = `${endpoint.namespace}/${endpoint.pod}[Pod]`;
      made.push({
        id, kind: 'Pod', namespace: endpoint.namespace, name: endpoint.pod, replicas: 1, source: endpoint.source,
        pods: [this.buildPod(`${id}#0`, endpoint.namespace, endpoint.pod, id, template, endpoint.source, [])],
      });
    }
    return made;
  }

  /** Whether `podIPs` gives the address of some ordinal of StatefulSet `namespace/name`. */
  private addressesOrdinalOf(namespace: string, name: string): boolean {
    for (const key of this.options.podIPs?.keys() ?? []) {
      if (key.startsWith(`${namespace}/`) && ordinalOf(key.slice(namespace.length + 1), name) !== undefined) return true;
    }
    return false;
  }

  /**
   * A StatefulSet's pods by ordinal, from `spec.ordinals.start` (0 by default) for `replicas`
   * ordinals: a given Pod named `<name>-<i>` takes ordinal i's place (with its own labels, ports and
   * podIP), the others come from the template. Given Pods beyond the replicas (scaled down, still
   * running in a dump) and Pods of other names are kept as they are.
   */
  private ordinalPods(id: string, source: ControllerSource, concrete: readonly ManifestObject[], fromTemplate: (key: string, ordinal: number) => Pod): Pod[] {
    const byOrdinal = new Map<number, ManifestObject>();
    const others: ManifestObject[] = [];
    for (const pod of concrete) {
      const ordinal = ordinalOf(pod.name, source.name);
      if (ordinal !== undefined && !byOrdinal.has(ordinal)) byOrdinal.set(ordinal, pod);
      else others.push(pod);
    }
    const start = source.madeBy ? 0 : wholeCount((source.object.value.spec as Raw | undefined)?.ordinals?.start) ?? 0;
    const ordinals = new Set<number>();
    for (let ordinal = start; ordinal < start + source.replicas; ordinal++) ordinals.add(ordinal);
    for (const ordinal of byOrdinal.keys()) ordinals.add(ordinal);
    const pods: Pod[] = [];
    for (const ordinal of [...ordinals].sort((a, b) => a - b)) {
      const key = `${id}#${pods.length}`;
      const given = byOrdinal.get(ordinal);
      pods.push(given ? this.buildPod(key, source.namespace, given.name, id, given.value, given, [], { ordinal }) : fromTemplate(key, ordinal));
    }
    for (const pod of others) pods.push(this.buildPod(`${id}#${pods.length}`, source.namespace, pod.name, id, pod.value, pod, []));
    return pods;
  }

  private workloadOfPods(id: string, kind: string, namespace: string, name: string, pods: readonly ManifestObject[], source: ManifestObject, replicas: number): Workload {
    return {
      id,
      kind,
      namespace,
      name,
      replicas,
      pods: pods.map((pod, index) => this.buildPod(`${id}#${index}`, namespace, pod.name, id, pod.value, pod, [])),
      source,
    };
  }

  private buildPod(
    key: string, namespace: string, name: string, workloadId: string, template: Raw, source: ManifestObject, templatePath: FieldPath,
    instance: { readonly labels?: Labels; readonly ordinal?: number } = {},
  ): Pod {
    const spec: Raw = template.spec ?? {};
    const ports: ContainerPort[] = [];
    const containers: Raw[] = [
      ...listOf(spec.containers),
      // Sidecar init containers (restartPolicy: Always) keep running and serve their ports.
      ...listOf(spec.initContainers).filter((container: Raw) => container?.restartPolicy === 'Always'),
    ];
    for (const container of containers) {
      for (const port of listOf(container?.ports)) {
        if (typeof port?.containerPort !== 'number') continue;
        ports.push({
          ...(typeof port.name === 'string' ? { name: port.name } : {}),
          containerPort: port.containerPort,
          protocol: (port.protocol ?? 'TCP') as Protocol,
          ...(typeof port.hostPort === 'number' && port.hostPort > 0 ? { hostPort: port.hostPort } : {}),
        });
      }
    }
    const podIP = template.status?.podIP ?? (instance.ordinal !== undefined || templatePath.length === 0 ? this.options.podIPs?.get(`${namespace}/${name}`) : undefined);
    const nodeName = spec.nodeName;
    const serviceAccountName = typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '' ? spec.serviceAccountName
      : typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '' ? spec.serviceAccount : undefined;
    const statedNode = this.options.podNodes?.get(`${namespace}/${name}`);
    const scheduling = placePod(spec, this.placementNodes, {
      daemonSet: source.kind === 'DaemonSet' && templatePath.length > 0, ...(statedNode !== undefined ? { statedNode } : {}),
    });
    return {
      key,
      namespace,
      name,
      labels: instance.labels ?? stringMap(template.metadata?.labels),
      ports,
      hostNetwork: spec.hostNetwork === true,
      ...(typeof podIP === 'string' && podIP !== '' ? { podIP } : {}),
      ...(typeof nodeName === 'string' && nodeName !== '' ? { nodeName } : {}),
      ...(serviceAccountName !== undefined ? { serviceAccountName } : {}),
      workloadId,
      source,
      templatePath,
      ...(instance.ordinal !== undefined ? { ordinal: instance.ordinal } : {}),
      ...(serviceAccountName !== undefined ? { serviceAccountName } : {}),
      scheduling,
    };
  }

  private buildService(object: ManifestObject): Service {
    const spec: Raw = (object.value.spec as Raw) ?? {};
    const type = (spec.type ?? 'ClusterIP') as Service['type'];
    const ports: ServicePort[] = listOf(spec.ports).flatMap((port: Raw, index: number) => (typeof port?.port !== 'number' ? [] : [{
      ...(typeof port.name === 'string' ? { name: port.name } : {}),
      port: port.port,
      // targetPort defaults to port (ServiceSpec docs).
      targetPort: port.targetPort ?? port.port,
      protocol: (port.protocol ?? 'TCP') as Protocol,
      // nodePort 0 asks the API server to allocate one, as leaving it out does.
      ...(typeof port.nodePort === 'number' && port.nodePort !== 0 ? { nodePort: port.nodePort } : {}),
      path: ['spec', 'ports', index],
    }]));
    const selector = spec.selector && Object.keys(spec.selector).length > 0 ? stringMap(spec.selector) : undefined;
    return {
      namespace: this.namespaceOf(object),
      name: object.name,
      type,
      ...(selector ? { selector } : {}),
      ports,
      ...(typeof spec.clusterIP === 'string' ? { clusterIP: spec.clusterIP } : {}),
      ...(typeof spec.externalName === 'string' ? { externalName: spec.externalName } : {}),
      loadBalancerSourceRanges: listOf(spec.loadBalancerSourceRanges).map(String),
      ...(type === 'NodePort' || type === 'LoadBalancer' ? { externalTrafficPolicy: spec.externalTrafficPolicy === 'Local' ? 'Local' as const : 'Cluster' as const } : {}),
      allocateLoadBalancerNodePorts: spec.allocateLoadBalancerNodePorts !== false,
      source: object,
    };
  }

  private buildIngress(object: ManifestObject): Ingress {
    const spec: Raw = (object.value.spec as Raw) ?? {};
    const backends: IngressBackend[] = [];
    const addBackend = (backend: Raw | undefined, fieldPath: FieldPath, host?: string, path?: string) => {
      if (!backend) return;
      // networking.k8s.io/v1 shape first, then the extensions/v1beta1 one.
      const serviceName = backend.service?.name ?? backend.serviceName;
      const servicePort = backend.service?.port?.number ?? backend.service?.port?.name ?? backend.servicePort;
      if (typeof serviceName !== 'string') return;
      backends.push({
        ...(host !== undefined ? { host } : {}),
        ...(path !== undefined ? { path } : {}),
        serviceName,
        ...(servicePort !== undefined ? { servicePort } : {}),
        fieldPath,
      });
    };
    addBackend(spec.defaultBackend ?? spec.backend, ['spec', spec.defaultBackend ? 'defaultBackend' : 'backend']);
    listOf(spec.rules).forEach((rule: Raw, ruleIndex: number) => {
      listOf(rule?.http?.paths).forEach((path: Raw, pathIndex: number) => {
        addBackend(path?.backend, ['spec', 'rules', ruleIndex, 'http', 'paths', pathIndex, 'backend'], rule?.host, path?.path);
      });
    });
    return {
      kind: 'Ingress',
      namespace: this.namespaceOf(object),
      name: object.name,
      ...(typeof spec.ingressClassName === 'string' ? { className: spec.ingressClassName } : {}),
      backends,
      tls: listOf(spec.tls).map((tls: Raw) => ({ hosts: listOf(tls?.hosts).filter((host) => typeof host === 'string') as string[], ...(tls?.secretName ? { secretName: tls.secretName } : {}) })),
      source: object,
    };
  }

  /** An OpenShift Route: `spec.to` and `spec.alternateBackends` name Services, `spec.port.targetPort` a port. */
  private buildRoute(object: ManifestObject): Ingress {
    const spec: Raw = (object.value.spec as Raw) ?? {};
    const targetPort = spec.port?.targetPort;
    const targets: { to: Raw; path: FieldPath }[] = [
      { to: spec.to, path: ['spec', 'to'] },
      ...listOf(spec.alternateBackends).map((to: Raw, index: number) => ({ to, path: ['spec', 'alternateBackends', index] })),
    ];
    const backends: IngressBackend[] = targets
      .filter(({ to }) => to && (to.kind ?? 'Service') === 'Service' && typeof to.name === 'string')
      .map(({ to, path }) => ({
        ...(typeof spec.host === 'string' ? { host: spec.host } : {}),
        ...(typeof spec.path === 'string' ? { path: spec.path } : {}),
        serviceName: to.name,
        ...(targetPort !== undefined ? { servicePort: targetPort } : {}),
        fieldPath: path,
      }));
    return {
      kind: 'Route',
      namespace: this.namespaceOf(object),
      name: object.name,
      backends,
      tls: spec.tls ? [{ hosts: typeof spec.host === 'string' ? [spec.host] : [] }] : [],
      source: object,
    };
  }

  private buildPolicy(object: ManifestObject): NetworkPolicy | undefined {
    const spec: Raw = (object.value.spec as Raw) ?? {};
    const problems: { path: FieldPath; message: string; rule: InputRule }[] = [];
    const selector = (raw: unknown, path: FieldPath): LabelSelector | undefined => {
      const parsed = parseLabelSelector(raw);
      for (const problem of parsed.problems) {
        problems.push({ path: [...path, ...problem.path], message: `${formatPath(path)}: ${problem.message}`, rule: INPUT_RULES.invalidSelector });
      }
      return parsed.selector;
    };
    const invalid: Invalid = (path, message, rule = INPUT_RULES.invalidValue) => problems.push({ path, message, rule });
    const podSelector = selector(spec.podSelector ?? {}, ['spec', 'podSelector']);
    const rules = (direction: 'ingress' | 'egress'): PolicyRule[] => {
      const peerKey = direction === 'ingress' ? 'from' : 'to';
      return listOf(spec[direction]).map((rule: Raw, ruleIndex: number): PolicyRule => {
        const rulePath: FieldPath = ['spec', direction, ruleIndex];
        const rawPeers: Raw[] = listOf(rule?.[peerKey]);
        const peers = rawPeers.map((peer, peerIndex) => this.buildPeer(peer ?? {}, [...rulePath, peerKey, peerIndex], selector, invalid));
        const ports = listOf(rule?.ports).map((port: Raw, portIndex: number) => buildPolicyPort(port ?? {}, [...rulePath, 'ports', portIndex], invalid));
        return {
          // `from`/`to` missing or empty: the rule matches every peer (NetworkPolicyIngressRule docs).
          ...(peers.length > 0 ? { peers } : {}),
          ports,
          path: rulePath,
        };
      });
    };
    const ingress = rules('ingress');
    const egress = rules('egress');
    for (const problem of problems) {
      this.report(problem.rule, object, problem.path,
        `NetworkPolicy ${this.namespaceOf(object)}/${object.name}: ${problem.message}; the API server rejects this policy, so k8snet leaves it out.`);
    }
    if (problems.length > 0 || !podSelector) return undefined;
    const stated: unknown[] | undefined = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0 ? spec.policyTypes : undefined;
    // Defaulting (SetDefaults_NetworkPolicy): without policyTypes a policy is of type Ingress,
    // plus Egress when it has at least one egress rule.
    const affectsIngress = stated ? stated.includes('Ingress') : true;
    const affectsEgress = stated ? stated.includes('Egress') : egress.length > 0;
    return {
      namespace: this.namespaceOf(object),
      name: object.name,
      podSelector,
      affectsIngress,
      affectsEgress,
      policyTypesStated: stated !== undefined,
      ingress,
      egress,
      source: object,
    };
  }

  /** Reads an AdminNetworkPolicy or BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1). */
  private buildAdminPolicy(object: ManifestObject): AdminNetworkPolicy | undefined {
    const spec: Raw = (object.value.spec as Raw) ?? {};
    const kind = object.kind as AdminNetworkPolicy['kind'];
    const problems: { path: FieldPath; message: string }[] = [];
    const selector = (raw: unknown, path: FieldPath): LabelSelector | undefined => {
      const parsed = parseLabelSelector(raw ?? {});
      for (const problem of parsed.problems) problems.push({ path: [...path, ...problem.path], message: `${formatPath(path)}: ${problem.message}` });
      return parsed.selector;
    };
    // An optional field written as null is absent, as the API server reads it.
    const subject = spec.subject ?? {};
    let subjectSelectors: AdminNetworkPolicy['subject'] | undefined;
    if (subject.namespaces != null) {
      const namespaceSelector = selector(subject.namespaces, ['spec', 'subject', 'namespaces']);
      if (namespaceSelector) subjectSelectors = { namespaceSelector };
    } else if (subject.pods != null) {
      const namespaceSelector = selector(subject.pods.namespaceSelector, ['spec', 'subject', 'pods', 'namespaceSelector']);
      const podSelector = selector(subject.pods.podSelector, ['spec', 'subject', 'pods', 'podSelector']);
      if (namespaceSelector && podSelector) subjectSelectors = { namespaceSelector, podSelector };
    } else {
      problems.push({ path: ['spec', 'subject'], message: 'spec.subject needs namespaces or pods' });
    }
    const priority = kind === 'AdminNetworkPolicy' ? spec.priority : Number.POSITIVE_INFINITY;
    if (kind === 'AdminNetworkPolicy' && (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 1000)) {
      problems.push({ path: ['spec', 'priority'], message: `priority must be a whole number from 0 to 1000, not ${JSON.stringify(spec.priority)}` });
    }
    // The API accepts one BaselineAdminNetworkPolicy, named default.
    if (kind === 'BaselineAdminNetworkPolicy' && object.name !== 'default') {
      problems.push({ path: ['metadata', 'name'], message: `a BaselineAdminNetworkPolicy must be named default, not ${JSON.stringify(object.name)}` });
    }
    const rules = (direction: 'ingress' | 'egress'): AdminRule[] => listOf(spec[direction]).map((rule: Raw, ruleIndex: number): AdminRule => {
      const rulePath: FieldPath = ['spec', direction, ruleIndex];
      const action = rule?.action as AdminAction;
      const allowed: readonly string[] = kind === 'AdminNetworkPolicy' ? ['Allow', 'Deny', 'Pass'] : ['Allow', 'Deny'];
      if (!allowed.includes(action)) problems.push({ path: [...rulePath, 'action'], message: `action must be one of ${allowed.join(', ')}, not ${JSON.stringify(rule?.action)}` });
      const peerKey = direction === 'ingress' ? 'from' : 'to';
      const peers: AdminPeer[] = listOf(rule?.[peerKey]).map((peer: Raw, peerIndex: number): AdminPeer => {
        const path: FieldPath = [...rulePath, peerKey, peerIndex];
        if (peer?.namespaces != null) return { namespaceSelector: selector(peer.namespaces, [...path, 'namespaces']), path };
        if (peer?.pods != null) {
          return {
            namespaceSelector: selector(peer.pods?.namespaceSelector, [...path, 'pods', 'namespaceSelector']),
            podSelector: selector(peer.pods?.podSelector, [...path, 'pods', 'podSelector']),
            path,
          };
        }
        if (Array.isArray(peer?.networks)) {
          const networks = (peer.networks as unknown[]).flatMap((text, index) => {
            const cidr = parseCidr(String(text));
            if ('error' in cidr) {
              problems.push({ path: [...path, 'networks', index], message: cidr.error });
              return [];
            }
            return [{ family: cidr.family, ranges: [cidr.range] }];
          });
          return { networks, path };
        }
        if (peer?.nodes != null) {
          const nodes = selector(peer.nodes, [...path, 'nodes']);
          return nodes ? { nodes, path } : { path };
        }
        problems.push({ path, message: `${formatPath(path)} needs namespaces, pods, networks or nodes` });
        return { path };
      });
      const ports: AdminPort[] | undefined = rule?.ports == null ? undefined : listOf(rule.ports).flatMap((port): AdminPort[] => {
        if (port?.portNumber) return [{ protocol: (port.portNumber.protocol ?? 'TCP') as Protocol, from: port.portNumber.port, to: port.portNumber.port }];
        if (port?.portRange) {
          if (!(port.portRange.start < port.portRange.end)) problems.push({ path: [...rulePath, 'ports'], message: `portRange end ${port.portRange.end} must be greater than start ${port.portRange.start}` });
          return [{ protocol: (port.portRange.protocol ?? 'TCP') as Protocol, from: port.portRange.start, to: port.portRange.end }];
        }
        if (typeof port?.namedPort === 'string') return [{ namedPort: port.namedPort }];
        return [];
      });
      return { name: String(rule?.name ?? `${direction}[${ruleIndex}]`), action, peers, ...(ports ? { ports } : {}), path: rulePath };
    });
    const ingress = rules('ingress');
    const egress = rules('egress');
    for (const problem of problems) {
      this.report(INPUT_RULES.invalidValue, object, problem.path,
        `${kind} ${object.name}: ${problem.message}; the API server rejects this policy, so k8snet leaves it out.`);
    }
    if (problems.length > 0 || !subjectSelectors) return undefined;
    return { kind, name: object.name, priority, subject: subjectSelectors, ingress, egress, source: object };
  }

  /** Reads a ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2); one the API server rejects is reported and left out. */
  private buildClusterPolicy(object: ManifestObject): ClusterNetworkPolicy | undefined {
    const { policy, problems } = readClusterNetworkPolicy(object);
    for (const problem of problems) {
      this.report(INPUT_RULES.invalidValue, object, problem.path,
        `ClusterNetworkPolicy ${object.name}: ${problem.message}; the API server rejects this policy, so k8snet leaves it out.`);
    }
    return policy;
  }

  private buildPeer(
    peer: Raw,
    path: FieldPath,
    selector: (raw: unknown, path: FieldPath) => LabelSelector | undefined,
    invalid: Invalid,
  ): PolicyPeer {
    const hasPodSelector = peer.podSelector !== undefined && peer.podSelector !== null;
    const hasNamespaceSelector = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
    const hasIpBlock = peer.ipBlock !== undefined && peer.ipBlock !== null;
    if (!hasPodSelector && !hasNamespaceSelector && !hasIpBlock) {
      invalid(path, `${formatPath(path)} is empty: a peer needs podSelector, namespaceSelector or ipBlock`);
    }
    if (hasIpBlock && (hasPodSelector || hasNamespaceSelector)) {
      invalid(path, `${formatPath(path)} combines ipBlock with a selector, which a peer may not do`);
    }
    return {
      ...(hasPodSelector ? { podSelector: selector(peer.podSelector, [...path, 'podSelector']) } : {}),
      ...(hasNamespaceSelector ? { namespaceSelector: selector(peer.namespaceSelector, [...path, 'namespaceSelector']) } : {}),
      ...(hasIpBlock ? { ipBlock: buildIpBlock(peer.ipBlock, [...path, 'ipBlock'], invalid) } : {}),
      path,
    };
  }
}

/**
 * A field read as a list only when it is one (absent or of another type: none). Kinds other than
 * NetworkPolicy are kept and read defensively when their schema check fails, and some fields are
 * read without a schema (Routes, admin policies): a wrongly typed field must not stop the run.
 */
function listOf(value: unknown): Raw[] {
  return Array.isArray(value) ? value : [];
}

function buildIpBlock(raw: Raw, path: FieldPath, invalid: Invalid): IpBlock {
  const cidr = parseCidr(String(raw.cidr ?? ''));
  const except: string[] = listOf(raw.except).map(String);
  if ('error' in cidr) {
    invalid([...path, 'cidr'], cidr.error, INPUT_RULES.invalidCidr);
    return { cidr: String(raw.cidr), except, ranges: { family: 4, ranges: [] } };
  }
  const holes: Cidr[] = [];
  except.forEach((text, index) => {
    const hole = parseCidr(text);
    if ('error' in hole) invalid([...path, 'except', index], hole.error, INPUT_RULES.invalidCidr);
    else if (hole.family !== cidr.family || hole.range.first < cidr.range.first || hole.range.last > cidr.range.last
      || (hole.range.first === cidr.range.first && hole.range.last === cidr.range.last)) {
      // ValidateIPBlock: each except must be a strict subset of cidr.
      invalid([...path, 'except', index], `except ${text} is not strictly inside cidr ${cidr.text}`, INPUT_RULES.exceptOutsideCidr);
    } else holes.push(hole);
  });
  return {
    cidr: cidr.text,
    except,
    ranges: { family: cidr.family, ranges: subtractRanges(cidr.range, holes.map((hole) => hole.range)) },
  };
}

function buildPolicyPort(raw: Raw, path: FieldPath, invalid: Invalid): PolicyPort {
  const protocol = (raw.protocol ?? 'TCP') as Protocol;
  const port = raw.port as number | string | undefined;
  const endPort = raw.endPort as number | undefined;
  if (endPort !== undefined) {
    if (port === undefined) invalid([...path, 'endPort'], 'endPort is set without port', INPUT_RULES.invalidPortRange);
    else if (typeof port === 'string') invalid([...path, 'endPort'], `endPort cannot be used with the named port '${port}'`, INPUT_RULES.invalidPortRange);
    else if (endPort < port) invalid([...path, 'endPort'], `endPort ${endPort} is below port ${port}`, INPUT_RULES.invalidPortRange);
  }
  return {
    protocol,
    ...(port !== undefined ? { port } : {}),
    ...(endPort !== undefined ? { endPort } : {}),
    path,
  };
}

function stringMap(value: unknown): Labels {
  // A wrongly typed field (a list where a mapping belongs) was reported by the schema check.
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) result[key] = String(entry);
  return result;
}


/** A count as the API server accepts it: a whole number, not negative; otherwise undefined. */
function wholeCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function replicaCount(object: ManifestObject): number {
  const spec = (object.value.spec ?? {}) as Raw;
  if (object.kind === 'DaemonSet') return 1;
  // A Job runs at most `parallelism` pods at once, and never more than the completions still to do.
  if (object.kind === 'Job') return jobPods(spec);
  if (object.kind === 'CronJob') return jobPods(spec.jobTemplate?.spec ?? {});
  return wholeCount(spec.replicas) ?? 1;
}

function controllerOwner(object: ManifestObject): { kind: string; name: string } | undefined {
  const owners = (object.value.metadata as Raw)?.ownerReferences;
  if (!Array.isArray(owners)) return undefined;
  const owner = owners.find((reference: Raw) => reference?.controller === true);
  return owner && typeof owner.name === 'string' ? { kind: owner.kind, name: owner.name } : undefined;
}

/**
 * The workload a concrete Pod belongs to, named as np-guard names it: its controller owner's
 * name and kind; the pod itself when it has none or is a static pod (owner kind Node); and
 * `[Pod]` for an owner reference that gives no kind.
 */
function workloadOwner(pod: ManifestObject): { kind: string; name: string } {
  const owner = controllerOwner(pod);
  if (!owner || owner.kind === 'Node') return { kind: 'Pod', name: pod.name };
  return { kind: typeof owner.kind === 'string' && owner.kind !== '' ? owner.kind : 'Pod', name: owner.name };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function jobPods(spec: Raw): number {
  const parallelism = wholeCount(spec.parallelism) ?? 1;
  const completions = wholeCount(spec.completions);
  return completions === undefined ? parallelism : Math.min(parallelism, completions);
}

/**
 * The ordinal of a StatefulSet's Pod from its name, `<statefulset>-<ordinal>` (the StatefulSet
 * controller names its pods so); undefined for another name.
 */
function ordinalOf(podName: string, statefulSetName: string): number | undefined {
  if (!podName.startsWith(`${statefulSetName}-`)) return undefined;
  const text = podName.slice(statefulSetName.length + 1);
  return /^(0|[1-9]\d{0,8})$/.test(text) ? Number(text) : undefined;
}

/** The completion indexes of an Indexed Job (`completions` of them); 0 for a Job of another completion mode. */
function completionIndexes(spec: Raw): number {
  return spec.completionMode === 'Indexed' ? wholeCount(spec.completions) ?? 0 : 0;
}

/** The workload selectors of Istio's objects (matchLabels), which may name a pod by its ordinal label. */
function istioWorkloadSelectors(istio: IstioObjects): (Labels | undefined)[] {
  return [
    ...istio.authorizationPolicies.map((policy) => policy.selector),
    ...istio.peerAuthentications.map((policy) => policy.selector),
    ...istio.requestAuthentications.map((policy) => policy.selector),
    ...istio.sidecars.map((sidecar) => sidecar.workloadSelector),
  ];
}

/** Every pod selector of Calico's enforced policies and profiles: subjects, and rules' sources and destinations. */
function calicoSelectors(calico: CalicoObjects): (CalicoSelector | undefined)[] {
  const ofRules = (rules: readonly CalicoRule[]) => rules.flatMap((rule) => [rule.source, rule.destination].flatMap((entity) => [entity.selector, entity.notSelector]));
  return [
    ...calico.policies.flatMap((policy) => [policy.selector, ...ofRules(policy.ingress), ...ofRules(policy.egress)]),
    ...calico.profiles.flatMap((profile) => [...ofRules(profile.ingress), ...ofRules(profile.egress)]),
  ];
}
