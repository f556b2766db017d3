import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { attachParent, routesAttachedTo } from '../../src/model/gateway-attachment.js';
import { gatewayDataPlane, gatewayExposure, isMeshWaypoint } from '../../src/model/gateway-data-plane.js';
import type { ResourceGraph } from '../../src/model/graph.js';

function graphOf(text: string): ResourceGraph {
  return analyzeTexts([{ path: 'gateway.yaml', text }]).graph;
}

const GATEWAY = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
    - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
    - name: https
      port: 443
      protocol: HTTPS
      hostname: "*.example.com"
      allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: shop}}}}
    - {name: tcp, port: 5432, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}
`;

describe('attachParent', () => {
  const graph = graphOf(`${GATEWAY}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs:
    - {name: public, namespace: infra}
    - {name: public, namespace: infra, sectionName: https, port: 443}
    - {name: public, namespace: infra, sectionName: nope}
    - {name: elsewhere, namespace: infra}
    - {group: "", kind: Service, name: web, port: 80}
  hostnames: [www.example.com, www.example.org]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: blog, namespace: blog}
spec:
  parentRefs: [{name: public, namespace: infra, sectionName: https}]
`);
  const web = graph.gatewayApi.routes.find((route) => route.name === 'web')!;
  const blog = graph.gatewayApi.routes.find((route) => route.name === 'blog')!;

  it('attaches to the listeners that admit the route, with the hostnames they have in common', () => {
    const attachment = attachParent(graph, web, web.parentRefs[0]);
    expect(attachment.status).toBe('listeners');
    if (attachment.status !== 'listeners') return;
    expect(attachment.accepted.map(({ listener, hostnames }) => [listener.name, hostnames])).toEqual([
      ['http', ['www.example.com', 'www.example.org']],
      ['https', ['www.example.com']],
    ]);
    expect(attachment.refused.map(({ listener, refusal }) => [listener.name, refusal.reason])).toEqual([['tcp', 'kind']]);
  });

  it('narrows to the listener named by sectionName and on port', () => {
    const attachment = attachParent(graph, web, web.parentRefs[1]);
    expect(attachment.status === 'listeners' && attachment.accepted.map(({ listener }) => listener.name)).toEqual(['https']);
    expect(attachParent(graph, web, web.parentRefs[2]).status).toBe('no-listener');
  });

  it('tells a missing Gateway from a parent that is not a Gateway (a mesh Service)', () => {
    expect(attachParent(graph, web, web.parentRefs[3]).status).toBe('no-gateway');
    expect(attachParent(graph, web, web.parentRefs[4]).status).toBe('other-parent');
  });

  it('refuses a route whose namespace the selector does not match (a namespace the manifests do not declare has only its name label)', () => {
    const attachment = attachParent(graph, blog, blog.parentRefs[0]);
    expect(attachment.status === 'listeners' && attachment.refused.map(({ refusal }) => refusal)).toEqual([
      { reason: 'namespace', allowed: 'only routes of namespaces matching team=shop' },
    ]);
  });

  it('lists the routes attached to each listener', () => {
    const [http, https, tcp] = graph.gatewayApi.gateway('infra', 'public')!.listeners;
    expect(routesAttachedTo(graph, http).map(({ route }) => route.name)).toEqual(['web']);
    expect(routesAttachedTo(graph, https).map(({ route, hostnames }) => [route.name, hostnames])).toEqual([['web', ['www.example.com']]]);
    expect(routesAttachedTo(graph, tcp)).toEqual([]);
  });
});

describe('gatewayDataPlane', () => {
  const deployment = (name: string, namespace: string, labels: string) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: ${labels}}
  template:
    metadata: {labels: ${labels}}
    spec: {containers: [{name: proxy, image: envoy}]}`;

  it('finds the pods labelled with the Gateway name in its namespace (GEP-1762)', () => {
    const graph = graphOf(`${GATEWAY}${deployment('public-istio', 'infra', '{gateway.networking.k8s.io/gateway-name: public}')}${deployment('other', 'shop', '{gateway.networking.k8s.io/gateway-name: public}')}`);
    const dataPlane = gatewayDataPlane(graph, graph.gatewayApi.gateways[0]);
    expect(dataPlane.type === 'workloads' && dataPlane.workloads.map((workload) => workload.id)).toEqual(['infra/public-istio[Deployment]']);
  });

  it('finds Envoy Gateway\'s proxies in the controller namespace by their owning-gateway labels', () => {
    const graph = graphOf(`${GATEWAY.replace('gatewayClassName: istio', 'gatewayClassName: eg')}${deployment('envoy-infra-public-1a2b', 'envoy-gateway-system',
      '{gateway.envoyproxy.io/owning-gateway-name: public, gateway.envoyproxy.io/owning-gateway-namespace: infra}')}`);
    const dataPlane = gatewayDataPlane(graph, graph.gatewayApi.gateways[0]);
    expect(dataPlane.type === 'workloads' && dataPlane.workloads.map((workload) => workload.id)).toEqual(['envoy-gateway-system/envoy-infra-public-1a2b[Deployment]']);
  });

  it('finds the endpoints of the Service a Hostname address names (Istio manual deployment)', () => {
    const graph = graphOf(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: manual, namespace: shop}
spec:
  gatewayClassName: istio
  addresses: [{type: Hostname, value: istio-ingressgateway.istio-system.svc.cluster.local}]
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec: {type: LoadBalancer, selector: {istio: ingressgateway}, ports: [{port: 80}]}
${deployment('istio-ingressgateway', 'istio-system', '{istio: ingressgateway}')}`);
    const gateway = graph.gatewayApi.gateways[0];
    const dataPlane = gatewayDataPlane(graph, gateway);
    expect(dataPlane.type === 'workloads' && dataPlane.workloads.map((workload) => workload.id)).toEqual(['istio-system/istio-ingressgateway[Deployment]']);
    expect(gatewayExposure(graph, gateway)).toEqual({ exposure: 'public', evidence: 'its Service istio-system/istio-ingressgateway is of type LoadBalancer' });
  });

  it('names Cilium\'s node proxy, and says unknown otherwise', () => {
    const cilium = graphOf(`${GATEWAY.replace('gatewayClassName: istio', 'gatewayClassName: cilium')}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: cilium}
spec: {controllerName: io.cilium/gateway-controller}`);
    expect(gatewayDataPlane(cilium, cilium.gatewayApi.gateways[0]).type).toBe('node-proxy');
    const unknown = graphOf(GATEWAY.replace('gatewayClassName: istio', 'gatewayClassName: example'));
    expect(gatewayDataPlane(unknown, unknown.gatewayApi.gateways[0])).toEqual({ type: 'unknown' });
    // Istio's class: istiod deploys <name>-istio, found by its Gateway name label.
    const istio = graphOf(GATEWAY);
    const dataPlane = gatewayDataPlane(istio, istio.gatewayApi.gateways[0]);
    expect(dataPlane.type === 'workloads' && dataPlane.workloads.map((workload) => workload.id)).toEqual(['infra/public-istio[Deployment]']);
  });
});

describe('gatewayExposure', () => {
  const gateway = (extra: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  listeners: [{name: http, port: 80, protocol: HTTP}]
${extra}`;
  const exposureOf = (text: string) => {
    const graph = graphOf(text);
    return gatewayExposure(graph, graph.gatewayApi.gateways[0]);
  };

  it('reads internal-load-balancer annotations, on the Gateway or in spec.infrastructure', () => {
    expect(exposureOf(gateway('  gatewayClassName: istio\n  infrastructure: {annotations: {networking.istio.io/service-type: ClusterIP}}')).exposure).toBe('internal');
    expect(exposureOf(gateway('  gatewayClassName: istio').replace('namespace: infra}', 'namespace: infra, annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: "true"}}')).exposure).toBe('internal');
  });

  it('reads the type of the Service labelled for the Gateway', () => {
    const service = (type: string) => `
---
apiVersion: v1
kind: Service
metadata: {name: gw-istio, namespace: infra, labels: {gateway.networking.k8s.io/gateway-name: gw}}
spec: {type: ${type}, selector: {gateway.networking.k8s.io/gateway-name: gw}, ports: [{port: 80}]}`;
    expect(exposureOf(`${gateway('  gatewayClassName: istio')}${service('LoadBalancer')}`)).toEqual({ exposure: 'public', evidence: 'its Service infra/gw-istio is of type LoadBalancer' });
    expect(exposureOf(`${gateway('  gatewayClassName: istio')}${service('NodePort')}`).exposure).toBe('public');
    expect(exposureOf(`${gateway('  gatewayClassName: istio')}${service('ClusterIP')}`)).toEqual({ exposure: 'internal', evidence: 'its Service infra/gw-istio is of type ClusterIP' });
  });

  it('reads addresses (spec or status) and GKE class names, and is unknown otherwise', () => {
    expect(exposureOf(gateway('  gatewayClassName: eg\n  addresses: [{value: 192.168.4.4}]')).exposure).toBe('internal');
    expect(exposureOf(gateway('  gatewayClassName: eg\nstatus: {addresses: [{type: IPAddress, value: 34.120.1.2}]}'))).toEqual({ exposure: 'public', evidence: 'its address 34.120.1.2 is public' });
    expect(exposureOf(gateway('  gatewayClassName: gke-l7-global-external-managed')).exposure).toBe('public');
    expect(exposureOf(gateway('  gatewayClassName: gke-l7-rilb')).exposure).toBe('internal');
    expect(exposureOf(gateway('  gatewayClassName: eg'))).toEqual({ exposure: 'unknown' });
  });

  it('knows Istio waypoints are not entries', () => {
    const graph = graphOf(gateway('  gatewayClassName: istio-waypoint'));
    expect(isMeshWaypoint(graph.gatewayApi.gateways[0])).toBe(true);
  });
});
