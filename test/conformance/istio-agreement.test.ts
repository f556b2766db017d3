/**
 * k8snet's answers on NCA's Istio and multilayer cases (../shared/conformance/dialects), pair by
 * pair, against NCA's expected connectivity maps (see istio-agreement.ts for what a pair is and
 * how a line is projected on L4). Every disagreement is either listed below, with its reason and
 * the exact number of pairs it accounts for, or the test fails; an entry whose count no longer
 * matches (its gap closed, or grew) fails too, so no entry outlives its gap.
 */
import { expect, it } from '@jest/globals';
import { describeWithShared } from '../shared-folder.js';
import { compareCase, type ComparedPair } from './istio-agreement.js';
import { listNcaCases, readNcaCase } from './nca-cases.js';

/** A known gap: which disagreeing pairs it accounts for, why, and how many there are. */
interface KnownDisagreement {
  readonly id: string;
  readonly reason: string;
  /** True for a disagreeing pair of `caseId` this entry accounts for (the first entry that matches takes it). */
  readonly covers: (caseId: string, pair: ComparedPair) => boolean;
  readonly pairs: number;
}

const ROUTED_SOURCES = /ingress-controller-livesim|ingress-nginx-controller|istio-ingressgateway|istio-egressgateway|asm-ingressgateway/;
const GATEWAY_PROXIES = /istio-ingressgateway|istio-egressgateway|asm-ingressgateway/;
const configOf = (pair: ComparedPair) => pair.key.split(' | ')[0];
const source = (pair: ComparedPair) => pair.key.split(' | ')[1].split(' => ')[0];
const destination = (pair: ComparedPair) => pair.key.split(' | ')[1].split(' => ')[1];

const KNOWN_DISAGREEMENTS: readonly KnownDisagreement[] = [
  {
    id: 'calico-multilayer-ingress',
    reason: 'multilayer connectivity-6 (Calico, Istio and an Ingress): NCA lets the internet reach the ingress-nginx controller with every connection, k8snet '
      + 'denies it. The only Calico policy that would open the controller (testcase26-networkpolicy-calico-nginx) writes `namespaceSelector: {}` as a '
      + 'mapping where Calico takes a selector string, so Calico refuses it (docs/calico.md, section 8) and k8snet leaves it out, reporting it; the '
      + 'GlobalNetworkPolicy default-deny (selector all(), no rules) then denies every connection of the controller. Even read leniently, that policy '
      + 'admits TCP from pods of the cluster only, not every connection from the internet: NCA takes the ingress controller as an entry point outside '
      + 'the policies (as in the Calico cases\' ingress-controller disagreement), k8snet evaluates its pods as the plugin does.',
    covers: (_caseId, pair) => /calico/.test(configOf(pair)),
    pairs: 2,
  },
  {
    id: 'routes-limit-proxies',
    reason: 'NCA lets an ingress controller\'s or Istio ingress/egress gateway\'s pod reach only what its Ingress, Gateway and VirtualService routes '
      + 'name (ports, hosts, paths). `can-reach A B` asks what the plugin\'s and the mesh\'s policies allow from the pod, whatever process in it opens '
      + 'the connection; a proxy\'s routes say which connections it opens for its clients, not which the cluster allows (docs/istio.md section 15). '
      + 'The routes are answered where they matter, in `graph`\'s entry paths (clients, listener, route, Service, workload, verdict per hop).',
    covers: (_caseId, pair) => ROUTED_SOURCES.test(source(pair)),
    pairs: 86,
  },
  {
    id: 'gateway-listener-ports',
    reason: 'NCA lets sources reach an Istio gateway proxy only on its Gateway servers\' ports (and hosts); which ports a pod listens on is not a policy '
      + 'matter, so k8snet answers what the policies allow towards the gateway pod (every TCP port here).',
    covers: (_caseId, pair) => GATEWAY_PROXIES.test(destination(pair)),
    pairs: 24,
  },
  {
    id: 'sidecar-allow-any-passthrough',
    reason: 'Under outboundTrafficPolicy ALLOW_ANY, NCA takes what a Sidecar\'s egress hosts do not import as unreachable; Istio\'s proxy passes it '
      + 'through to the address asked for (OutboundTrafficPolicy.Mode ALLOW_ANY; "This feature doesn\'t block traffic", istio/istio#41243, #17463). '
      + 'k8snet allows it and names the Sidecar in a DNS restriction where a Service the Sidecar leaves out fronts the port.',
    covers: (caseId, pair) => /sidecar/i.test(caseId) && !/regist/i.test(configOf(pair)) && pair.expected === 'nothing',
    pairs: 187,
  },
  {
    id: 'registry-only-ports',
    reason: 'Under REGISTRY_ONLY, NCA lets a Sidecar\'s workload reach what its egress hosts import on every TCP port; the proxy reaches it only on the '
      + 'ports of the imported Service or ServiceEntry (9080, 443 here) and sends the rest to its black hole. In the equivalence case the ServiceEntry '
      + 'file is topology-only for NCA (left out), yet NCA lists its hosts as reachable; k8snet, without it, finds them outside the registry.',
    covers: (_caseId, pair) => /regist/i.test(configOf(pair)),
    pairs: 16,
  },
  {
    id: 'external-not-namespaces',
    reason: 'NCA does not let a source outside the cluster match `notNamespaces: [vendor-system]`; in Istio a plaintext connection has no namespace, '
      + 'so a negative identity field matches it (ISTIO-SECURITY-2021-004: "A plain text request from the namespace foo will actually be allowed").',
    covers: (caseId, pair) => caseId.endsWith('istio-policy2') && /^\d/.test(source(pair)),
    pairs: 6,
  },
];

/** Pairs compared over the 28 cases, and how many agree (the rest are the known disagreements above). */
const AGREEING_PAIRS = 6239;
const TOTAL_PAIRS = 6560;

const cases = listNcaCases().filter((entry) => entry.dialect === 'istio' || entry.dialect === 'multilayer');

describeWithShared('k8snet against NCA\'s Istio and multilayer connectivity maps', ['conformance/dialects'], () => {
  const results = cases.map((entry) => {
    const caseId = `${entry.dialect}/${entry.name}`;
    return { caseId, pairs: compareCase(readNcaCase(entry.dialect, entry.name)) };
  });

  it('compares every pair of every case, and every disagreement is a known one', () => {
    const covered = new Map<string, number>(KNOWN_DISAGREEMENTS.map((entry) => [entry.id, 0]));
    const unexplained: string[] = [];
    let total = 0;
    let agreeing = 0;
    for (const { caseId, pairs } of results) {
      expect(pairs.length).toBeGreaterThan(0);
      for (const pair of pairs) {
        total++;
        if (pair.agrees) {
          agreeing++;
          continue;
        }
        const entry = KNOWN_DISAGREEMENTS.find((candidate) => candidate.covers(caseId, pair));
        if (entry) covered.set(entry.id, covered.get(entry.id)! + 1);
        else unexplained.push(`${caseId}: ${pair.key}: expected ${pair.expected}, k8snet ${pair.answered}${pair.restrictionNamed === false ? ' (no restriction named)' : ''}`);
      }
    }
    expect(unexplained).toEqual([]);
    expect(Object.fromEntries(covered)).toEqual(Object.fromEntries(KNOWN_DISAGREEMENTS.map((entry) => [entry.id, entry.pairs])));
    expect({ agreeing, total }).toEqual({ agreeing: AGREEING_PAIRS, total: TOTAL_PAIRS });
  });

  it('agrees on every pair of the L3/L4 cases but the documented notNamespaces edge', () => {
    const l3l4 = ['istio/nca-istio-allow-nothing--istio-allow-nothing-1', 'istio/nca-istio-allow-nothing--istio-allow-nothing-3', 'istio/nca-istio-deny-all--istio-deny-all',
      'istio/nca-istio-test1--istio-policy2', 'multilayer/nca-testcase26-multi-layer-connectivity--connectivity-1'];
    const disagreeing = results.filter((result) => l3l4.includes(result.caseId)).flatMap((result) => result.pairs.filter((pair) => !pair.agrees).map((pair) => pair.key));
    expect(disagreeing).toHaveLength(KNOWN_DISAGREEMENTS.find((entry) => entry.id === 'external-not-namespaces')!.pairs);
  });
});

