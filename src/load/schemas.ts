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

import { GATEWAY_API_SCHEMAS } from './gateway-api-schemas.js';
import { CALICO_SCHEMAS } from './calico-schemas.js';

type Schema = { readonly [keyword: string]: unknown };

/** IANA_SVC_NAME, as the API server checks container port names and named target ports. */
export const PORT_NAME_PATTERN = '^(?=.{1,15}$)(?!.*--)(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$';

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

/** Accepts `null` as well: an optional field left empty in YAML, which kubectl treats as absent. */
function orNull(schema: Schema): Schema {
  const result: Record<string, unknown> = { ...schema };
  if (typeof schema.type === 'string') result.type = [schema.type, 'null'];
  else if (Array.isArray(schema.type)) result.type = [...schema.type, 'null'];
  if (Array.isArray(schema.enum)) result.enum = [...schema.enum, null];
  return result;
}

/** An optional list of `items`. */
const listOf = (items: Schema, description = 'a list'): Schema => ({ type: ['array', 'null'], description, items });

// Leaf shapes: spread into the nodes that use them, so each is written once.
const STRING: Schema = { type: 'string' };
const OPT_STRING = orNull(STRING);
const OPT_BOOLEAN: Schema = { type: ['boolean', 'null'], description: 'true or false' };
const OPT_OBJECT: Schema = { type: ['object', 'null'], description: 'a mapping' };
const PORT_NUMBER: Schema = { type: 'integer', minimum: 1, maximum: 65535, description: 'an integer from 1 to 65535' };
const OPT_PORT_NUMBER = orNull(PORT_NUMBER);
const PORT_NAME: Schema = {
  type: 'string',
  pattern: PORT_NAME_PATTERN,
  description: "a port name (at most 15 lowercase letters, digits and '-')",
};
const OPT_PORT_NAME = orNull(PORT_NAME);
const OPT_PORT_OR_ZERO = orNull({ type: 'integer', minimum: 0, maximum: 65535, description: 'an integer from 0 to 65535' });
const OPT_COUNT = orNull({ type: 'integer', minimum: 0, description: 'an integer of 0 or more' });
const OPT_PROTOCOL = orNull({ enum: ['TCP', 'UDP', 'SCTP'], description: 'one of TCP, UDP, SCTP' });
const OPT_STRINGS = listOf(STRING, 'a list of strings');

const LABEL_SELECTOR_SHAPE: Schema = {
  type: 'object',
  description: 'a mapping (a label selector)',
  properties: {
    matchLabels: ref('stringMap'),
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

/** Shared definitions; each kind schema embeds the ones it reaches. */
const DEFINITIONS: Readonly<Record<string, Schema>> = {
  stringMap: {
    type: ['object', 'null'],
    description: 'a mapping of keys to string values',
    additionalProperties: STRING,
  },
  objectMeta: {
    type: 'object',
    description: 'a mapping (object metadata)',
    properties: {
      name: STRING,
      generateName: OPT_STRING,
      namespace: OPT_STRING,
      labels: ref('stringMap'),
      annotations: ref('stringMap'),
    },
  },
  labelSelectorRequirement: {
    type: 'object',
    description: 'a mapping with key, operator and values',
    required: ['key', 'operator'],
    properties: { key: STRING, operator: STRING, values: OPT_STRINGS },
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
    properties: { name: OPT_STRING, ports: listOf(ref('containerPort')) },
  },
  podSpec: {
    type: 'object',
    description: 'a mapping (a pod spec)',
    properties: {
      hostNetwork: OPT_BOOLEAN,
      containers: listOf(ref('container')),
      initContainers: listOf(ref('container')),
      nodeName: OPT_STRING,
      nodeSelector: ref('stringMap'),
      hostname: OPT_STRING,
      subdomain: OPT_STRING,
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
    properties: {
      replicas: OPT_COUNT,
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
      selector: ref('stringMap'),
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
        properties: { metadata: ref('objectMeta'), spec: ref('workloadSpec') },
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
      name: OPT_STRING,
      protocol: OPT_PROTOCOL,
      appProtocol: OPT_STRING,
    },
  },
  serviceSpec: {
    type: 'object',
    description: 'a mapping (a service spec)',
    properties: {
      type: orNull({ enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] }),
      selector: ref('stringMap'),
      ports: listOf(ref('servicePort')),
      clusterIP: OPT_STRING,
      clusterIPs: OPT_STRINGS,
      externalName: OPT_STRING,
      externalIPs: OPT_STRINGS,
      loadBalancerIP: OPT_STRING,
      loadBalancerSourceRanges: OPT_STRINGS,
      externalTrafficPolicy: OPT_STRING,
      allocateLoadBalancerNodePorts: OPT_BOOLEAN,
      internalTrafficPolicy: OPT_STRING,
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

/** The top-level schema of a kind: metadata plus the given fields (spec, status...). */
function kindSchema(fields: Readonly<Record<string, Schema>> = {}): object {
  const root: Record<string, unknown> = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    description: 'a mapping (a Kubernetes object)',
    properties: { metadata: ref('objectMeta'), ...fields },
  };
  root.definitions = reachableDefinitions(root);
  return root;
}

/** The definitions `schema` refers to, directly or through other definitions. */
function reachableDefinitions(schema: unknown): Record<string, Schema> {
  const found: Record<string, Schema> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') {
          const name = value.replace('#/definitions/', '');
          const definition = DEFINITIONS[name];
          if (!definition) throw new Error(`schemas.ts: no definition ${value}`);
          if (!(name in found)) {
            found[name] = definition;
            visit(definition);
          }
        } else if (key !== 'definitions') {
          visit(value);
        }
      }
    }
  };
  visit(schema);
  return found;
}

/**
 * One schema object for the five workload kinds: ajv caches compiled schemas by object identity,
 * so compiling it again for another kind costs nothing.
 */
const WORKLOAD = kindSchema({ spec: ref('workloadSpec') });

/**
 * Schemas by kind, and by `kind.group` for kinds known by group (kinds.ts `GROUP_KINDS`). List
 * wrappers are not here: the loader unpacks lists.
 */
export const KIND_SCHEMAS: Readonly<Record<string, object>> = Object.freeze({
  Namespace: kindSchema(),
  Pod: kindSchema({ spec: ref('podSpec'), status: ref('podStatus') }),
  Deployment: WORKLOAD,
  ReplicaSet: WORKLOAD,
  StatefulSet: WORKLOAD,
  DaemonSet: WORKLOAD,
  Job: WORKLOAD,
  CronJob: kindSchema({ spec: ref('cronJobSpec') }),
  ReplicationController: kindSchema({ spec: ref('replicationControllerSpec') }),
  Service: kindSchema({ spec: ref('serviceSpec') }),
  Endpoints: kindSchema({ subsets: listOf(ref('endpointSubset')) }),
  EndpointSlice: kindSchema({
    addressType: OPT_STRING,
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
        addresses: listOf({
          type: 'object',
          description: 'a mapping with type and address',
          properties: { type: OPT_STRING, address: OPT_STRING },
        }),
      },
    },
  }),
  ...GATEWAY_API_SCHEMAS,
  ...CALICO_SCHEMAS,
});
