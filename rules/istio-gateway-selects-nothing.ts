import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { istioMesh } from '../src/model/istio-mesh.js';
import { istioGatewayDataPlane } from '../src/model/istio-routing.js';
import { nearMissHint, listWorkloads } from '../src/model/suggest.js';

/** Flags Istio Gateways whose selector matches no Istio gateway proxy of the manifests. */
export default defineRule({
  id: 'istio-gateway-selects-nothing',
  category: 'selectors',
  severity: 'warning',
  description: 'An Istio Gateway\'s selector matches none of the Istio gateway proxies of the manifests, or only pods that are not gateway proxies.',
  rationale: 'A Gateway configures the listeners of the gateway proxies its selector matches (in any namespace by default). A selector that '
    + 'matches none (istio: ingressgateway where the Helm gateway chart labels istio: ingress) opens no port anywhere, and every host of its '
    + 'VirtualServices goes unanswered (istioctl analyze IST0101 "Referenced selector not found"); a selector that matches application pods '
    + 'configures nothing, since sidecars ignore Gateways. Checked only when the manifests hold gateway proxies, which usually live in another repository.',
  fix: 'Make the selector match the labels of the gateway Deployment (istio: ingressgateway for istioctl\'s default profile, istio: <release name> '
    + 'for the Helm gateway chart), or deploy the gateway it is meant for.',
  messages: {
    selectsNothing: 'Gateway {{gateway}} selects no gateway proxy: {{how}} match none of the Istio gateways of the manifests ({{workloads}}), so it opens no listener.',
    notProxies: 'Gateway {{gateway}} selects only pods that are not Istio gateway proxies ({{workloads}}); sidecars ignore Gateways, so it opens no listener.',
  },
  check(graph) {
    const reports: RuleReport[] = [];
    if (graph.istio.gateways.length === 0) return reports;
    const mesh = istioMesh(graph);
    const scoped = graph.istio.settings.scopeGatewayToNamespace;
    for (const gateway of graph.istio.gateways) {
      if (!gateway.selector) continue;
      const proxies = (scoped ? graph.podsInNamespace(gateway.namespace) : graph.pods).filter((pod) => mesh.membershipOf(pod).dataPlane === 'gateway');
      if (proxies.length === 0) continue;
      const dataPlane = istioGatewayDataPlane(graph, gateway);
      if (dataPlane.workloads.length > 0) continue;
      const name = `${gateway.namespace}/${gateway.name}`;
      if (dataPlane.notProxies.length > 0) {
        reports.push({ messageId: 'notProxies', data: { gateway: name, workloads: listWorkloads(dataPlane.notProxies) }, object: gateway.source, path: ['spec', 'selector'] });
        continue;
      }
      const hint = nearMissHint(Object.entries(gateway.selector).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] })), proxies.map((pod) => pod.labels));
      reports.push({ messageId: 'selectsNothing', data: { gateway: name, how: dataPlane.how, workloads: listWorkloads(proxies) }, object: gateway.source, path: ['spec', 'selector'], ...(hint ? { hint } : {}) });
    }
    return reports;
  },
});
