import type { ManifestObject } from '../load/manifest-object.js';
import { valueAt, type FieldPath } from '../load/path.js';
import { GENERATED_LABEL_VALUE } from './controller-labels.js';
import type { Labels } from './label-selector.js';
import type { ContainerPort, Protocol } from './types.js';

type Raw = Record<string, any>;

/**
 * One controller an operator creates for a custom resource (Prometheus `k8s` → StatefulSet
 * `prometheus-k8s`), described as a pod template so that the graph builds its pods as it builds
 * any controller's: the same controller labels, ordinals and classes.
 */
export interface OperatorPodSet {
  /** The kind of controller the operator creates, which decides pod names and controller labels. */
  readonly controller: 'StatefulSet' | 'Deployment' | 'DaemonSet';
  /** The controller's name, which StatefulSet pods are named after (`prometheus-k8s-0`). */
  readonly name: string;
  readonly replicas: number;
  /** The pod template the operator writes: `metadata.labels`, `spec.containers[].ports`, `spec.hostNetwork`. */
  readonly template: Raw;
  /** Where in the custom resource the pods' labels are stated, for findings about them. */
  readonly templatePath: FieldPath;
}

/** A Service an operator creates in each namespace that holds its custom resources (`prometheus-operated`). */
export interface OperatorService {
  readonly name: string;
  readonly selector: Labels;
  readonly ports: readonly { readonly name: string; readonly port: number; readonly targetPort: number | string; readonly protocol: Protocol }[];
}

/** How an operator turns one kind of custom resource into pods. */
export interface OperatorKind {
  /** The API group of the kind; any version of the group is read the same way. */
  readonly group: string;
  /** For `.k8snet.yaml` declarations that name a version: only that apiVersion. */
  readonly apiVersion?: string;
  readonly kind: string;
  /** Who runs the pods, for messages: `prometheus-operator`, or `.k8snet.yaml workloads[2]`. */
  readonly operator: string;
  /** The controllers the operator creates for one object. */
  readonly podSets: (object: ManifestObject, value: Raw) => readonly OperatorPodSet[];
  /** The Service the operator creates once per namespace for the objects of this kind, if any. */
  readonly governingService?: (values: readonly Raw[]) => OperatorService;
}

/** Returns true when `object` is of the kind `operatorKind` describes (its group, and its version when declared). */
export function isOfOperatorKind(operatorKind: OperatorKind, object: Pick<ManifestObject, 'apiVersion' | 'kind'>): boolean {
  if (object.kind !== operatorKind.kind) return false;
  if (operatorKind.apiVersion !== undefined) return object.apiVersion === operatorKind.apiVersion;
  const slash = object.apiVersion.indexOf('/');
  return slash !== -1 && object.apiVersion.slice(0, slash) === operatorKind.group;
}

/** A count as the operator reads it: a whole number, negatives as 0; `fallback` when unset. */
function count(value: unknown, fallback: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fallback;
  return Math.max(0, value);
}

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) result[key] = String(entry);
  return result;
}

/** The ports of the containers a custom resource adds or patches (`spec.containers`), as written. */
function containerPorts(containers: unknown): Raw[] {
  if (!Array.isArray(containers)) return [];
  return containers.flatMap((container: Raw) => (Array.isArray(container?.ports) ? container.ports : []));
}

/**
 * A pod template: labels, the ports of its containers, hostNetwork, and the service account the
 * pods run as (`spec.serviceAccountName` of the three kinds; Calico's serviceAccounts rules and
 * Istio's principals match it), `default` when not given.
 */
function template(labels: Labels, ports: readonly Raw[], spec: Raw): Raw {
  const serviceAccountName = typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '' ? spec.serviceAccountName : undefined;
  return {
    metadata: { labels },
    spec: { containers: [{ ports }], ...(spec.hostNetwork === true ? { hostNetwork: true } : {}), ...(serviceAccountName ? { serviceAccountName } : {}) },
  };
}

/** The label value the operator writes for the version it deploys: the stated one without `v`, or its own default. */
function versionLabel(version: unknown): string {
  return typeof version === 'string' && version !== '' ? version.replace(/^v/, '') : GENERATED_LABEL_VALUE;
}

/** The config-reloader sidecar the operator adds to every pod it runs: `reloader-web` 8080, unless it listens on localhost only. */
function reloaderPorts(spec: Raw): Raw[] {
  return spec.listenLocal === true ? [] : [{ name: 'reloader-web', containerPort: 8080, protocol: 'TCP' }];
}

// prometheus-operator (pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go,
// pkg/thanos/statefulset.go, pkg/operator/config_reloader.go): each custom resource becomes a
// StatefulSet whose pod template carries spec.podMetadata.labels overridden by the operator's
// selector labels, its main container's port (unless spec.listenLocal), the config-reloader's
// port, and the ports of spec.containers.

/** `monitoring.coreos.com` Prometheus: a StatefulSet per shard, `prometheus-<name>` then `prometheus-<name>-shard-<n>`. */
const PROMETHEUS: OperatorKind = {
  group: 'monitoring.coreos.com',
  kind: 'Prometheus',
  operator: 'prometheus-operator',
  podSets(object, value) {
    const spec: Raw = value.spec ?? {};
    const name = object.name;
    const portName = typeof spec.portName === 'string' && spec.portName !== '' ? spec.portName : 'web';
    const ports: Raw[] = spec.listenLocal === true ? [] : [{ name: portName, containerPort: 9090, protocol: 'TCP' }];
    ports.push(...reloaderPorts(spec));
    const thanos: Raw | undefined = spec.thanos && typeof spec.thanos === 'object' ? spec.thanos : undefined;
    if (thanos) {
      // The Thanos sidecar: gRPC StoreAPI 10901 and HTTP 10902, unless bound to localhost.
      if (!(thanos.listenLocal === true || thanos.grpcListenLocal === true)) ports.push({ name: 'grpc', containerPort: 10901, protocol: 'TCP' });
      if (!(thanos.listenLocal === true || thanos.httpListenLocal === true)) ports.push({ name: 'http', containerPort: 10902, protocol: 'TCP' });
    }
    ports.push(...containerPorts(spec.containers));
    const shards = Math.max(1, count(spec.shards, 1));
    return Array.from({ length: shards }, (_, shard): OperatorPodSet => ({
      controller: 'StatefulSet',
      name: shard === 0 ? `prometheus-${name}` : `prometheus-${name}-shard-${shard}`,
      replicas: count(spec.replicas, 1),
      template: template({
        'app.kubernetes.io/version': versionLabel(spec.version),
        ...stringMap(spec.podMetadata?.labels),
        'app.kubernetes.io/name': 'prometheus',
        'app.kubernetes.io/managed-by': 'prometheus-operator',
        'app.kubernetes.io/instance': name,
        prometheus: name,
        'operator.prometheus.io/shard': String(shard),
        'operator.prometheus.io/name': name,
      }, ports, spec),
      templatePath: ['spec', 'podMetadata'],
    }));
  },
  governingService(values) {
    const portName = firstPortName(values, 'web');
    return {
      name: 'prometheus-operated',
      selector: { 'app.kubernetes.io/name': 'prometheus' },
      ports: [
        { name: portName, port: 9090, targetPort: portName, protocol: 'TCP' },
        ...(values.some((value) => value.spec?.thanos) ? [{ name: 'grpc', port: 10901, targetPort: 'grpc', protocol: 'TCP' as const }] : []),
      ],
    };
  },
};

/** `monitoring.coreos.com` Alertmanager: StatefulSet `alertmanager-<name>`, web 9093 and the cluster mesh on 9094 TCP and UDP. */
const ALERTMANAGER: OperatorKind = {
  group: 'monitoring.coreos.com',
  kind: 'Alertmanager',
  operator: 'prometheus-operator',
  podSets(object, value) {
    const spec: Raw = value.spec ?? {};
    const name = object.name;
    const portName = typeof spec.portName === 'string' && spec.portName !== '' ? spec.portName : 'web';
    const ports: Raw[] = [
      ...(spec.listenLocal === true ? [] : [{ name: portName, containerPort: 9093, protocol: 'TCP' }]),
      { name: 'mesh-tcp', containerPort: 9094, protocol: 'TCP' },
      { name: 'mesh-udp', containerPort: 9094, protocol: 'UDP' },
      ...reloaderPorts(spec),
      ...containerPorts(spec.containers),
    ];
    return [{
      controller: 'StatefulSet',
      name: `alertmanager-${name}`,
      replicas: count(spec.replicas, 1),
      template: template({
        ...stringMap(spec.podMetadata?.labels),
        app: 'alertmanager',
        'app.kubernetes.io/name': 'alertmanager',
        'app.kubernetes.io/version': versionLabel(spec.version),
        'app.kubernetes.io/managed-by': 'prometheus-operator',
        'app.kubernetes.io/instance': name,
        alertmanager: name,
      }, ports, spec),
      templatePath: ['spec', 'podMetadata'],
    }];
  },
  governingService(values) {
    const portName = firstPortName(values, 'web');
    return {
      name: 'alertmanager-operated',
      selector: { 'app.kubernetes.io/name': 'alertmanager' },
      ports: [
        { name: portName, port: 9093, targetPort: portName, protocol: 'TCP' },
        { name: 'tcp-mesh', port: 9094, targetPort: 9094, protocol: 'TCP' },
        { name: 'udp-mesh', port: 9094, targetPort: 9094, protocol: 'UDP' },
      ],
    };
  },
};

/** `monitoring.coreos.com` ThanosRuler: StatefulSet `thanos-ruler-<name>`, gRPC 10901 and web 10902. */
const THANOS_RULER: OperatorKind = {
  group: 'monitoring.coreos.com',
  kind: 'ThanosRuler',
  operator: 'prometheus-operator',
  podSets(object, value) {
    const spec: Raw = value.spec ?? {};
    const name = object.name;
    const portName = typeof spec.portName === 'string' && spec.portName !== '' ? spec.portName : 'web';
    const ports: Raw[] = [
      { name: 'grpc', containerPort: 10901, protocol: 'TCP' },
      ...(spec.listenLocal === true ? [] : [{ name: portName, containerPort: 10902, protocol: 'TCP' }]),
      ...reloaderPorts(spec),
      ...containerPorts(spec.containers),
    ];
    return [{
      controller: 'StatefulSet',
      name: `thanos-ruler-${name}`,
      replicas: count(spec.replicas, 1),
      template: template({
        ...stringMap(spec.podMetadata?.labels),
        app: 'thanos-ruler',
        'app.kubernetes.io/name': 'thanos-ruler',
        'app.kubernetes.io/managed-by': 'prometheus-operator',
        'app.kubernetes.io/instance': name,
        'thanos-ruler': name,
      }, ports, spec),
      templatePath: ['spec', 'podMetadata'],
    }];
  },
  governingService(values) {
    const portName = firstPortName(values, 'web');
    return {
      name: 'thanos-ruler-operated',
      selector: { 'app.kubernetes.io/name': 'thanos-ruler' },
      ports: [
        { name: portName, port: 10902, targetPort: portName, protocol: 'TCP' },
        { name: 'grpc', port: 10901, targetPort: 'grpc', protocol: 'TCP' },
      ],
    };
  },
};

function firstPortName(values: readonly Raw[], fallback: string): string {
  const named = values.find((value) => typeof value.spec?.portName === 'string' && value.spec.portName !== '');
  return named ? named.spec.portName : fallback;
}

/**
 * A Gateway API `Gateway` of class `istio`: istiod deploys its proxy itself (Istio's Gateway API
 * task, "Automated Deployment": a Deployment and a Service named `<gateway>-<class>` in the
 * Gateway's namespace). Its pods are Istio proxies (label `gateway.istio.io/managed`) running as
 * service account `<gateway>-istio`, labelled with the Gateway's name (GEP-1762, and Istio's older
 * `istio.io/gateway-name`) and `spec.infrastructure.labels`; Envoy listens on the listeners' ports
 * beside its metrics (15020, 15090) and status (15021) ports. None for a Gateway whose `spec.addresses`
 * name a Service of its own (a Hostname: Istio's manual deployment).
 */
const ISTIO_GATEWAY: OperatorKind = {
  group: 'gateway.networking.k8s.io',
  kind: 'Gateway',
  operator: 'istiod (Gateway API automated deployment)',
  podSets(object, value) {
    const spec: Raw = value.spec ?? {};
    if (spec.gatewayClassName !== 'istio') return [];
    if (Array.isArray(spec.addresses) && spec.addresses.some((address: Raw) => address?.type === 'Hostname')) return [];
    const name = `${object.name}-istio`;
    const listenerPorts = [...new Set((Array.isArray(spec.listeners) ? spec.listeners : [])
      .map((listener: Raw) => listener?.port).filter((port: unknown): port is number => typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536))]
      .filter((port) => port !== 15020 && port !== 15021 && port !== 15090);
    const ports: Raw[] = [
      { name: 'metrics', containerPort: 15020, protocol: 'TCP' },
      { name: 'status-port', containerPort: 15021, protocol: 'TCP' },
      { name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' },
      ...listenerPorts.map((port) => ({ containerPort: port, protocol: 'TCP' })),
    ];
    return [{
      controller: 'Deployment',
      name,
      replicas: 1,
      template: template({
        ...stringMap(spec.infrastructure?.labels),
        'gateway.networking.k8s.io/gateway-name': object.name,
        'istio.io/gateway-name': object.name,
        'gateway.istio.io/managed': 'istio.io-gateway-controller',
        'service.istio.io/canonical-name': name,
      }, ports, { serviceAccountName: name }),
      templatePath: ['spec'],
    }];
  },
};

/**
 * The custom resources k8snet knows the operator of, by API group then kind. The loader keeps
 * their spec (src/load/kinds.ts lists the same kinds); `.k8snet.yaml` `workloads:` adds others.
 */
export const BUILT_IN_OPERATOR_KINDS: Readonly<Record<string, Readonly<Record<string, OperatorKind>>>> = {
  'monitoring.coreos.com': { Prometheus: PROMETHEUS, Alertmanager: ALERTMANAGER, ThanosRuler: THANOS_RULER },
  'gateway.networking.k8s.io': { Gateway: ISTIO_GATEWAY },
};

/**
 * A kind of custom resource declared in `.k8snet.yaml` `workloads:`: where the pods an operator
 * runs for each object get their labels, ports and replica count. Several declarations of one
 * kind describe several controllers per object (a database and its proxy).
 */
export interface WorkloadDeclaration {
  /** `group/version`, or a bare group for every version. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The kind of controller the operator creates (pod names, ordinals, controller labels). */
  readonly controller: 'StatefulSet' | 'Deployment' | 'DaemonSet';
  /** The controller's name; `{name}` and `{namespace}` stand for the object's. */
  readonly name: string;
  /** A fixed count, or where the object states it (1 when the object leaves it out). */
  readonly replicas: number | FieldPath;
  /** Label maps inside the object, merged in order. */
  readonly labelsFrom: readonly FieldPath[];
  /** Fixed labels, applied over `labelsFrom` (operators put their selector labels last); `{name}` and `{namespace}` are replaced. */
  readonly labels: Labels;
  /** Fixed container ports. */
  readonly ports: readonly ContainerPort[];
  /** Lists inside the object of container ports, or of containers whose `ports` count. */
  readonly portsFrom: readonly FieldPath[];
  /** A fixed hostNetwork, or where the object states it. */
  readonly hostNetwork: boolean | FieldPath;
  /** The service account the pods run as: a fixed name (`{name}` and `{namespace}` replaced), or where the object states it; `default` when not given. */
  readonly serviceAccountName?: string | FieldPath;
  /** The entry's path in `.k8snet.yaml`, for messages: `workloads[0]`. */
  readonly declaredAt: FieldPath;
}

function fill(text: string, object: ManifestObject): string {
  return text.replace(/\{name\}/g, object.name).replace(/\{namespace\}/g, object.namespace ?? '');
}

/** The service account a declaration gives the pods of `object`, if any. */
function serviceAccountOf(declaration: WorkloadDeclaration, object: ManifestObject, value: Raw): string | undefined {
  const stated = declaration.serviceAccountName;
  if (stated === undefined) return undefined;
  if (typeof stated === 'string') return fill(stated, object);
  const found = valueAt(value, stated);
  return typeof found === 'string' && found !== '' ? found : undefined;
}

/** Turns a `.k8snet.yaml` declaration into the operator kind it describes. */
export function declaredOperatorKind(declaration: WorkloadDeclaration): OperatorKind {
  const slash = declaration.apiVersion.indexOf('/');
  return {
    group: slash === -1 ? declaration.apiVersion : declaration.apiVersion.slice(0, slash),
    ...(slash === -1 ? {} : { apiVersion: declaration.apiVersion }),
    kind: declaration.kind,
    operator: `.k8snet.yaml ${declaration.declaredAt.map((segment) => (typeof segment === 'number' ? `[${segment}]` : segment)).join('')}`,
    podSets(object, value) {
      const labels: Record<string, string> = {};
      for (const path of declaration.labelsFrom) Object.assign(labels, stringMap(valueAt(value, path)));
      for (const [key, text] of Object.entries(declaration.labels)) labels[key] = fill(text, object);
      const ports: Raw[] = declaration.ports.map((port) => ({ ...port }));
      for (const path of declaration.portsFrom) {
        const list = valueAt(value, path);
        if (!Array.isArray(list)) continue;
        for (const entry of list as Raw[]) {
          if (typeof entry?.containerPort === 'number') ports.push(entry);
          else if (Array.isArray(entry?.ports)) ports.push(...entry.ports);
        }
      }
      const replicas = typeof declaration.replicas === 'number' ? declaration.replicas : count(valueAt(value, declaration.replicas), 1);
      const hostNetwork = typeof declaration.hostNetwork === 'boolean' ? declaration.hostNetwork : valueAt(value, declaration.hostNetwork) === true;
      // Findings about the pods' labels point at the first label map the object states: its pod
      // template when it is one (`...metadata.labels`), else the map's parent.
      const firstLabels = declaration.labelsFrom[0] ?? [];
      const endsInTemplate = firstLabels.length >= 2 && firstLabels[firstLabels.length - 2] === 'metadata' && firstLabels[firstLabels.length - 1] === 'labels';
      return [{
        controller: declaration.controller,
        name: fill(declaration.name, object),
        replicas,
        template: template(labels, ports, { hostNetwork, serviceAccountName: serviceAccountOf(declaration, object, value) }),
        // Never [], which marks a concrete Pod: without a label map, the object's spec.
        templatePath: firstLabels.length > 0 ? firstLabels.slice(0, endsInTemplate ? -2 : -1) : ['spec'],
      }];
    },
  };
}
