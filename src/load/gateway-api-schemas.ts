/**
 * JSON schemas (draft-07) for the fields k8snet reads from the Gateway API kinds
 * (gateway.networking.k8s.io), in the style of schemas.ts: loose where the API is loose (unknown
 * fields allowed, `null` accepted for an optional field), strict on the types and ranges k8snet
 * reads. Their `description`s are the phrases schema-messages.ts puts after "must be".
 *
 * Only the specs and the definitions they use are here: schemas.ts makes the kind schemas, with
 * the object metadata every kind shares (names, labels and annotations as the API server checks
 * them, which it does for custom resources too).
 */

import {
  OPT_MAPPING, OPT_PORT_NUMBER, OPT_STRING, OPT_STRINGS, PORT_NUMBER, STRING, UNCHECKED_LABEL_SELECTOR, listOf, oneOfValues, ref, type Schema,
} from './schema-fragments.js';

/**
 * The definitions the Gateway API specs refer to, added to schemas.ts's (whose `stringMap` they
 * use too); each kind schema embeds the ones it reaches.
 */
export const GATEWAY_API_DEFINITIONS: Readonly<Record<string, Schema>> = {
  /**
   * A label selector as the Gateway API's CRDs declare it (metav1.LabelSelector without the
   * API server's label checks, which custom resources do not get).
   */
  gatewayLabelSelector: UNCHECKED_LABEL_SELECTOR,
  /** ParentReference: a Gateway (by default), a listener of it, or another parent such as a Service. */
  parentReference: {
    type: 'object',
    description: 'a mapping (a parent reference with group, kind, namespace, name, sectionName and port)',
    required: ['name'],
    properties: { group: OPT_STRING, kind: OPT_STRING, namespace: OPT_STRING, name: STRING, sectionName: OPT_STRING, port: OPT_PORT_NUMBER },
  },
  /** BackendRef: a Service (by default) or another backend kind, with a port and a weight. */
  backendRef: {
    type: 'object',
    description: 'a mapping (a backend reference with group, kind, namespace, name, port and weight)',
    required: ['name'],
    properties: {
      group: OPT_STRING,
      kind: OPT_STRING,
      namespace: OPT_STRING,
      name: STRING,
      port: OPT_PORT_NUMBER,
      weight: { type: ['integer', 'null'], minimum: 0, maximum: 1000000, description: 'an integer from 0 to 1000000' },
    },
  },
  routeFilter: {
    type: 'object',
    description: 'a mapping (a route filter)',
    properties: {
      type: OPT_STRING,
      requestRedirect: {
        type: ['object', 'null'],
        description: 'a mapping (a request redirect)',
        properties: { scheme: OPT_STRING, hostname: OPT_STRING, port: OPT_PORT_NUMBER, statusCode: { type: ['integer', 'null'], description: 'an integer' } },
      },
    },
  },
  headerMatch: {
    type: 'object',
    description: 'a mapping with name and value',
    properties: { type: OPT_STRING, name: STRING, value: OPT_STRING },
  },
  httpRouteMatch: {
    type: 'object',
    description: 'a mapping (an HTTP route match)',
    properties: {
      path: {
        type: ['object', 'null'],
        description: 'a mapping with type and value',
        properties: { type: oneOfValues(['Exact', 'PathPrefix', 'RegularExpression']), value: OPT_STRING },
      },
      method: OPT_STRING,
      headers: listOf(ref('headerMatch')),
      queryParams: listOf(ref('headerMatch')),
    },
  },
  grpcRouteMatch: {
    type: 'object',
    description: 'a mapping (a gRPC route match)',
    properties: {
      method: {
        type: ['object', 'null'],
        description: 'a mapping with type, service and method',
        properties: { type: OPT_STRING, service: OPT_STRING, method: OPT_STRING },
      },
      headers: listOf(ref('headerMatch')),
    },
  },
  listener: {
    type: 'object',
    description: 'a mapping (a listener with name, port, protocol, hostname, tls and allowedRoutes)',
    required: ['name', 'port', 'protocol'],
    properties: {
      name: STRING,
      port: PORT_NUMBER,
      protocol: STRING,
      hostname: OPT_STRING,
      tls: {
        type: ['object', 'null'],
        description: 'a mapping with mode and certificateRefs',
        properties: {
          mode: oneOfValues(['Terminate', 'Passthrough']),
          certificateRefs: listOf({
            type: 'object',
            description: 'a mapping (a certificate reference with group, kind, namespace and name)',
            required: ['name'],
            properties: { group: OPT_STRING, kind: OPT_STRING, namespace: OPT_STRING, name: STRING },
          }),
        },
      },
      allowedRoutes: {
        type: ['object', 'null'],
        description: 'a mapping with namespaces and kinds',
        properties: {
          namespaces: {
            type: ['object', 'null'],
            description: 'a mapping with from and selector',
            properties: {
              from: oneOfValues(['All', 'Same', 'Selector']),
              selector: ref('gatewayLabelSelector'),
            },
          },
          kinds: listOf({
            type: 'object',
            description: 'a mapping with group and kind',
            required: ['kind'],
            properties: { group: OPT_STRING, kind: STRING },
          }),
        },
      },
    },
  },
};

/** The spec of a route kind: parents, hostnames (where the kind has them) and rules of the given match shape. */
function routeSpec(description: string, options: { hostnames: boolean; match?: string; filters: boolean }): Schema {
  const rule: Record<string, unknown> = { backendRefs: listOf(ref('backendRef')) };
  if (options.match) rule.matches = listOf(ref(options.match));
  if (options.filters) rule.filters = listOf(ref('routeFilter'));
  return {
    type: ['object', 'null'],
    description,
    properties: {
      parentRefs: listOf(ref('parentReference')),
      ...(options.hostnames ? { hostnames: OPT_STRINGS } : {}),
      rules: listOf({ type: 'object', description: 'a mapping (a route rule)', properties: rule }),
    },
  };
}

/** The specs of the Gateway API kinds, by the schema key of each (kinds.ts). */
export const GATEWAY_API_SPECS: Readonly<Record<string, Schema>> = {
  GatewayClass: {
    type: ['object', 'null'],
    description: 'a mapping (a GatewayClass spec)',
    properties: { controllerName: OPT_STRING, parametersRef: OPT_MAPPING },
  },
  Gateway: {
    type: ['object', 'null'],
    description: 'a mapping (a Gateway spec)',
    properties: {
      gatewayClassName: OPT_STRING,
      listeners: listOf(ref('listener')),
      addresses: listOf({ type: 'object', description: 'a mapping with type and value', properties: { type: OPT_STRING, value: OPT_STRING } }),
      infrastructure: {
        type: ['object', 'null'],
        description: 'a mapping with labels and annotations',
        properties: { labels: ref('stringMap'), annotations: ref('stringMap'), parametersRef: OPT_MAPPING },
      },
    },
  },
  HTTPRoute: routeSpec('a mapping (an HTTPRoute spec)', { hostnames: true, match: 'httpRouteMatch', filters: true }),
  GRPCRoute: routeSpec('a mapping (a GRPCRoute spec)', { hostnames: true, match: 'grpcRouteMatch', filters: true }),
  TLSRoute: routeSpec('a mapping (a TLSRoute spec)', { hostnames: true, filters: false }),
  TCPRoute: routeSpec('a mapping (a TCPRoute spec)', { hostnames: false, filters: false }),
  UDPRoute: routeSpec('a mapping (a UDPRoute spec)', { hostnames: false, filters: false }),
  ReferenceGrant: {
    type: ['object', 'null'],
    description: 'a mapping (a ReferenceGrant spec)',
    properties: {
      from: listOf({
        type: 'object',
        description: 'a mapping with group, kind and namespace',
        required: ['group', 'kind', 'namespace'],
        properties: { group: STRING, kind: STRING, namespace: STRING },
      }),
      to: listOf({
        type: 'object',
        description: 'a mapping with group, kind and name',
        required: ['group', 'kind'],
        properties: { group: STRING, kind: STRING, name: OPT_STRING },
      }),
    },
  },
};
