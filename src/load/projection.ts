import type { Event } from 'js-yaml';
import type { IndexedEvents } from './positions.js';
import { MODELLED_KINDS } from './kinds.js';

/**
 * Which fields of a document to construct. k8snet reads a small part of each manifest; leaving
 * the rest out at the event level (managedFields, status, container env and probes, the bodies
 * of kinds it does not analyse) makes construction cheaper and the retained graph smaller,
 * while positions still come from the full event stream.
 */
type Projection = { readonly [key: string]: Projection | typeof DROP } & { readonly [KEEP_ONLY]?: readonly string[] };

const DROP = 0;
const KEEP_ONLY = Symbol('keep only these keys');

// kubectl's last-applied annotation repeats the whole object as JSON: decoding it is wasted work.
const METADATA: Projection = { managedFields: DROP, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': DROP } };
// Containers and pod specs are kept by list, not dropped by list: a pod spec has dozens of fields
// (probes, env, volumes, security settings) and new ones every release, and k8snet reads these few
// (the ones schemas.ts validates, plus the image that tells which network plugin a DaemonSet runs).
const CONTAINER: Projection = { [KEEP_ONLY]: ['name', 'image', 'ports', 'restartPolicy'] };
const POD_SPEC: Projection = {
  // serviceAccountName (and its deprecated alias): the pod's identity in Cilium, a service mesh and
  // Calico's selectors; affinity: where Cilium's host policies apply.
  [KEEP_ONLY]: ['hostNetwork', 'containers', 'initContainers', 'nodeName', 'nodeSelector', 'hostname', 'subdomain', 'serviceAccountName', 'serviceAccount', 'affinity'],
  containers: { '*': CONTAINER }, initContainers: { '*': CONTAINER },
};
const TEMPLATE: Projection = { metadata: METADATA, spec: POD_SPEC };
const WORKLOAD: Projection = { metadata: METADATA, status: DROP, spec: { template: TEMPLATE } };

const PROJECTIONS: Readonly<Record<string, Projection>> = {
  Pod: {
    metadata: METADATA,
    spec: POD_SPEC,
    status: { conditions: DROP, containerStatuses: DROP, initContainerStatuses: DROP, ephemeralContainerStatuses: DROP },
  },
  Deployment: WORKLOAD,
  ReplicaSet: WORKLOAD,
  StatefulSet: { ...WORKLOAD, spec: { template: TEMPLATE, volumeClaimTemplates: DROP } },
  DaemonSet: WORKLOAD,
  Job: WORKLOAD,
  ReplicationController: WORKLOAD,
  CronJob: { metadata: METADATA, status: DROP, spec: { jobTemplate: { spec: { template: TEMPLATE } } } },
  // A Service's and a Node's status (load balancer and node addresses) are kept, and a Gateway
  // API Gateway's, whose addresses tell whether it is public. The projection does not see the
  // apiVersion: an Istio Gateway is kept whole too, which costs little.
  Service: { metadata: METADATA },
  Gateway: { metadata: METADATA },
  Node: { metadata: METADATA, status: { images: DROP, conditions: DROP, volumesAttached: DROP, volumesInUse: DROP } },
};

/** Kinds k8snet does not model but reads cluster facts from: constructed in full. */
const FACT_KINDS: ReadonlySet<string> = new Set([
  'HorizontalPodAutoscaler', 'IPPool', 'CiliumNode', 'ClusterConfiguration', 'KubeletConfiguration', 'Cluster', 'ServiceCIDR',
  // The Tigera operator's Installation: its spec.calicoNetwork.ipPools are the cluster's pod ranges.
  'Installation',
  // Calico's Felix settings: the failsafe ports open at host endpoints.
  'FelixConfiguration',
]);

/**
 * The ConfigMaps whose data k8snet reads (Cilium's IPAM settings). Every other ConfigMap keeps
 * only its identity: charts ship one or more per workload, and their data (whole configuration
 * files in block scalars) was the largest part of what the loader built and kept.
 */
const CONFIG_MAPS_READ: ReadonlySet<string> = new Set(['cilium-config']);

/** Kinds of kustomize's own files (kustomize.config.k8s.io; Flux's Kustomization shares the name and is read whole too, which costs little). */
const KUSTOMIZE_KINDS: ReadonlySet<string> = new Set(['Kustomization', 'Component']);

/** Kinds k8snet neither models nor reads facts from: only their identity is kept. */
const IDENTITY_ONLY: Projection = { [KEEP_ONLY]: ['apiVersion', 'kind', 'metadata'], metadata: METADATA };

function projectionFor(kind: string | undefined, name: () => string | undefined): Projection | undefined {
  if (kind === undefined || kind === 'List' || kind.endsWith('List')) return undefined;
  // A kustomization (kind: Kustomization or Component) names its patches, which are not objects: it is read whole.
  if (KUSTOMIZE_KINDS.has(kind)) return undefined;
  if (Object.hasOwn(PROJECTIONS, kind)) return PROJECTIONS[kind];
  // Every kind of the registry by name, whatever its group (the Gateway API's, an operator's
  // custom resources, which state their pods' labels, ports and replicas in their spec).
  if (MODELLED_KINDS.has(kind)) return { metadata: METADATA, status: DROP };
  if (FACT_KINDS.has(kind)) return { metadata: METADATA };
  if (kind === 'ConfigMap') {
    const configMapName = name();
    return configMapName !== undefined && CONFIG_MAPS_READ.has(configMapName) ? { metadata: METADATA } : IDENTITY_ONLY;
  }
  return IDENTITY_ONLY;
}

/** Options of {@link droppedEventRanges}. */
export interface ProjectionOptions {
  /**
   * The key a plain scalar constructs to as a mapping key (`0x1` gives `1`), to find keys written
   * twice in the fields left out, which the API server rejects and construction would have
   * reported. Undefined for JSON, which allows them.
   */
  readonly resolvePlainKey?: (text: string) => string;
}

/** `events` without the `[start, end)` ranges of `dropped` (flat pairs in event order); `events` itself when there are none. */
export function withoutRanges(events: readonly Event[], dropped: readonly number[]): readonly Event[] {
  if (dropped.length === 0) return events;
  const kept: Event[] = [];
  let cursor = 0;
  for (let pair = 0; pair < dropped.length; pair += 2) {
    for (let index = cursor; index < dropped[pair]; index++) kept.push(events[index]);
    cursor = dropped[pair + 1];
  }
  for (let index = cursor; index < events.length; index++) kept.push(events[index]);
  return kept;
}

/**
 * Returns the event ranges of the fields to leave out, as flat `[start, end)` pairs in event
 * order; none when everything is to be constructed. When a dropped field holds a mapping with a
 * key written twice (or a key construction would refuse, or a merge), everything is constructed,
 * so that the error is reported where it is, as if nothing had been left out.
 */
export function droppedEventRanges(indexed: IndexedEvents, options: ProjectionOptions = {}): number[] {
  const { positions, eventStart, eventEnd } = indexed;
  const resolvePlainKey = options.resolvePlainKey;
  let constructEverything = false;
  // Event ranges left out, as flat `[start, end)` pairs in event order.
  const dropped: number[] = [];
  // Children are walked by node index (see DocumentPositions.after), without building entry lists:
  // this runs over every document of every file.
  const visit = (node: number, projection: Projection): void => {
    const kind = positions.nodeKind(node);
    if (kind === 'mapping') {
      const keepOnly = projection[KEEP_ONLY];
      let droppedHere = false;
      for (let key = node + 1, stop = positions.after(node); key < stop;) {
        const value = positions.after(key);
        const next = positions.after(value);
        const name = positions.scalarText(key);
        if (name !== undefined && name !== '<<') {
          const rule = keepOnly && !keepOnly.includes(name) ? DROP : projection[name];
          if (rule === DROP) {
            droppedHere = true;
            dropped.push(eventStart[key], eventEnd[value]);
            if (resolvePlainKey && !constructEverything && positions.subtreeKeysMayClash(value, resolvePlainKey)) constructEverything = true;
          } else if (rule !== undefined) {
            visit(value, rule);
          }
        }
        key = next;
      }
      // A dropped key written twice, or twice with a kept one, would no longer meet its twin.
      if (droppedHere && resolvePlainKey && !constructEverything && positions.mappingKeysMayClash(node, resolvePlainKey)) constructEverything = true;
    } else if (kind === 'sequence') {
      const itemProjection = projection['*'];
      if (itemProjection === undefined || itemProjection === DROP) return;
      for (let item = node + 1, stop = positions.after(node); item < stop; item = positions.after(item)) visit(item, itemProjection);
    }
  };
  /** The value node at `key` of a mapping node (the last one, as construction keeps the last duplicate). */
  const member = (node: number, key: string): number | undefined => {
    let found: number | undefined;
    for (let keyNode = node + 1, stop = positions.after(node); keyNode < stop;) {
      const value = positions.after(keyNode);
      if (positions.scalarText(keyNode) === key) found = value;
      keyNode = positions.after(value);
    }
    return found;
  };
  const textAt = (node: number | undefined): string | undefined => (node === undefined ? undefined : positions.scalarText(node));
  const kindOf = (node: number): string | undefined => textAt(member(node, 'kind'));
  const nameOf = (node: number) => (): string | undefined => {
    const metadata = member(node, 'metadata');
    return metadata !== undefined && positions.nodeKind(metadata) === 'mapping' ? textAt(member(metadata, 'name')) : undefined;
  };
  for (const root of positions.documentRoots) {
    if (root < 0 || positions.nodeKind(root) !== 'mapping') continue;
    const kind = kindOf(root);
    if (kind !== undefined && (kind === 'List' || kind.endsWith('List'))) {
      // A list's items (a `kubectl get -o yaml` dump) are projected by their own kind, or by the
      // list's (`PodList` items may leave kind out).
      for (const [key, value] of positions.mappingEntries(root)) {
        if (positions.scalarText(key) !== 'items' || positions.nodeKind(value) !== 'sequence') continue;
        for (const item of positions.sequenceItems(value)) {
          if (positions.nodeKind(item) !== 'mapping') continue;
          const projection = projectionFor(kindOf(item) ?? (kind === 'List' ? undefined : kind.slice(0, -'List'.length)), nameOf(item));
          if (projection) visit(item, projection);
        }
      }
      continue;
    }
    const projection = projectionFor(kind, nameOf(root));
    if (projection) visit(root, projection);
  }
  return constructEverything ? [] : dropped;
}
