/**
 * JSON schemas (draft-07) for the fields k8snet reads from Istio's kinds (security.istio.io and
 * networking.istio.io), in the style of schemas.ts: loose where the CRDs are loose (unknown
 * fields allowed, `null` accepted for an optional field), strict on the types and enums the
 * CRDs' structural schemas declare, since the API server refuses an object that breaks them
 * (`ports: [8080]` where the CRD wants strings is refused before istiod ever sees it). Their
 * `description`s are the phrases schema-messages.ts puts after "must be".
 *
 * Keyed by the kinds' `schema` names (istio-kinds.ts): an Istio Gateway is `IstioGateway`, never
 * checked against the Gateway API's schema. Semantic checks istiod's validating webhook makes (an empty `from`, a
 * CUSTOM policy without a provider) are the graph builder's (src/model/build-istio.ts).
 */

import { METADATA_DEFINITIONS, OPT_BOOLEAN, OPT_MAPPING, OPT_STRING, OPT_STRINGS, STRING, kindSchemaMaker, listOf, oneOfValues, ref, type Schema } from './schema-fragments.js';

/** A port number as Istio's CRDs type it (uint32). */
const PORT_NUMBER: Schema = { type: 'integer', minimum: 0, maximum: 4294967295, description: 'a port number' };
const OPT_PORT_NUMBER: Schema = { ...PORT_NUMBER, type: ['integer', 'null'] };

/** Shared definitions; each kind schema embeds the ones it reaches. */
const DEFINITIONS: Readonly<Record<string, Schema>> = {
  // Object metadata as the API server checks it for every custom resource.
  ...METADATA_DEFINITIONS,
  /** istio.type.v1beta1.WorkloadSelector: labels only, no expressions. */
  workloadSelector: {
    type: ['object', 'null'],
    description: 'a mapping with matchLabels',
    properties: { matchLabels: ref('stringMap') },
  },
  /** networking's WorkloadSelector (Sidecar, ServiceEntry): `labels`. */
  networkingWorkloadSelector: {
    type: ['object', 'null'],
    description: 'a mapping with labels',
    properties: { labels: ref('stringMap') },
  },
  /** istio.type.v1beta1.PolicyTargetReference. */
  policyTargetReference: {
    type: ['object', 'null'],
    description: 'a mapping (a target reference with group, kind, name and namespace)',
    required: ['kind', 'name'],
    properties: { group: OPT_STRING, kind: STRING, name: STRING, namespace: OPT_STRING },
  },
  authorizationSource: {
    type: ['object', 'null'],
    description: 'a mapping (a source)',
    properties: {
      principals: OPT_STRINGS,
      notPrincipals: OPT_STRINGS,
      requestPrincipals: OPT_STRINGS,
      notRequestPrincipals: OPT_STRINGS,
      namespaces: OPT_STRINGS,
      notNamespaces: OPT_STRINGS,
      ipBlocks: OPT_STRINGS,
      notIpBlocks: OPT_STRINGS,
      remoteIpBlocks: OPT_STRINGS,
      notRemoteIpBlocks: OPT_STRINGS,
      serviceAccounts: OPT_STRINGS,
      notServiceAccounts: OPT_STRINGS,
    },
  },
  authorizationOperation: {
    type: ['object', 'null'],
    description: 'a mapping (an operation)',
    properties: {
      hosts: OPT_STRINGS,
      notHosts: OPT_STRINGS,
      // Strings in the CRD ("8080"): a number is refused by the API server's schema check.
      ports: OPT_STRINGS,
      notPorts: OPT_STRINGS,
      methods: OPT_STRINGS,
      notMethods: OPT_STRINGS,
      paths: OPT_STRINGS,
      notPaths: OPT_STRINGS,
    },
  },
  authorizationRule: {
    type: ['object', 'null'],
    description: 'a mapping (a rule with from, to and when)',
    properties: {
      from: listOf({ type: ['object', 'null'], description: 'a mapping with source', properties: { source: ref('authorizationSource') } }),
      to: listOf({ type: ['object', 'null'], description: 'a mapping with operation', properties: { operation: ref('authorizationOperation') } }),
      when: listOf({
        type: ['object', 'null'],
        description: 'a mapping with key, values and notValues',
        properties: { key: STRING, values: OPT_STRINGS, notValues: OPT_STRINGS },
      }),
    },
  },
  mutualTls: {
    type: ['object', 'null'],
    description: 'a mapping with mode',
    properties: { mode: oneOfValues(['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT']) },
  },
  /** networking Port: number, protocol, name, targetPort. */
  istioPort: {
    type: ['object', 'null'],
    description: 'a mapping (a port with number, protocol and name)',
    properties: { number: OPT_PORT_NUMBER, protocol: OPT_STRING, name: OPT_STRING, targetPort: OPT_PORT_NUMBER },
  },
  portSelector: {
    type: ['object', 'null'],
    description: 'a mapping with number',
    properties: { number: OPT_PORT_NUMBER },
  },
  gatewayServer: {
    type: 'object',
    description: 'a mapping (a server with port, hosts and tls)',
    properties: {
      port: ref('istioPort'),
      bind: OPT_STRING,
      hosts: OPT_STRINGS,
      tls: {
        type: ['object', 'null'],
        description: 'a mapping (server TLS settings)',
        properties: {
          httpsRedirect: OPT_BOOLEAN,
          mode: oneOfValues(['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL']),
          credentialName: OPT_STRING,
        },
      },
      name: OPT_STRING,
    },
  },
  routeDestination: {
    type: ['object', 'null'],
    description: 'a mapping with destination and weight',
    properties: {
      destination: {
        type: ['object', 'null'],
        description: 'a mapping (a destination with host, subset and port)',
        properties: { host: STRING, subset: OPT_STRING, port: ref('portSelector') },
      },
      weight: { type: ['integer', 'null'], minimum: 0, description: 'an integer of 0 or more' },
    },
  },
  httpRoute: {
    type: ['object', 'null'],
    description: 'a mapping (an HTTP route)',
    properties: {
      name: OPT_STRING,
      match: listOf(OPT_MAPPING),
      route: listOf(ref('routeDestination')),
      redirect: OPT_MAPPING,
      directResponse: OPT_MAPPING,
      delegate: { type: ['object', 'null'], description: 'a mapping with name and namespace', properties: { name: OPT_STRING, namespace: OPT_STRING } },
    },
  },
  l4Route: {
    type: ['object', 'null'],
    description: 'a mapping (a TCP or TLS route)',
    properties: {
      match: listOf(OPT_MAPPING),
      route: listOf(ref('routeDestination')),
    },
  },
  clientTls: {
    type: ['object', 'null'],
    description: 'a mapping (client TLS settings)',
    properties: { mode: oneOfValues(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']) },
  },
  trafficPolicy: {
    type: ['object', 'null'],
    description: 'a mapping (a traffic policy)',
    properties: {
      tls: ref('clientTls'),
      portLevelSettings: listOf({
        type: ['object', 'null'],
        description: 'a mapping with port and tls',
        properties: { port: ref('portSelector'), tls: ref('clientTls') },
      }),
    },
  },
  sidecarListener: {
    type: ['object', 'null'],
    description: 'a mapping (a listener with port, bind and hosts)',
    properties: { port: ref('istioPort'), bind: OPT_STRING, captureMode: OPT_STRING, hosts: OPT_STRINGS, defaultEndpoint: OPT_STRING },
  },
};

const makeKindSchema = kindSchemaMaker(DEFINITIONS, 'istio-schemas.ts');
const kindSchema = (specSchema: Schema): object => makeKindSchema({ spec: specSchema });

const spec = (description: string, properties: Record<string, Schema>): Schema => ({ type: ['object', 'null'], description, properties });

/** Schemas of the Istio kinds, by their `schema` key (istio-kinds.ts). */
export const ISTIO_SCHEMAS: Readonly<Record<string, object>> = {
  AuthorizationPolicy: kindSchema(spec('a mapping (an AuthorizationPolicy spec)', {
    selector: ref('workloadSelector'),
    targetRef: ref('policyTargetReference'),
    targetRefs: listOf(ref('policyTargetReference')),
    action: oneOfValues(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']),
    provider: { type: ['object', 'null'], description: 'a mapping with name', properties: { name: OPT_STRING } },
    rules: listOf(ref('authorizationRule')),
  })),
  PeerAuthentication: kindSchema(spec('a mapping (a PeerAuthentication spec)', {
    selector: ref('workloadSelector'),
    mtls: ref('mutualTls'),
    portLevelMtls: { type: ['object', 'null'], description: 'a mapping of port numbers to mTLS settings', additionalProperties: ref('mutualTls') },
  })),
  RequestAuthentication: kindSchema(spec('a mapping (a RequestAuthentication spec)', {
    selector: ref('workloadSelector'),
    targetRef: ref('policyTargetReference'),
    targetRefs: listOf(ref('policyTargetReference')),
    jwtRules: listOf({ type: ['object', 'null'], description: 'a mapping (a JWT rule)', properties: { issuer: OPT_STRING, jwksUri: OPT_STRING } }),
  })),
  IstioGateway: kindSchema(spec('a mapping (an Istio Gateway spec)', {
    servers: listOf(ref('gatewayServer')),
    selector: ref('stringMap'),
  })),
  VirtualService: kindSchema(spec('a mapping (a VirtualService spec)', {
    hosts: OPT_STRINGS,
    gateways: OPT_STRINGS,
    http: listOf(ref('httpRoute')),
    tcp: listOf(ref('l4Route')),
    tls: listOf(ref('l4Route')),
    exportTo: OPT_STRINGS,
  })),
  DestinationRule: kindSchema(spec('a mapping (a DestinationRule spec)', {
    host: OPT_STRING,
    trafficPolicy: ref('trafficPolicy'),
    subsets: listOf({
      type: ['object', 'null'],
      description: 'a mapping (a subset with name, labels and trafficPolicy)',
      properties: { name: OPT_STRING, labels: ref('stringMap'), trafficPolicy: ref('trafficPolicy') },
    }),
    exportTo: OPT_STRINGS,
    workloadSelector: ref('workloadSelector'),
  })),
  ServiceEntry: kindSchema(spec('a mapping (a ServiceEntry spec)', {
    hosts: OPT_STRINGS,
    addresses: OPT_STRINGS,
    ports: listOf(ref('istioPort')),
    location: oneOfValues(['MESH_EXTERNAL', 'MESH_INTERNAL']),
    resolution: oneOfValues(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS']),
    endpoints: listOf({
      type: ['object', 'null'],
      description: 'a mapping (an endpoint with address, ports and labels)',
      properties: { address: OPT_STRING, ports: { type: ['object', 'null'], description: 'a mapping of port names to numbers', additionalProperties: PORT_NUMBER }, labels: ref('stringMap') },
    }),
    workloadSelector: ref('networkingWorkloadSelector'),
    exportTo: OPT_STRINGS,
  })),
  Sidecar: kindSchema(spec('a mapping (a Sidecar spec)', {
    workloadSelector: ref('networkingWorkloadSelector'),
    ingress: listOf(ref('sidecarListener')),
    egress: listOf(ref('sidecarListener')),
    outboundTrafficPolicy: {
      type: ['object', 'null'],
      description: 'a mapping with mode',
      properties: { mode: oneOfValues(['REGISTRY_ONLY', 'ALLOW_ANY']) },
    },
  })),
};
