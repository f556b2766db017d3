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
const CONTAINER: Projection = {
  env: DROP, envFrom: DROP, volumeMounts: DROP, volumeDevices: DROP, resources: DROP, livenessProbe: DROP,
  readinessProbe: DROP, startupProbe: DROP, command: DROP, args: DROP, lifecycle: DROP,
};
const POD_SPEC: Projection = {
  volumes: DROP, affinity: DROP, tolerations: DROP, topologySpreadConstraints: DROP, ephemeralContainers: DROP,
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
  // A Service's and a Node's status (load balancer and node addresses) are kept.
  Service: { metadata: METADATA },
  Node: { metadata: METADATA, status: { images: DROP, conditions: DROP, volumesAttached: DROP, volumesInUse: DROP } },
};

/** Kinds k8snet does not model but reads cluster facts from: constructed in full. */
const FACT_KINDS: ReadonlySet<string> = new Set([
  'HorizontalPodAutoscaler', 'IPPool', 'CiliumNode', 'ClusterConfiguration', 'KubeletConfiguration', 'Cluster', 'ServiceCIDR',
]);

/** Kinds k8snet neither models nor reads facts from: only their identity is kept. */
const IDENTITY_ONLY: Projection = { [KEEP_ONLY]: ['apiVersion', 'kind', 'metadata'], metadata: METADATA };

function projectionFor(kind: string | undefined): Projection | undefined {
  if (kind === undefined || kind === 'List' || kind.endsWith('List')) return undefined;
  if (Object.hasOwn(PROJECTIONS, kind)) return PROJECTIONS[kind];
  if (MODELLED_KINDS.has(kind)) return { metadata: METADATA, status: DROP };
  if (FACT_KINDS.has(kind) || kind === 'ConfigMap') return { metadata: METADATA };
  return IDENTITY_ONLY;
}

/**
 * Returns the events to construct: `events` itself when nothing is left out, otherwise a copy
 * without the event ranges of dropped fields.
 */
export function projectEvents(events: readonly Event[], indexed: IndexedEvents): readonly Event[] {
  const { positions, eventStart, eventEnd } = indexed;
  const dropped: [number, number][] = [];
  const visit = (node: number, projection: Projection): void => {
    const kind = positions.nodeKind(node);
    if (kind === 'mapping') {
      const keepOnly = projection[KEEP_ONLY];
      for (const [key, value] of positions.mappingEntries(node)) {
        const name = positions.scalarText(key);
        if (name === undefined || name === '<<') continue;
        const rule = keepOnly && !keepOnly.includes(name) ? DROP : projection[name];
        if (rule === DROP) dropped.push([eventStart[key], eventEnd[value]]);
        else if (rule !== undefined) visit(value, rule);
      }
    } else if (kind === 'sequence' && projection['*'] !== undefined && projection['*'] !== DROP) {
      for (const item of positions.sequenceItems(node)) visit(item, projection['*']);
    }
  };
  const kindOf = (node: number): string | undefined => {
    let kind: string | undefined;
    for (const [key, value] of positions.mappingEntries(node)) {
      if (positions.scalarText(key) === 'kind') kind = positions.scalarText(value);
    }
    return kind;
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
          const projection = projectionFor(kindOf(item) ?? (kind === 'List' ? undefined : kind.slice(0, -'List'.length)));
          if (projection) visit(item, projection);
        }
      }
      continue;
    }
    const projection = projectionFor(kind);
    if (projection) visit(root, projection);
  }
  if (dropped.length === 0) return events;
  const kept: Event[] = [];
  let cursor = 0;
  for (const [start, end] of dropped) {
    for (let index = cursor; index < start; index++) kept.push(events[index]);
    cursor = end;
  }
  for (let index = cursor; index < events.length; index++) kept.push(events[index]);
  return kept;
}
