import { valueAt } from '../load/path.js';
import type { ResourceGraph } from './graph.js';
import type { Labels } from './label-selector.js';
import type { IstioSettings } from './istio-settings.js';
import type { Pod } from './types.js';

/** Namespace label that turns sidecar injection on (`enabled`) or off (`disabled`). */
export const INJECTION_LABEL = 'istio-injection';
/** Namespace or pod label naming the control-plane revision that injects (`istio.io/rev=canary`). */
export const REVISION_LABEL = 'istio.io/rev';
/** Pod label (and deprecated annotation) that turns injection on (`"true"`) or off (`"false"`) for one pod. */
export const SIDECAR_INJECT = 'sidecar.istio.io/inject';
/** Annotation the injector writes on an injected pod. */
export const SIDECAR_STATUS_ANNOTATION = 'sidecar.istio.io/status';
/** Namespace or pod label enrolling pods in ambient mode (`ambient`), or opting a pod out (`none`). */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** Namespace, Service or pod label naming the waypoint that handles its traffic (`none`: no waypoint). */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** Annotation selecting the injection templates: `gateway` makes the pod an Istio gateway, not a sidecar. */
export const INJECT_TEMPLATES_ANNOTATION = 'inject.istio.io/templates';
/** Label istiod puts on the proxies it deploys for Gateway API Gateways and waypoints. */
export const GATEWAY_MANAGED_LABEL = 'gateway.istio.io/managed';

/**
 * Namespaces the injector never injects into (pkg/kube/inject `IgnoredNamespaces`), whatever
 * their labels.
 */
export const INJECTION_IGNORED_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/**
 * How a pod takes part in the mesh:
 * - `sidecar`: an injected Envoy sidecar handles its traffic (mTLS with its identity, policies enforced);
 * - `ambient`: the node's ztunnel handles it (mTLS over HBONE, L4 policies; L7 at a waypoint);
 * - `gateway`: the pod is itself an Istio proxy (an ingress or egress gateway, a waypoint):
 *   it has an identity and enforces the policies that select it;
 * - `none`: outside the mesh: plaintext, no identity, no Istio policy enforced on it.
 */
export type MeshDataPlane = 'sidecar' | 'ambient' | 'gateway' | 'none';

/** A pod's place in the mesh, and why. */
export interface MeshMembership {
  readonly dataPlane: MeshDataPlane;
  /** In the user's words: `namespace bookinfo has istio-injection=enabled`. */
  readonly reason: string;
  /** The revision that injects it (`istio.io/rev`), when one is named. */
  readonly revision?: string;
  /** The waypoint `istio.io/use-waypoint` names for it (ambient), when one is named. */
  readonly waypoint?: string;
  /** The pod's service account (`default` when the pod names none). */
  readonly serviceAccount: string;
  /** Its SPIFFE identity `<trust domain>/ns/<namespace>/sa/<service account>`, for pods in the mesh. */
  readonly principal?: string;
}

/** What decides sidecar injection for one pod: its namespace's labels and its own labels and annotations. */
export interface InjectionInput {
  readonly namespace: string;
  readonly namespaceLabels: Labels;
  readonly podLabels: Labels;
  readonly podAnnotations: Labels;
  readonly hostNetwork: boolean;
  /** `values.sidecarInjectorWebhook.enableNamespacesByDefault`. */
  readonly enableNamespacesByDefault: boolean;
}

/** Whether the injector adds a sidecar, with the reason and the injecting revision. */
export interface InjectionDecision {
  readonly injected: boolean;
  readonly reason: string;
  readonly revision?: string;
}

/**
 * Decides whether Istio's injector adds a sidecar to a pod created from this template, as the
 * injection webhooks select pods (manifests/charts/istio-control/istio-discovery mutatingwebhook)
 * and as the injector then decides (pkg/kube/inject injectRequired), following the table of
 * istio.io's "Installing the Sidecar" (Controlling the injection policy):
 *
 * | namespace | pod `sidecar.istio.io/inject` | result |
 * |---|---|---|
 * | `istio-injection=disabled` | any | not injected (no webhook selects the namespace) |
 * | `istio-injection=enabled` (it wins over `istio.io/rev`) | `"false"` | not injected |
 * | `istio-injection=enabled` | other or absent | injected (default revision) |
 * | `istio.io/rev=R` | `"false"` | not injected |
 * | `istio.io/rev=R` | other or absent | injected by revision R |
 * | no label | pod label `istio.io/rev=R` (not `"false"`) | injected by revision R |
 * | no label | pod label exactly `"true"` | injected (default revision) |
 * | no label | absent | not injected, unless enableNamespacesByDefault |
 *
 * The pod's label wins over its deprecated annotation of the same name; the annotation alone
 * never makes a webhook call the injector, it only turns injection off where a namespace label
 * turned it on. `istio-injection` with any value other than `enabled` and `disabled` selects no
 * webhook. Host-networked pods and pods of kube-system, kube-public, kube-node-lease and
 * local-path-storage are never injected.
 */
export function decideInjection(input: InjectionInput): InjectionDecision {
  if (input.hostNetwork) return { injected: false, reason: 'it uses the host network, which Istio never injects' };
  if (INJECTION_IGNORED_NAMESPACES.has(input.namespace)) return { injected: false, reason: `Istio never injects pods of ${input.namespace}` };
  const namespaceInjection = input.namespaceLabels[INJECTION_LABEL];
  const namespaceRevision = input.namespaceLabels[REVISION_LABEL];
  const podLabel = input.podLabels[SIDECAR_INJECT];
  const podAnnotation = input.podAnnotations[SIDECAR_INJECT];
  const podRevision = input.podLabels[REVISION_LABEL];
  // The label is the current API; if both are written the label wins (injectRequired).
  const podSetting = readInjectSetting(podLabel ?? podAnnotation);
  const podSource = podLabel !== undefined ? `its label ${SIDECAR_INJECT}="${podLabel}"` : `its annotation ${SIDECAR_INJECT}="${podAnnotation}"`;
  // The webhooks' object selectors read the label only: `sidecar.istio.io/inject NotIn [false]`.
  const labelRefuses = readInjectSetting(podLabel) === false;
  if (namespaceInjection !== undefined) {
    if (namespaceInjection === 'disabled') return { injected: false, reason: `namespace ${input.namespace} has ${INJECTION_LABEL}=disabled` };
    if (namespaceInjection !== 'enabled') {
      return { injected: false, reason: `namespace ${input.namespace} has ${INJECTION_LABEL}=${namespaceInjection}, which no injection webhook selects (only enabled or disabled mean anything)` };
    }
    if (labelRefuses || podSetting === false) return { injected: false, reason: `${podSource} turns off the injection namespace ${input.namespace} asks for` };
    return { injected: true, reason: `namespace ${input.namespace} has ${INJECTION_LABEL}=enabled` };
  }
  if (namespaceRevision !== undefined) {
    if (labelRefuses || podSetting === false) return { injected: false, reason: `${podSource} turns off the injection namespace ${input.namespace} asks for` };
    return { injected: true, reason: `namespace ${input.namespace} has ${REVISION_LABEL}=${namespaceRevision}`, revision: namespaceRevision };
  }
  // No namespace label: the object-selecting webhooks decide, by the pod's labels alone.
  if (podRevision !== undefined && !labelRefuses) {
    if (podSetting === false) return { injected: false, reason: `${podSource} turns off the injection its label ${REVISION_LABEL}=${podRevision} asks for` };
    return { injected: true, reason: `its label ${REVISION_LABEL}=${podRevision}`, revision: podRevision };
  }
  // The default revision's object webhook selects `sidecar.istio.io/inject In [true]`: exactly "true".
  if (podLabel === 'true') return { injected: true, reason: `its label ${SIDECAR_INJECT}="true"` };
  if (input.enableNamespacesByDefault) {
    if (labelRefuses || podSetting === false) return { injected: false, reason: `${podSource} turns off injection` };
    return { injected: true, reason: `namespace ${input.namespace} has no injection label and the mesh injects such namespaces (enableNamespacesByDefault)` };
  }
  if (podAnnotation !== undefined && readInjectSetting(podAnnotation) === true) {
    return { injected: false, reason: `only its annotation ${SIDECAR_INJECT} asks for injection, and the injection webhooks select pods by label` };
  }
  return { injected: false, reason: `namespace ${input.namespace} has no ${INJECTION_LABEL} or ${REVISION_LABEL} label` };
}

/** `true`, `false`, or undefined (absent, or a value the injector does not read as either). */
function readInjectSetting(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  // Older injectors accepted YAML 1.1 booleans; current ones "true" and "false" only.
  if (lower === 'true' || lower === 'y' || lower === 'yes' || lower === 'on') return true;
  if (lower === 'false' || lower === 'n' || lower === 'no' || lower === 'off') return false;
  return undefined;
}

/** What a pod's template says about itself that decides its place in the mesh. */
export interface PodMeshFacts {
  readonly namespace: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly hostNetwork: boolean;
  readonly serviceAccount?: string;
  readonly containers: readonly { readonly name: string; readonly image?: string }[];
}

/**
 * Decides a pod's place in the mesh (pure): an Istio proxy of its own (gateway, waypoint), a
 * sidecar (already injected, as in a cluster dump, or to be injected by {@link decideInjection},
 * or assumed by `istio.assumeSidecars`), ambient (`istio.io/dataplane-mode=ambient` on the pod or
 * its namespace, unless the pod says `none` or gets a sidecar, which takes precedence), or none.
 */
export function decideMembership(pod: PodMeshFacts, namespaceLabels: Labels, settings: IstioSettings): MeshMembership {
  const serviceAccount = pod.serviceAccount && pod.serviceAccount !== '' ? pod.serviceAccount : 'default';
  const principal = `${settings.trustDomain}/ns/${pod.namespace}/sa/${serviceAccount}`;
  const member = (dataPlane: Exclude<MeshDataPlane, 'none'>, reason: string, extra: Partial<MeshMembership> = {}): MeshMembership => ({
    dataPlane, reason, serviceAccount, principal, ...extra,
  });
  const gateway = istioProxyEvidence(pod);
  if (gateway) return member('gateway', gateway);
  if (pod.hostNetwork) return { dataPlane: 'none', reason: 'it uses the host network, which Istio never captures', serviceAccount };
  if (pod.annotations[SIDECAR_STATUS_ANNOTATION] !== undefined || pod.containers.some((container) => container.name === 'istio-proxy')) {
    return member('sidecar', 'it already runs the istio-proxy sidecar');
  }
  if (settings.assumeSidecars) return member('sidecar', 'istio.assumeSidecars in .k8snet.yaml takes every pod as injected');
  const injection = decideInjection({
    namespace: pod.namespace,
    namespaceLabels,
    podLabels: pod.labels,
    podAnnotations: pod.annotations,
    hostNetwork: pod.hostNetwork,
    enableNamespacesByDefault: settings.enableNamespacesByDefault,
  });
  if (injection.injected) return member('sidecar', injection.reason, injection.revision ? { revision: injection.revision } : {});
  const podMode = pod.labels[DATAPLANE_MODE_LABEL];
  const namespaceMode = namespaceLabels[DATAPLANE_MODE_LABEL];
  if (podMode !== 'none' && (podMode === 'ambient' || namespaceMode === 'ambient')) {
    const waypoint = pod.labels[USE_WAYPOINT_LABEL] ?? namespaceLabels[USE_WAYPOINT_LABEL];
    return member('ambient', podMode === 'ambient' ? `its label ${DATAPLANE_MODE_LABEL}=ambient` : `namespace ${pod.namespace} has ${DATAPLANE_MODE_LABEL}=ambient`,
      waypoint && waypoint !== 'none' ? { waypoint } : {});
  }
  if (podMode === 'none' && namespaceMode === 'ambient') {
    return { dataPlane: 'none', reason: `its label ${DATAPLANE_MODE_LABEL}=none opts it out of the ambient namespace ${pod.namespace}`, serviceAccount };
  }
  return { dataPlane: 'none', reason: injection.reason, serviceAccount };
}

/**
 * Why a pod is an Istio proxy of its own, or undefined: the gateway injection template
 * (`inject.istio.io/templates: gateway`, the Helm gateway chart), the label istiod puts on the
 * gateways and waypoints it deploys, or the proxy as the pod's only container (the proxyv2 image
 * of the classic istio-ingressgateway Deployment, or `istio-proxy` with `image: auto`), where an
 * injected pod runs it beside its application.
 */
function istioProxyEvidence(pod: PodMeshFacts): string | undefined {
  const templates = pod.annotations[INJECT_TEMPLATES_ANNOTATION];
  if (templates !== undefined && templates.split(',').some((template) => ['gateway', 'waypoint'].includes(template.trim()))) {
    return `its annotation ${INJECT_TEMPLATES_ANNOTATION}=${templates} makes it an Istio gateway proxy`;
  }
  const managed = pod.labels[GATEWAY_MANAGED_LABEL];
  if (managed !== undefined) return `istiod deploys it as a ${managed.includes('mesh') ? 'waypoint' : 'gateway'} (label ${GATEWAY_MANAGED_LABEL}=${managed})`;
  // `image: auto` is filled in by the injector with the proxy image (the Helm gateway chart's way).
  const proxy = pod.containers.find((container) => container.image !== undefined && (/(^|\/)proxyv2(:|@|$)/.test(container.image) || (container.image === 'auto' && container.name === 'istio-proxy')));
  if (proxy && pod.annotations[SIDECAR_STATUS_ANNOTATION] === undefined && pod.containers.length === 1) {
    return `it runs Istio's proxy (${proxy.image === 'auto' ? 'image: auto' : proxy.image}) as its only container`;
  }
  return undefined;
}

/** The mesh facts of a graph pod, read from its template (labels as the graph computed them). */
export function podMeshFacts(pod: Pod): PodMeshFacts {
  // Pods k8snet adds itself (the cluster DNS it assumes) have no manifest: their labels are all there is.
  const value = (pod.source as { value?: unknown } | undefined)?.value;
  const template = (value === undefined ? undefined : pod.templatePath.length === 0 ? value : valueAt(value, pod.templatePath)) as
    { metadata?: { annotations?: unknown }; spec?: { serviceAccountName?: unknown; serviceAccount?: unknown; containers?: unknown } } | undefined;
  const annotations: Record<string, string> = {};
  const rawAnnotations = template?.metadata?.annotations;
  if (rawAnnotations && typeof rawAnnotations === 'object') {
    for (const [key, value] of Object.entries(rawAnnotations)) if (typeof value === 'string') annotations[key] = value;
  }
  const spec = template?.spec ?? {};
  // The graph's own reading first: an operator's pods (a Gateway's) run as the account it gives them, which their object does not state.
  const serviceAccount = pod.serviceAccountName
    ?? (typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : typeof spec.serviceAccount === 'string' ? spec.serviceAccount : undefined);
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).flatMap((container: unknown) => {
    const raw = container as { name?: unknown; image?: unknown } | null;
    return raw && typeof raw.name === 'string' ? [{ name: raw.name, ...(typeof raw.image === 'string' ? { image: raw.image } : {}) }] : [];
  });
  return { namespace: pod.namespace, labels: pod.labels, annotations, hostNetwork: pod.hostNetwork, ...(serviceAccount ? { serviceAccount } : {}), containers };
}

/** The mesh membership of every pod of a graph, computed on first use. */
export class IstioMesh {
  private readonly memberships = new Map<Pod, MeshMembership>();

  constructor(private readonly graph: ResourceGraph) {}

  /** Returns the pod's place in the mesh. */
  membershipOf(pod: Pod): MeshMembership {
    let membership = this.memberships.get(pod);
    if (!membership) {
      membership = decideMembership(podMeshFacts(pod), this.graph.namespace(pod.namespace)?.labels ?? {}, this.graph.istio.settings);
      this.memberships.set(pod, membership);
    }
    return membership;
  }

  /**
   * True when the manifests show what decides the pod's membership: its namespace is declared
   * (a Namespace object, or `.k8snet.yaml` `namespaces:`), the pod itself says (an injection,
   * revision or data-plane label or annotation, a sidecar already injected), or it can never be
   * in the mesh (host network). A namespace only implied by its objects may carry injection
   * labels set elsewhere: membership there is a guess, and rules do not report on it.
   */
  isMembershipKnown(pod: Pod): boolean {
    const membership = this.membershipOf(pod);
    if (membership.dataPlane !== 'none' || pod.hostNetwork || this.graph.istio.settings.assumeSidecars) return true;
    const namespace = this.graph.namespace(pod.namespace);
    if (namespace?.source || namespace?.declaredIn) return true;
    const facts = podMeshFacts(pod);
    return facts.labels[SIDECAR_INJECT] !== undefined || facts.annotations[SIDECAR_INJECT] !== undefined
      || facts.labels[REVISION_LABEL] !== undefined || facts.labels[DATAPLANE_MODE_LABEL] !== undefined;
  }

  /** True when some pod of the graph is in the mesh (a sidecar, ambient or an Istio proxy). */
  get hasMembers(): boolean {
    return this.graph.pods.some((pod) => this.membershipOf(pod).dataPlane !== 'none');
  }
}

const meshes = new WeakMap<ResourceGraph, IstioMesh>();

/** Returns the mesh view of a graph, built once per graph. */
export function istioMesh(graph: ResourceGraph): IstioMesh {
  let mesh = meshes.get(graph);
  if (!mesh) meshes.set(graph, (mesh = new IstioMesh(graph)));
  return mesh;
}
