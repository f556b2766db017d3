/**
 * JSON schemas (draft-07) for the fields k8snet reads from each modelled kind.
 *
 * Loose where Kubernetes is loose: unknown fields are allowed everywhere, and an optional field
 * written as `null` (an empty YAML value) is accepted, as kubectl treats it as absent.
 * Strict on what k8snet reads: types, port ranges, port names and protocol names are checked the
 * way the API server checks them, so the model never sees a value of the wrong shape.
 *
 * `apiVersion`, `kind` and `metadata.name` presence is checked by the loader, not here.
 *
 * The `description` of a schema node is the phrase used by schema-messages.ts after "must be",
 * e.g. "an integer from 1 to 65535"; keep it a noun phrase.
 */

import { GATEWAY_API_DEFINITIONS, GATEWAY_API_SPECS } from './gateway-api-schemas.js';
import { CILIUM_SCHEMAS } from './cilium-schemas.js';
import { ISTIO_SCHEMAS } from './istio-schemas.js';
import { CALICO_SCHEMAS } from './calico-schemas.js';
import {
  DNS_1035_LABEL_PATTERN, DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN, INT32_MAX, LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN, METADATA_DEFINITIONS,
  OPT_BOOLEAN, OPT_MAPPING as OPT_OBJECT, OPT_PORT_NUMBER, OPT_STRING, OPT_STRINGS, PORT_NAME_PATTERN, PORT_NUMBER, STRING,
  kindSchemaMaker, listOf, objectMeta, orNull, ref, type Schema,
} from './schema-fragments.js';

export {
  ANNOTATION_KEY_PATTERN, DNS_1035_LABEL_PATTERN, DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN, INT32_MAX, LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN,
  PORT_NAME_PATTERN,
} from './schema-fragments.js';

// Leaf shapes of the built-in kinds: spread into the nodes that use them, so each is written once.
const PORT_NAME: Schema = {
  type: 'string',
  pattern: PORT_NAME_PATTERN,
  description: "a port name (at most 15 lowercase letters, digits and '-')",
};
const OPT_PORT_NAME = orNull(PORT_NAME);
const OPT_PORT_OR_ZERO = orNull({ type: 'integer', minimum: 0, maximum: 65535, description: 'an integer from 0 to 65535' });
const OPT_COUNT = orNull({ type: 'integer', minimum: 0, maximum: INT32_MAX, description: `an integer from 0 to ${INT32_MAX}` });
const OPT_INT32 = orNull({ type: 'integer', minimum: -INT32_MAX - 1, maximum: INT32_MAX, description: 'an integer (int32)' });
const DNS_LABEL: Schema = { type: 'string', pattern: DNS_LABEL_PATTERN, description: 'a DNS-1123 label' };
const OPT_DNS_LABEL = orNull(DNS_LABEL);
const OPT_PROTOCOL = orNull({ enum: ['TCP', 'UDP', 'SCTP'], description: 'one of TCP, UDP, SCTP' });

const LABEL_SELECTOR_SHAPE: Schema = {
  type: 'object',
  description: 'a mapping (a label selector)',
  properties: {
    matchLabels: ref('labels'),
    // Operators are not enumerated here: the model reports a bad operator with its own message.
    matchExpressions: listOf(ref('labelSelectorRequirement')),
  },
};

const SERVICE_BACKEND_PORT: Schema = {
  type: 'object',
  description: 'a mapping with a port number or name',
  properties: { number: OPT_PORT_NUMBER, name: OPT_PORT_NAME },
  anyOf: [
    { type: 'object', required: ['number'] },
    { type: 'object', required: ['name'] },
  ],
};

/** A port of an admin policy rule: exactly one of portNumber, portRange and namedPort. */
const ADMIN_PORT: Schema = {
  type: 'object',
  description: 'a mapping with exactly one of portNumber, portRange and namedPort',
  minProperties: 1,
  maxProperties: 1,
  properties: {
    portNumber: {
      type: ['object', 'null'],
      description: 'a mapping with protocol and port',
      required: ['port'],
      properties: { protocol: OPT_PROTOCOL, port: PORT_NUMBER },
    },
    portRange: {
      type: ['object', 'null'],
      description: 'a mapping with protocol, start and end',
      required: ['start', 'end'],
      properties: { protocol: OPT_PROTOCOL, start: PORT_NUMBER, end: PORT_NUMBER },
    },
    namedPort: OPT_STRING,
  },
};

/** The pods of an admin policy's subject or peer: a namespace selector and a pod selector. */
const ADMIN_PODS: Schema = {
  type: ['object', 'null'],
  description: 'a mapping with namespaceSelector and podSelector',
  properties: { namespaceSelector: ref('optionalLabelSelector'), podSelector: ref('optionalLabelSelector') },
};

/** An admin policy rule (AdminNetworkPolicy and BaselineAdminNetworkPolicy, policy.networking.k8s.io/v1alpha1). */
function adminRule(peerKey: 'from' | 'to'): Schema {
  return {
    type: 'object',
    description: `a mapping (a rule with name, action, ${peerKey} and ports)`,
    properties: {
      name: OPT_STRING,
      action: OPT_STRING,
      [peerKey]: listOf({
        type: 'object',
        description: peerKey === 'to' ? 'a mapping with exactly one of namespaces, pods, nodes and networks' : 'a mapping with exactly one of namespaces and pods',
        minProperties: 1,
        maxProperties: 1,
        properties: {
          namespaces: ref('optionalLabelSelector'),
          pods: ADMIN_PODS,
          ...(peerKey === 'to' ? { nodes: ref('optionalLabelSelector'), networks: OPT_STRINGS } : {}),
        },
      }),
      ports: listOf(ADMIN_PORT),
    },
  };
}

/** The spec of AdminNetworkPolicy and BaselineAdminNetworkPolicy; action values and priority ranges are the graph's to check. */
const ADMIN_POLICY_SPEC: Schema = {
  type: 'object',
  description: 'a mapping (an admin policy spec)',
  properties: {
    priority: OPT_INT32,
    subject: {
      type: ['object', 'null'],
      description: 'a mapping with exactly one of namespaces and pods',
      minProperties: 1,
      maxProperties: 1,
      properties: { namespaces: ref('optionalLabelSelector'), pods: ADMIN_PODS },
    },
    ingress: listOf(adminRule('from')),
    egress: listOf(adminRule('to')),
  },
};

/** A Route's backend: a Service by name, with a weight. */
const ROUTE_TARGET: Schema = {
  type: 'object',
  description: 'a mapping with kind, name and weight',
  properties: { kind: OPT_STRING, name: OPT_STRING, weight: orNull({ type: 'integer', minimum: 0, maximum: 256, description: 'an integer from 0 to 256' }) },
};

/**
 * What prometheus-operator reads of a Prometheus, Alertmanager or ThanosRuler to make its pods
 * (src/model/operator-workloads.ts), typed as the CRDs declare it: the API server validates custom
 * resources against their CRD's schema, not as pods; the pods' own checks are the StatefulSet's.
 */
function operatorWorkloadSpec(kind: string, fields: Readonly<Record<string, Schema>> = {}): Schema {
  return {
    type: ['object', 'null'],
    description: `a mapping (a ${kind} spec)`,
    properties: {
      replicas: OPT_INT32,
      version: OPT_STRING,
      podMetadata: {
        type: ['object', 'null'],
        description: 'a mapping with labels and annotations',
        properties: { labels: ref('stringMap'), annotations: ref('stringMap'), name: OPT_STRING },
      },
      portName: OPT_STRING,
      listenLocal: OPT_BOOLEAN,
      hostNetwork: OPT_BOOLEAN,
      containers: listOf({
        type: 'object',
        description: 'a mapping (a container)',
        properties: {
          name: OPT_STRING,
          ports: listOf({
            type: 'object',
            description: 'a mapping (a container port)',
            required: ['containerPort'],
            properties: { containerPort: { type: 'integer', description: 'an integer' }, name: OPT_STRING, protocol: OPT_STRING, hostPort: orNull({ type: 'integer', description: 'an integer' }) },
          }),
        },
      }),
      ...fields,
    },
  };
}

/** Shared definitions; each kind schema embeds the ones it reaches. */
const DEFINITIONS: Readonly<Record<string, Schema>> = {
  ...GATEWAY_API_DEFINITIONS,
  ...METADATA_DEFINITIONS,
  /** Namespaces are named with a DNS-1123 label. */
  namespaceMeta: objectMeta(DNS_LABEL_PATTERN),
  /** Services are named with a DNS-1035 label: their name becomes a DNS name and an environment variable. */
  serviceMeta: objectMeta(DNS_1035_LABEL_PATTERN),
  /** CronJob names are DNS subdomains of at most 52 characters: the Jobs it makes append 11. */
  cronJobMeta: objectMeta(DNS_SUBDOMAIN_PATTERN, 52),
  labelSelectorRequirement: {
    type: 'object',
    description: 'a mapping with key, operator and values',
    required: ['key', 'operator'],
    properties: {
      key: { type: 'string', pattern: LABEL_KEY_PATTERN },
      operator: STRING,
      values: listOf({ type: 'string', pattern: LABEL_VALUE_PATTERN }, 'a list of strings'),
    },
  },
  labelSelector: LABEL_SELECTOR_SHAPE,
  optionalLabelSelector: orNull(LABEL_SELECTOR_SHAPE),
  /** A port number or an IANA_SVC_NAME port name (targetPort, NetworkPolicy port, servicePort). */
  portNumberOrName: {
    description: 'a port number from 1 to 65535 or a port name',
    oneOf: [PORT_NUMBER, PORT_NAME, { type: 'null' }],
  },

  containerPort: {
    type: 'object',
    description: 'a mapping (a container port)',
    required: ['containerPort'],
    properties: {
      containerPort: PORT_NUMBER,
      hostPort: OPT_PORT_OR_ZERO,
      name: OPT_PORT_NAME,
      protocol: OPT_PROTOCOL,
      hostIP: OPT_STRING,
    },
  },
  container: {
    type: 'object',
    description: 'a mapping (a container)',
    properties: { name: OPT_DNS_LABEL, image: OPT_STRING, ports: listOf(ref('containerPort')), restartPolicy: OPT_STRING },
  },
  podSpec: {
    type: 'object',
    description: 'a mapping (a pod spec)',
    properties: {
      hostNetwork: OPT_BOOLEAN,
      containers: listOf(ref('container')),
      initContainers: listOf(ref('container')),
      nodeName: OPT_STRING,
      nodeSelector: ref('labels'),
      hostname: OPT_DNS_LABEL,
      subdomain: OPT_DNS_LABEL,
      serviceAccountName: OPT_STRING,
      serviceAccount: OPT_STRING,
      affinity: OPT_OBJECT,
    },
  },
  podTemplate: {
    type: 'object',
    description: 'a mapping (a pod template)',
    properties: { metadata: ref('objectMeta'), spec: ref('podSpec') },
  },
  /** Deployment, ReplicaSet, StatefulSet, DaemonSet and Job specs: the fields k8snet reads are common. */
  workloadSpec: {
    type: 'object',
    description: 'a mapping (a workload spec)',
    // apps/v1 validation: "spec.selector: Required value", "spec.template...: Required value".
    required: ['selector', 'template'],
    properties: {
      replicas: OPT_COUNT,
      selector: ref('optionalLabelSelector'),
      template: ref('podTemplate'),
    },
  },
  jobSpec: {
    type: 'object',
    description: 'a mapping (a Job spec)',
    properties: {
      parallelism: OPT_COUNT,
      completions: OPT_COUNT,
      selector: ref('optionalLabelSelector'),
      template: ref('podTemplate'),
    },
  },
  replicationControllerSpec: {
    type: 'object',
    description: 'a mapping (a ReplicationController spec)',
    properties: {
      replicas: OPT_COUNT,
      // A ReplicationController selects with a plain map, not a LabelSelector.
      selector: ref('labels'),
      template: ref('podTemplate'),
    },
  },
  cronJobSpec: {
    type: 'object',
    description: 'a mapping (a CronJob spec)',
    properties: {
      schedule: OPT_STRING,
      jobTemplate: {
        type: 'object',
        description: 'a mapping (a job template)',
        properties: { metadata: ref('objectMeta'), spec: ref('jobSpec') },
      },
    },
  },
  podStatus: {
    type: ['object', 'null'],
    description: 'a mapping (a pod status)',
    properties: {
      podIP: OPT_STRING,
      podIPs: listOf({ type: 'object', description: 'a mapping with an ip', properties: { ip: OPT_STRING } }),
      hostIP: OPT_STRING,
    },
  },

  servicePort: {
    type: 'object',
    description: 'a mapping (a service port)',
    required: ['port'],
    properties: {
      port: PORT_NUMBER,
      targetPort: ref('portNumberOrName'),
      nodePort: OPT_PORT_OR_ZERO,
      // Service port names are DNS-1123 labels (ValidateServicePort), not IANA_SVC_NAMEs.
      name: orNull({ type: 'string', pattern: '^$|' + DNS_LABEL_PATTERN, description: 'a DNS-1123 label' }),
      protocol: OPT_PROTOCOL,
      appProtocol: OPT_STRING,
    },
  },
  serviceSpec: {
    type: 'object',
    description: 'a mapping (a service spec)',
    properties: {
      type: orNull({ enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] }),
      selector: ref('labels'),
      ports: listOf(ref('servicePort')),
      clusterIP: OPT_STRING,
      clusterIPs: OPT_STRINGS,
      ipFamilies: listOf({ enum: ['IPv4', 'IPv6'] }),
      ipFamilyPolicy: orNull({ enum: ['SingleStack', 'PreferDualStack', 'RequireDualStack'] }),
      externalName: OPT_STRING,
      externalIPs: OPT_STRINGS,
      loadBalancerIP: OPT_STRING,
      loadBalancerClass: OPT_STRING,
      loadBalancerSourceRanges: OPT_STRINGS,
      allocateLoadBalancerNodePorts: OPT_BOOLEAN,
      healthCheckNodePort: OPT_PORT_OR_ZERO,
      externalTrafficPolicy: orNull({ enum: ['Cluster', 'Local'] }),
      internalTrafficPolicy: orNull({ enum: ['Cluster', 'Local'] }),
      publishNotReadyAddresses: OPT_BOOLEAN,
    },
  },

  endpointAddress: {
    type: 'object',
    description: 'a mapping (an endpoint address)',
    properties: { ip: OPT_STRING, hostname: OPT_STRING, nodeName: OPT_STRING, targetRef: OPT_OBJECT },
  },
  endpointPort: {
    type: 'object',
    description: 'a mapping (an endpoint port)',
    properties: {
      name: OPT_STRING,
      port: orNull({ type: 'integer', description: 'an integer' }),
      protocol: OPT_PROTOCOL,
      appProtocol: OPT_STRING,
    },
  },
  endpointSubset: {
    type: 'object',
    description: 'a mapping (an endpoint subset)',
    properties: {
      addresses: listOf(ref('endpointAddress')),
      notReadyAddresses: listOf(ref('endpointAddress')),
      ports: listOf(ref('endpointPort')),
    },
  },
  sliceEndpoint: {
    type: 'object',
    description: 'a mapping (an endpoint)',
    properties: {
      addresses: OPT_STRINGS,
      conditions: {
        type: ['object', 'null'],
        description: 'a mapping of conditions',
        properties: { ready: OPT_BOOLEAN, serving: OPT_BOOLEAN, terminating: OPT_BOOLEAN },
      },
      hostname: OPT_STRING,
      nodeName: OPT_STRING,
      zone: OPT_STRING,
      targetRef: OPT_OBJECT,
    },
  },

  ingressBackend: {
    type: ['object', 'null'],
    description: 'a mapping (an ingress backend)',
    properties: {
      // networking.k8s.io/v1
      service: {
        type: ['object', 'null'],
        description: 'a mapping with the service name and port',
        required: ['name', 'port'],
        properties: { name: STRING, port: SERVICE_BACKEND_PORT },
      },
      resource: OPT_OBJECT,
      // extensions/v1beta1 and networking.k8s.io/v1beta1
      serviceName: OPT_STRING,
      servicePort: ref('portNumberOrName'),
    },
  },
  ingressPath: {
    type: 'object',
    description: 'a mapping (an ingress path)',
    required: ['backend'],
    properties: {
      path: OPT_STRING,
      pathType: orNull({ enum: ['Exact', 'Prefix', 'ImplementationSpecific'] }),
      backend: ref('ingressBackend'),
    },
  },
  ingressRule: {
    type: 'object',
    description: 'a mapping (an ingress rule)',
    properties: {
      host: OPT_STRING,
      http: {
        type: ['object', 'null'],
        description: 'a mapping with paths',
        properties: { paths: listOf(ref('ingressPath')) },
      },
    },
  },
  ingressSpec: {
    type: 'object',
    description: 'a mapping (an ingress spec)',
    properties: {
      ingressClassName: OPT_STRING,
      defaultBackend: ref('ingressBackend'),
      backend: ref('ingressBackend'),
      rules: listOf(ref('ingressRule')),
      tls: listOf({
        type: 'object',
        description: 'a mapping with hosts and secretName',
        properties: { hosts: OPT_STRINGS, secretName: OPT_STRING },
      }),
    },
  },

  ipBlock: {
    type: ['object', 'null'],
    description: 'a mapping with a cidr',
    required: ['cidr'],
    properties: { cidr: STRING, except: OPT_STRINGS },
  },
  networkPolicyPeer: {
    type: 'object',
    description: 'a mapping (a peer with podSelector, namespaceSelector or ipBlock)',
    properties: {
      podSelector: ref('optionalLabelSelector'),
      namespaceSelector: ref('optionalLabelSelector'),
      ipBlock: ref('ipBlock'),
    },
  },
  networkPolicyPort: {
    type: 'object',
    description: 'a mapping (a port with protocol, port and endPort)',
    properties: {
      protocol: OPT_PROTOCOL,
      port: ref('portNumberOrName'),
      endPort: OPT_PORT_NUMBER,
    },
  },
  networkPolicySpec: {
    type: 'object',
    description: 'a mapping (a NetworkPolicy spec)',
    required: ['podSelector'],
    properties: {
      // `podSelector:` left empty decodes to the zero LabelSelector, which selects every pod.
      podSelector: ref('optionalLabelSelector'),
      policyTypes: listOf({ enum: ['Ingress', 'Egress'] }),
      ingress: listOf({
        type: 'object',
        description: 'a mapping (an ingress rule with from and ports)',
        properties: { from: listOf(ref('networkPolicyPeer')), ports: listOf(ref('networkPolicyPort')) },
      }),
      egress: listOf({
        type: 'object',
        description: 'a mapping (an egress rule with to and ports)',
        properties: { to: listOf(ref('networkPolicyPeer')), ports: listOf(ref('networkPolicyPort')) },
      }),
    },
  },
};

/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), the types the API server checks; which
 * fields must be there, and that a peer or protocol entry has exactly one, the model reports.
 */
const CLUSTER_POLICY_PORT: Schema = {
  type: ['object', 'null'],
  description: 'a mapping with destinationPort',
  properties: {
    destinationPort: {
      type: ['object', 'null'],
      description: 'a mapping with number or range',
      properties: {
        number: OPT_PORT_NUMBER,
        range: {
          type: ['object', 'null'],
          description: 'a mapping with start and end',
          required: ['start', 'end'],
          properties: { start: PORT_NUMBER, end: PORT_NUMBER },
        },
      },
    },
  },
};
const CLUSTER_POLICY_ACTION: Schema = { enum: ['Accept', 'Deny', 'Pass'], description: 'one of Accept, Deny, Pass' };
const CLUSTER_POLICY_PROTOCOL: Schema = {
  type: 'object',
  description: 'a mapping with tcp, udp, sctp or destinationNamedPort',
  properties: { tcp: CLUSTER_POLICY_PORT, udp: CLUSTER_POLICY_PORT, sctp: CLUSTER_POLICY_PORT, destinationNamedPort: OPT_PORT_NAME },
};
const CLUSTER_POLICY_DEFINITIONS: Readonly<Record<string, Schema>> = {
  clusterPolicyNamespacedPod: {
    type: ['object', 'null'],
    description: 'a mapping with namespaceSelector and podSelector',
    properties: { namespaceSelector: ref('optionalLabelSelector'), podSelector: ref('optionalLabelSelector') },
  },
  clusterPolicyIngressPeer: {
    type: 'object',
    description: 'a mapping (a peer with namespaces or pods)',
    properties: {
      namespaces: ref('optionalLabelSelector'),
      pods: ref('clusterPolicyNamespacedPod'),
    },
  },
  clusterPolicyEgressPeer: {
    type: 'object',
    description: 'a mapping (a peer with namespaces, pods, networks, nodes or domainNames)',
    properties: {
      namespaces: ref('optionalLabelSelector'),
      pods: ref('clusterPolicyNamespacedPod'),
      networks: OPT_STRINGS,
      nodes: ref('optionalLabelSelector'),
      domainNames: OPT_STRINGS,
    },
  },
  clusterPolicyIngressRule: {
    type: 'object',
    description: 'a mapping (a rule with name, action, from and protocols)',
    properties: {
      name: OPT_STRING,
      action: CLUSTER_POLICY_ACTION,
      from: listOf(ref('clusterPolicyIngressPeer')),
      protocols: listOf(CLUSTER_POLICY_PROTOCOL),
    },
  },
  clusterPolicyEgressRule: {
    type: 'object',
    description: 'a mapping (a rule with name, action, to and protocols)',
    properties: {
      name: OPT_STRING,
      action: CLUSTER_POLICY_ACTION,
      to: listOf(ref('clusterPolicyEgressPeer')),
      protocols: listOf(CLUSTER_POLICY_PROTOCOL),
    },
  },
  clusterNetworkPolicySpec: {
    type: 'object',
    description: 'a mapping (a ClusterNetworkPolicy spec)',
    properties: {
      tier: { enum: ['Admin', 'Baseline'], description: 'one of Admin, Baseline' },
      priority: { type: 'integer', minimum: 0, maximum: 1000, description: 'an integer from 0 to 1000' },
      subject: {
        type: 'object',
        description: 'a mapping with namespaces or pods',
        properties: { namespaces: ref('optionalLabelSelector'), pods: ref('clusterPolicyNamespacedPod') },
      },
      ingress: listOf(ref('clusterPolicyIngressRule')),
      egress: listOf(ref('clusterPolicyEgressRule')),
    },
  },
};

/** The top-level schema of a kind: metadata (named as `metadata` says) plus the given fields (spec, status...). */
const kindSchema = kindSchemaMaker({ ...DEFINITIONS, ...CLUSTER_POLICY_DEFINITIONS }, 'schemas.ts');

/**
 * One schema object for the workload kinds: ajv caches compiled schemas by object identity,
 * so compiling it again for another kind costs nothing.
 */
const WORKLOAD = kindSchema({ spec: ref('workloadSpec') });

/**
 * Schemas by the `schema` key of each kind (kinds.ts): the kind's name, or a name of its own for
 * a kind whose name another group already has. List wrappers are not here: the loader unpacks lists.
 */
export const KIND_SCHEMAS: Readonly<Record<string, object>> = Object.freeze({
  Namespace: kindSchema({}, 'namespaceMeta'),
  Pod: kindSchema({ spec: ref('podSpec'), status: ref('podStatus') }),
  Deployment: WORKLOAD,
  ReplicaSet: WORKLOAD,
  StatefulSet: WORKLOAD,
  DaemonSet: WORKLOAD,
  Job: kindSchema({ spec: ref('jobSpec') }),
  CronJob: kindSchema({ spec: ref('cronJobSpec') }, 'cronJobMeta'),
  ReplicationController: kindSchema({ spec: ref('replicationControllerSpec') }),
  Service: kindSchema({ spec: ref('serviceSpec') }, 'serviceMeta'),
  Endpoints: kindSchema({ subsets: listOf(ref('endpointSubset')) }),
  EndpointSlice: kindSchema({
    addressType: orNull({ enum: ['IPv4', 'IPv6', 'FQDN'] }),
    endpoints: listOf(ref('sliceEndpoint')),
    ports: listOf(ref('endpointPort')),
  }),
  Ingress: kindSchema({ spec: ref('ingressSpec') }),
  IngressClass: kindSchema({
    spec: {
      type: ['object', 'null'],
      description: 'a mapping (an IngressClass spec)',
      properties: { controller: OPT_STRING, parameters: OPT_OBJECT },
    },
  }),
  NetworkPolicy: kindSchema({ spec: ref('networkPolicySpec') }),
  ClusterNetworkPolicy: kindSchema({ spec: ref('clusterNetworkPolicySpec') }),
  Node: kindSchema({
    spec: {
      type: ['object', 'null'],
      description: 'a mapping (a node spec)',
      properties: { podCIDR: OPT_STRING, podCIDRs: OPT_STRINGS },
    },
    status: {
      type: ['object', 'null'],
      description: 'a mapping (a node status)',
      properties: {
        capacity: {
          type: ['object', 'null'],
          description: 'a mapping of resource quantities',
          // A quantity: `110` or `"110"`.
          properties: { pods: { type: ['string', 'integer', 'null'], description: 'a quantity such as 110' } },
        },
        addresses: listOf({
          type: 'object',
          description: 'a mapping with type and address',
          properties: { type: OPT_STRING, address: OPT_STRING },
        }),
      },
    },
  }),
  HorizontalPodAutoscaler: kindSchema({
    spec: {
      type: ['object', 'null'],
      description: 'a mapping (a HorizontalPodAutoscaler spec)',
      properties: {
        scaleTargetRef: {
          type: ['object', 'null'],
          description: 'a mapping with apiVersion, kind and name',
          properties: { apiVersion: OPT_STRING, kind: OPT_STRING, name: OPT_STRING },
        },
        // Scaling to zero needs the HPAScaleToZero feature gate (alpha, off by default).
        minReplicas: orNull({ type: 'integer', minimum: 1, maximum: INT32_MAX, description: `an integer from 1 to ${INT32_MAX}` }),
        maxReplicas: orNull({ type: 'integer', minimum: 1, maximum: INT32_MAX, description: `an integer from 1 to ${INT32_MAX}` }),
      },
    },
  }),
  AdminNetworkPolicy: kindSchema({ spec: ADMIN_POLICY_SPEC }),
  BaselineAdminNetworkPolicy: kindSchema({ spec: ADMIN_POLICY_SPEC }),
  Route: kindSchema({
    spec: {
      type: ['object', 'null'],
      description: 'a mapping (a Route spec)',
      properties: {
        host: OPT_STRING,
        subdomain: OPT_STRING,
        path: OPT_STRING,
        to: { ...ROUTE_TARGET, type: ['object', 'null'] },
        alternateBackends: listOf(ROUTE_TARGET),
        port: {
          type: ['object', 'null'],
          description: 'a mapping with targetPort',
          // A Service port's number or name (a DNS label of up to 63 characters).
          properties: { targetPort: { type: ['integer', 'string', 'null'], description: 'a port number or name' } },
        },
        tls: {
          type: ['object', 'null'],
          description: 'a mapping (TLS settings)',
          properties: { termination: OPT_STRING, insecureEdgeTerminationPolicy: OPT_STRING },
        },
        wildcardPolicy: OPT_STRING,
      },
    },
  }),
  ...Object.fromEntries(Object.entries(GATEWAY_API_SPECS).map(([key, spec]) => [key, kindSchema({ spec })])),
  Prometheus: kindSchema({
    spec: operatorWorkloadSpec('Prometheus', {
      shards: OPT_INT32,
      thanos: {
        type: ['object', 'null'],
        description: 'a mapping (Thanos sidecar settings)',
        properties: { listenLocal: OPT_BOOLEAN, grpcListenLocal: OPT_BOOLEAN, httpListenLocal: OPT_BOOLEAN },
      },
    }),
  }),
  Alertmanager: kindSchema({ spec: operatorWorkloadSpec('Alertmanager') }),
  ThanosRuler: kindSchema({ spec: operatorWorkloadSpec('ThanosRuler') }),
  ...CILIUM_SCHEMAS,
  ...ISTIO_SCHEMAS,
  ...CALICO_SCHEMAS,
});
