/**
 * JSON schemas (draft-07) for the fields k8snet reads from Cilium's kinds (cilium.io/v2
 * CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, CiliumCIDRGroup), in the style of
 * schemas.ts: unknown fields allowed, `null` accepted for an optional field, and the types,
 * enumerations and ranges of the CRDs' OpenAPI schemas checked the way the API server checks
 * them (Cilium 1.19's `ciliumnetworkpolicies.yaml`, as generated from `pkg/policy/api`).
 *
 * What the CRDs express with `oneOf`/`anyOf` (a rule needs endpointSelector or nodeSelector and at
 * least one of ingress, ingressDeny, egress, egressDeny; a CIDR rule needs exactly one of cidr,
 * cidrGroupRef, cidrGroupSelector; an FQDN selector matchName or matchPattern) and the formats
 * (CIDRs, DNS names, label values) are checked by the model (src/model/build-cilium.ts), which
 * words a message for each; the agent's own validation (`Rule.Sanitize`) is checked there too.
 *
 * Keyed by the kinds' `schema` names in kinds.ts (cilium-kinds.ts). Their `description`s are the phrases
 * schema-messages.ts puts after "must be".
 */

import {
  METADATA_DEFINITIONS, OPT_BOOLEAN, OPT_MAPPING, OPT_STRING, OPT_STRINGS, STRING, UNCHECKED_LABEL_SELECTOR, kindSchemaMaker, listOf, oneOfValues, ref,
  type Schema,
} from './schema-fragments.js';

/** The entities the CRD's enumeration accepts (`pkg/policy/api/entity.go`). */
export const CILIUM_ENTITY_NAMES: readonly string[] = [
  'all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver',
];

/** The protocols a port may name (the CRD's enumeration; VRRP and IGMP have no ports). */
export const CILIUM_PORT_PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'ANY'];

const SECRET_REFERENCE: Schema = {
  type: 'object',
  description: 'a mapping with the secret name and namespace',
  required: ['name'],
  properties: { name: STRING, namespace: OPT_STRING },
};

const TLS_CONTEXT: Schema = {
  type: ['object', 'null'],
  description: 'a mapping (a TLS context with a secret)',
  required: ['secret'],
  properties: { secret: SECRET_REFERENCE, trustedCA: OPT_STRING, certificate: OPT_STRING, privateKey: OPT_STRING },
};

/**
 * An ingress or egress rule, allowing or denying (IngressRule, IngressDenyRule, EgressRule,
 * EgressDenyRule): the same peers, `from…` or `to…`; services on egress only; FQDNs and
 * authentication on allow rules only; deny rules' ports carry no L7 rules.
 */
function peerRule(direction: 'ingress' | 'egress', action: 'allow' | 'deny'): Schema {
  const peer = direction === 'ingress' ? 'from' : 'to';
  const isAllow = action === 'allow';
  return {
    type: 'object',
    description: `a mapping (an ${direction} ${isAllow ? '' : 'deny '}rule)`,
    properties: {
      [`${peer}Endpoints`]: listOf(ref('endpointSelector')),
      [`${peer}Requires`]: ref('requires'),
      [`${peer}CIDR`]: OPT_STRINGS,
      [`${peer}CIDRSet`]: listOf(ref('cidrRule')),
      [`${peer}Entities`]: ref('entities'),
      ...(direction === 'egress' ? { toServices: listOf(ref('service')) } : {}),
      ...(direction === 'egress' && isAllow ? { toFQDNs: listOf(ref('fqdnSelector')) } : {}),
      [`${peer}Nodes`]: listOf(ref('endpointSelector')),
      [`${peer}Groups`]: listOf(OPT_MAPPING),
      toPorts: listOf(ref(isAllow ? 'portRule' : 'portDenyRule')),
      icmps: listOf(ref('icmpRule')),
      ...(isAllow ? { authentication: ref('authentication') } : {}),
    },
  };
}

/** Shared definitions; each kind schema embeds the ones it reaches. */
const DEFINITIONS: Readonly<Record<string, Schema>> = {
  // Object metadata as the API server checks it for every custom resource.
  ...METADATA_DEFINITIONS,
  // Keys may carry a source (`k8s:app`, `any:app`, `reserved:host`): the model reads them.
  endpointSelector: UNCHECKED_LABEL_SELECTOR,
  portProtocol: {
    type: 'object',
    description: 'a mapping (a port with port, endPort and protocol)',
    properties: {
      // The CRD types `port` as a string: `port: 80` unquoted is refused by the API server.
      port: { type: ['string', 'null'], description: 'a string (a port number in quotes, such as "80", or a port name)' },
      endPort: { type: ['integer', 'null'], minimum: 0, maximum: 65535, description: 'an integer from 0 to 65535' },
      protocol: oneOfValues(CILIUM_PORT_PROTOCOLS),
    },
  },
  portDenyRule: {
    type: 'object',
    description: 'a mapping with ports',
    properties: { ports: listOf(ref('portProtocol'), 'a list of ports', 40) },
  },
  fqdnSelector: {
    type: 'object',
    description: 'a mapping with matchName or matchPattern',
    properties: { matchName: OPT_STRING, matchPattern: OPT_STRING },
  },
  l7Rules: {
    type: ['object', 'null'],
    description: 'a mapping with http, kafka, dns or l7proto rules',
    properties: {
      http: listOf({
        type: 'object',
        description: 'a mapping (an HTTP rule with method, path, host and headers)',
        properties: {
          method: OPT_STRING,
          path: OPT_STRING,
          host: OPT_STRING,
          headers: OPT_STRINGS,
          headerMatches: listOf({
            type: 'object',
            description: 'a mapping with name, value and mismatch',
            required: ['name'],
            properties: { name: STRING, value: OPT_STRING, mismatch: oneOfValues(['LOG', 'ADD', 'DELETE', 'REPLACE']) },
          }),
        },
      }),
      kafka: listOf({
        type: 'object',
        description: 'a mapping (a Kafka rule with role, apiKey, apiVersion, clientID and topic)',
        properties: {
          role: oneOfValues(['produce', 'consume']),
          apiKey: OPT_STRING,
          apiVersion: OPT_STRING,
          clientID: OPT_STRING,
          topic: { type: ['string', 'null'], maxLength: 255, description: 'a string of at most 255 characters' },
        },
      }),
      dns: listOf(ref('fqdnSelector')),
      l7proto: OPT_STRING,
      l7: listOf({ type: 'object', description: 'a mapping of keys to string values', additionalProperties: STRING }),
    },
  },
  portRule: {
    type: 'object',
    description: 'a mapping (a port rule with ports and rules)',
    properties: {
      ports: listOf(ref('portProtocol'), 'a list of ports', 40),
      rules: ref('l7Rules'),
      serverNames: OPT_STRINGS,
      terminatingTLS: TLS_CONTEXT,
      originatingTLS: TLS_CONTEXT,
      listener: {
        type: ['object', 'null'],
        description: 'a mapping with the listener name and its envoyConfig',
        required: ['envoyConfig', 'name'],
        properties: {
          envoyConfig: {
            type: 'object',
            description: 'a mapping with the kind and name of a CiliumEnvoyConfig',
            required: ['name'],
            properties: {
              kind: oneOfValues(['CiliumEnvoyConfig', 'CiliumClusterwideEnvoyConfig']),
              name: STRING,
            },
          },
          name: STRING,
          priority: { type: ['integer', 'null'], minimum: 1, maximum: 100, description: 'an integer from 1 to 100' },
        },
      },
    },
  },
  icmpRule: {
    type: 'object',
    description: 'a mapping with fields',
    properties: {
      fields: listOf({
        type: 'object',
        description: 'a mapping with family and type',
        required: ['type'],
        properties: {
          family: oneOfValues(['IPv4', 'IPv6']),
          // An integer from 0 to 255 or a type name; names are checked against the family by the model.
          type: {
            description: 'an ICMP type: an integer from 0 to 255 or a name such as EchoRequest',
            oneOf: [{ type: 'integer', minimum: 0, maximum: 255 }, { type: 'string' }],
          },
        },
      }, 'a list of ICMP fields', 40),
    },
  },
  cidrRule: {
    type: 'object',
    description: 'a mapping with cidr, cidrGroupRef or cidrGroupSelector, and except',
    properties: {
      cidr: OPT_STRING,
      cidrGroupRef: OPT_STRING,
      cidrGroupSelector: ref('endpointSelector'),
      except: OPT_STRINGS,
    },
  },
  entities: {
    type: ['array', 'null'],
    description: 'a list of entities',
    items: { enum: CILIUM_ENTITY_NAMES, description: `one of ${CILIUM_ENTITY_NAMES.join(', ')}` },
  },
  service: {
    type: 'object',
    description: 'a mapping with k8sService or k8sServiceSelector',
    properties: {
      k8sService: {
        type: ['object', 'null'],
        description: 'a mapping with serviceName and namespace',
        properties: { serviceName: OPT_STRING, namespace: OPT_STRING },
      },
      k8sServiceSelector: {
        type: ['object', 'null'],
        description: 'a mapping with a selector and a namespace',
        required: ['selector'],
        properties: { selector: ref('endpointSelector'), namespace: OPT_STRING },
      },
    },
  },
  authentication: {
    type: ['object', 'null'],
    description: 'a mapping with mode',
    required: ['mode'],
    properties: { mode: { enum: ['disabled', 'required', 'test-always-fail'], description: 'one of disabled, required, test-always-fail' } },
  },
  // fromRequires/toRequires: deprecated in 1.17, removed in 1.19 (the CRD allows no entries);
  // read here as selectors so that older policies are still understood (the model says so).
  requires: listOf(ref('endpointSelector')),
  ingressRule: peerRule('ingress', 'allow'),
  ingressDenyRule: peerRule('ingress', 'deny'),
  egressRule: peerRule('egress', 'allow'),
  egressDenyRule: peerRule('egress', 'deny'),
  rule: {
    type: ['object', 'null'],
    description: 'a mapping (a Cilium policy rule)',
    properties: {
      endpointSelector: ref('endpointSelector'),
      nodeSelector: ref('endpointSelector'),
      ingress: listOf(ref('ingressRule')),
      ingressDeny: listOf(ref('ingressDenyRule')),
      egress: listOf(ref('egressRule')),
      egressDeny: listOf(ref('egressDenyRule')),
      enableDefaultDeny: {
        type: ['object', 'null'],
        description: 'a mapping with ingress and egress',
        properties: { ingress: OPT_BOOLEAN, egress: OPT_BOOLEAN },
      },
      labels: listOf({
        type: 'object',
        description: 'a mapping with key, value and source',
        required: ['key'],
        properties: { key: STRING, value: OPT_STRING, source: OPT_STRING },
      }),
      description: OPT_STRING,
    },
  },
};

const kindSchema = kindSchemaMaker(DEFINITIONS, 'cilium-schemas.ts');

/** One schema object for both policy kinds (ajv compiles it once). */
const POLICY = kindSchema({ spec: ref('rule'), specs: listOf(ref('rule'), 'a list of rules') });

/** Schemas of the Cilium kinds, by their `schema` key (cilium-kinds.ts). */
export const CILIUM_SCHEMAS: Readonly<Record<string, object>> = {
  CiliumNetworkPolicy: POLICY,
  CiliumClusterwideNetworkPolicy: POLICY,
  CiliumCIDRGroup: kindSchema({
    spec: {
      type: 'object',
      description: 'a mapping (a CiliumCIDRGroup spec)',
      required: ['externalCIDRs'],
      properties: { externalCIDRs: { type: 'array', description: 'a list of CIDRs', items: STRING } },
    },
  }),
};
