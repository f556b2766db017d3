import type { FieldPath } from '../src/load/path.js';
import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { compareRoutePrecedence, type GatewayRoute, type RouteMatch } from '../src/model/gateway-api.js';
import { routesAttachedTo } from '../src/model/gateway-attachment.js';

/** One route's claim on a hostname and match of a listener. */
interface Claim {
  readonly route: GatewayRoute;
  readonly hostname: string;
  readonly match: RouteMatch;
}

/** Flags routes that claim the same hostname and match on the same listener as another route, and lose it. */
export default defineRule({
  id: 'route-hostname-conflict',
  category: 'exposure',
  severity: 'warning',
  description: 'Two routes of one kind (HTTPRoute, GRPCRoute or TLSRoute) attached to the same Gateway listener claim the same hostname '
    + 'with the same match (path, method, headers and query parameters; gRPC service and method; for TLSRoute the SNI hostname).',
  rationale: 'Only one rule receives a request. Between equally specific matches of different routes the Gateway API gives the request to '
    + 'the oldest route by creation timestamp, then to the first by namespace/name: the other route\'s rule never sees it, and which '
    + 'one wins changes when a route is re-created. Manifests rarely carry creation timestamps, so k8snet names the winner by '
    + 'name order, unless both routes state when they were created.',
  fix: 'Route each hostname and match from one route: remove the duplicate, give it another hostname or a more specific match, or attach '
    + 'it to another listener. For a deliberate traffic split, use one rule with weighted backendRefs.',
  messages: {
    conflictByAge: '{{route}} routes {{what}} on listener {{listener}} of Gateway {{gateway}}, as {{winner}} does; {{winner}} is older, so it takes them and this rule gets none.',
    conflictByName: '{{route}} routes {{what}} on listener {{listener}} of Gateway {{gateway}}, as {{winner}} does; unless this route is the older one, {{winner}} takes them (the oldest route wins, and routes created in the same second go by namespace/name).',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    const reported = new Set<string>();
    for (const gateway of graph.gatewayApi.gateways) {
      for (const listener of gateway.listeners) {
        const claims = new Map<string, Claim[]>();
        for (const { route, hostnames } of routesAttachedTo(graph, listener)) {
          if (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute' && route.kind !== 'TLSRoute') continue;
          for (const rule of route.rules) {
            for (const match of rule.matches) {
              for (const hostname of hostnames) {
                const key = `${route.kind}\u0000${hostname}\u0000${match.key}`;
                const list = claims.get(key) ?? [];
                // A route repeating its own match is resolved within the route (its first rule wins).
                if (!list.some((claim) => claim.route === route)) list.push({ route, hostname, match });
                claims.set(key, list);
              }
            }
          }
        }
        for (const list of claims.values()) {
          if (list.length < 2) continue;
          const winner = list.reduce((best, claim) => (compareRoutePrecedence(claim.route, best.route) < 0 ? claim : best));
          for (const claim of list) {
            if (claim === winner) continue;
            const id = `${claim.route.kind}/${claim.route.namespace}/${claim.route.name}\u0000${formatKey(claim.match.path)}\u0000${claim.hostname}`;
            if (reported.has(id)) continue;
            reported.add(id);
            const byAge = claim.route.creationTimestamp !== undefined && winner.route.creationTimestamp !== undefined
              && Date.parse(claim.route.creationTimestamp) !== Date.parse(winner.route.creationTimestamp);
            reports.push({
              messageId: byAge ? 'conflictByAge' : 'conflictByName',
              data: {
                route: `${claim.route.kind} ${claim.route.namespace}/${claim.route.name}`,
                winner: `${winner.route.kind} ${winner.route.namespace}/${winner.route.name}`,
                what: describeClaim(claim),
                listener: listener.name,
                gateway: `${gateway.namespace}/${gateway.name}`,
              },
              object: claim.route.source,
              path: claim.match.path,
              related: [{ object: winner.route.source, path: winner.match.path, message: 'also routed by' }],
            });
          }
        }
      }
    }
    return reports;
  },
});

/** `requests for www.example.com PathPrefix /api`, `connections for www.example.com`. */
function describeClaim(claim: Claim): string {
  const host = claim.hostname === '*' ? 'any hostname' : claim.hostname;
  if (claim.route.kind === 'TLSRoute') return `connections for ${host}`;
  return `${claim.route.kind === 'GRPCRoute' ? 'calls' : 'requests'} for ${host} ${claim.match.description}`;
}

function formatKey(path: FieldPath): string {
  return path.join('.');
}
