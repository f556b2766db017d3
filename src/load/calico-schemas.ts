/**
 * JSON schemas (draft-07) for the fields k8snet reads from Calico's kinds, in the style of
 * schemas.ts: loose where Calico is loose (unknown fields allowed, `null` accepted for an
 * optional field), strict on the types k8snet reads, with the ranges Calico's CRD schemas and
 * validator state (ICMP type 0-254 and code 0-255, protocol numbers 1-255, ports 1-65535). What a
 * schema cannot say (selector syntax, protocol names, port strings, which fields go together) is
 * checked by the model builder (src/model/build-calico.ts), which reports it at the field.
 *
 * Keyed by the kinds' `schema` names (`Calico<Kind>`, calico-kinds.ts), one for both
 * `projectcalico.org` and `crd.projectcalico.org`, which share the spec; a Calico NetworkPolicy is
 * never checked against the Kubernetes one.
 */
import { CALICO_KIND_DEFINITIONS } from './calico-kinds.js';

import {
  METADATA_DEFINITIONS, OPT_BOOLEAN, OPT_STRING, OPT_STRINGS, STRING, kindSchemaMaker, listOf, objectMeta, oneOfValues, ref,
  type Schema,
} from './schema-fragments.js';

const OPT_NUMBER: Schema = { type: ['number', 'null'], description: 'a number' };
const SELECTOR: Schema = { type: ['string', 'null'], description: 'a selector written as a string, such as "app == \'web\'"' };
const PROTOCOL: Schema = {
  type: ['integer', 'string', 'null'],
  minimum: 1,
  maximum: 255,
  description: 'a protocol name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite) or a protocol number from 1 to 255',
};
const PORT: Schema = {
  type: ['integer', 'string'],
  minimum: 1,
  maximum: 65535,
  description: 'a port number from 1 to 65535, a range "from:to" or a port name',
};

const DEFINITIONS: Readonly<Record<string, Schema>> = {
  // Object metadata as the API server checks it: Calico names its resources with DNS-1123
  // subdomains (libcalico-go's validator, as the Kubernetes API server does custom resources).
  ...METADATA_DEFINITIONS,
  // Policies and tiers have stricter per-kind name rules, which the graph builder checks and
  // words (src/model/build-calico.ts); the schema leaves their names to it.
  policyMeta: objectMeta(),
  icmp: {
    type: ['object', 'null'],
    description: 'a mapping with type and code',
    properties: {
      type: { type: ['integer', 'null'], minimum: 0, maximum: 254, description: 'an ICMP type from 0 to 254' },
      code: { type: ['integer', 'null'], minimum: 0, maximum: 255, description: 'an ICMP code from 0 to 255' },
    },
  },
  entityRule: {
    type: ['object', 'null'],
    description: 'a mapping (an entity rule: nets, selector, namespaceSelector, ports, serviceAccounts, services)',
    properties: {
      nets: OPT_STRINGS,
      notNets: OPT_STRINGS,
      selector: SELECTOR,
      notSelector: SELECTOR,
      namespaceSelector: SELECTOR,
      ports: listOf(PORT, 'a list of ports'),
      notPorts: listOf(PORT, 'a list of ports'),
      serviceAccounts: {
        type: ['object', 'null'],
        description: 'a mapping with names and selector',
        properties: { names: OPT_STRINGS, selector: SELECTOR },
      },
      services: {
        type: ['object', 'null'],
        description: 'a mapping with name and namespace',
        properties: { name: OPT_STRING, namespace: OPT_STRING },
      },
    },
  },
  rule: {
    type: 'object',
    description: 'a mapping (a rule with action, protocol, source and destination)',
    required: ['action'],
    properties: {
      action: { enum: ['Allow', 'Deny', 'Log', 'Pass'], description: 'one of Allow, Deny, Log, Pass' },
      protocol: PROTOCOL,
      notProtocol: PROTOCOL,
      icmp: ref('icmp'),
      notICMP: ref('icmp'),
      ipVersion: oneOfValues([4, 6]),
      source: ref('entityRule'),
      destination: ref('entityRule'),
      http: {
        type: ['object', 'null'],
        description: 'a mapping with methods and paths',
        properties: {
          methods: OPT_STRINGS,
          paths: listOf({ type: 'object', description: 'a mapping with exact or prefix', properties: { exact: OPT_STRING, prefix: OPT_STRING } }),
        },
      },
      metadata: {
        type: ['object', 'null'],
        description: 'a mapping with annotations',
        properties: { annotations: ref('stringMap') },
      },
    },
  },
  endpointPort: {
    type: 'object',
    description: 'a mapping with name, protocol and port',
    properties: {
      name: OPT_STRING,
      protocol: PROTOCOL,
      port: { type: ['integer', 'null'], minimum: 1, maximum: 65535, description: 'an integer from 1 to 65535' },
    },
  },
};

/** The fields every Calico policy kind shares (NetworkPolicySpec, GlobalNetworkPolicySpec and their staged forms). */
const POLICY_FIELDS: Readonly<Record<string, Schema>> = {
  tier: OPT_STRING,
  order: OPT_NUMBER,
  selector: SELECTOR,
  serviceAccountSelector: SELECTOR,
  types: listOf({ enum: ['Ingress', 'Egress'], description: 'one of Ingress, Egress' }, 'a list of Ingress and Egress'),
  ingress: listOf(ref('rule'), 'a list of rules'),
  egress: listOf(ref('rule'), 'a list of rules'),
  performanceHints: OPT_STRINGS,
};

const GLOBAL_POLICY_FIELDS: Readonly<Record<string, Schema>> = {
  ...POLICY_FIELDS,
  namespaceSelector: SELECTOR,
  doNotTrack: OPT_BOOLEAN,
  preDNAT: OPT_BOOLEAN,
  applyOnForward: OPT_BOOLEAN,
};

const STAGED_ACTION = oneOfValues(['Set', 'Delete', 'Learn', 'Ignore']);

function specOf(description: string, properties: Readonly<Record<string, Schema>>): Schema {
  return { type: ['object', 'null'], description, properties };
}

const makeKindSchema = kindSchemaMaker(DEFINITIONS, 'calico-schemas.ts');
const kindSchema = (specSchema: Schema, metadata?: string): object => makeKindSchema({ spec: specSchema }, metadata);

/** One schema per kind (shared by both groups: ajv and the build key compiled code by object identity and text). */
const SCHEMAS_BY_KIND: Readonly<Record<string, object>> = {
  NetworkPolicy: kindSchema(specOf('a mapping (a Calico NetworkPolicy spec)', POLICY_FIELDS), 'policyMeta'),
  GlobalNetworkPolicy: kindSchema(specOf('a mapping (a GlobalNetworkPolicy spec)', GLOBAL_POLICY_FIELDS), 'policyMeta'),
  StagedNetworkPolicy: kindSchema(specOf('a mapping (a StagedNetworkPolicy spec)', { ...POLICY_FIELDS, stagedAction: STAGED_ACTION }), 'policyMeta'),
  StagedGlobalNetworkPolicy: kindSchema(specOf('a mapping (a StagedGlobalNetworkPolicy spec)', { ...GLOBAL_POLICY_FIELDS, stagedAction: STAGED_ACTION }), 'policyMeta'),
  StagedKubernetesNetworkPolicy: kindSchema(specOf('a mapping (a StagedKubernetesNetworkPolicy spec)', {
    stagedAction: STAGED_ACTION,
    podSelector: { type: ['object', 'null'], description: 'a mapping (a label selector)' },
    policyTypes: OPT_STRINGS,
    ingress: listOf({ type: 'object', description: 'a mapping (an ingress rule)' }),
    egress: listOf({ type: 'object', description: 'a mapping (an egress rule)' }),
  })),
  NetworkSet: kindSchema(specOf('a mapping (a NetworkSet spec)', { nets: OPT_STRINGS })),
  GlobalNetworkSet: kindSchema(specOf('a mapping (a GlobalNetworkSet spec)', { nets: OPT_STRINGS })),
  Tier: kindSchema(specOf('a mapping (a Tier spec)', {
    order: OPT_NUMBER,
    defaultAction: oneOfValues(['Deny', 'Pass']),
  }), 'policyMeta'),
  HostEndpoint: kindSchema(specOf('a mapping (a HostEndpoint spec)', {
    node: OPT_STRING,
    interfaceName: OPT_STRING,
    expectedIPs: OPT_STRINGS,
    profiles: OPT_STRINGS,
    ports: listOf(ref('endpointPort')),
  })),
  Profile: kindSchema(specOf('a mapping (a Profile spec)', {
    ingress: listOf(ref('rule'), 'a list of rules'),
    egress: listOf(ref('rule'), 'a list of rules'),
    labelsToApply: ref('stringMap'),
  })),
  WorkloadEndpoint: kindSchema(specOf('a mapping (a WorkloadEndpoint spec)', {
    orchestrator: OPT_STRING,
    workload: OPT_STRING,
    node: OPT_STRING,
    pod: OPT_STRING,
    endpoint: OPT_STRING,
    serviceAccountName: OPT_STRING,
    interfaceName: OPT_STRING,
    ipNetworks: OPT_STRINGS,
    profiles: OPT_STRINGS,
    ports: listOf(ref('endpointPort')),
  })),
};

/** Schemas of the Calico kinds, by their `schema` key (`Calico<Kind>`, calico-kinds.ts), one for both of Calico's groups. */
export const CALICO_SCHEMAS: Readonly<Record<string, object>> = Object.fromEntries(
  CALICO_KIND_DEFINITIONS.map((definition) => [definition.schema, SCHEMAS_BY_KIND[definition.kind]]),
);
