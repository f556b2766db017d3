import type { ResourceGraph } from '../model/graph.js';
import { parseAddress, parseCidr, type AddressRange, type IpFamily } from '../model/cidr.js';
import { calicoPolicyLabel, type CalicoHostEndpoint } from '../model/calico.js';
import { calicoView } from '../model/calico-view.js';
import { policyEndpointSelector } from '../model/calico-endpoints.js';
import { evaluateCalicoSelector } from '../model/calico-selector.js';
import type { Pod, Protocol } from '../model/types.js';
import type { ManifestObject } from '../load/manifest-object.js';
import { BitSet } from './bitset.js';
import { ConnectionSet } from './connection-set.js';
import { PolicyEvaluator, type SideTrace } from './evaluator.js';
import { calicoRulesLeftOut } from './calico-caveats.js';
import { CompileContext } from './policies/context.js';
import {
  CALICO_PROFILE_STAGE, DEFAULT_ALLOW_PROFILE, calicoPolicyRanks, calicoStages, compileCalicoHostEndpointPolicies, type HostEndpointSubject,
} from './policies/calico.js';
import type {
  AddressPeer, CompiledPolicy, CompiledRule, Direction, EnforcementPoint, EntityPeer, Peer, PodClass, StageDefinition,
} from './policy-form.js';
import type { PairVerdict, ReachabilitySolver, SideVerdict } from './solver.js';

/**
 * Calico HostEndpoints as peers and as subjects of policy (docs/calico.md §9c), for traffic to
 * and from the host's own processes through the endpoint's interface:
 * - as a peer of a pod's rules, a host endpoint is its `expectedIPs` (Calico's selectors match
 *   endpoints by address; without expectedIPs, "security rules that use labels will fail to match
 *   this endpoint", docs: hostendpoint.mdx): the pod's side is the solver's answer for those addresses;
 * - as a subject, its side is evaluated like a workload's (tiers in order, first match, Pass,
 *   defaultAction) over the GlobalNetworkPolicies whose selector matches its labels (a namespaced
 *   NetworkPolicy "only applies to workload endpoint resources in that namespace"), then its
 *   profiles in order (`projectcalico-default-allow`: allow all), and what none decides is
 *   **denied** ("If a host endpoint is created and network policy is not in place, the Calico
 *   default is to deny traffic to/from that endpoint (except for traffic allowed by failsafe
 *   rules)"); Felix's default failsafe ports are open before any policy (failsafe.md; felix
 *   config_params.go defaults), since a FelixConfiguration may change them, answers that use
 *   them say so.
 * What is not evaluated, and said in each answer concerned: doNotTrack and preDNAT policies
 * (raw and pre-DNAT chains), applyOnForward policies for forwarded traffic (a pod's traffic that
 * leaves or enters its node through a host endpoint), the host's traffic with pods on its own
 * node (always allowed to the pods; from them, Felix's DefaultEndpointToHostAction decides), which
 * interface a connection takes (a named interface's endpoint is taken to carry its traffic), and
 * profiles the input does not hold.
 */

/** Felix's default FailsafeInboundHostPorts (config_params.go): open towards every host endpoint whatever the policy. */
export const FAILSAFE_INBOUND_PORTS: readonly { readonly protocol: Protocol; readonly port: number }[] = [
  { protocol: 'TCP', port: 22 }, { protocol: 'UDP', port: 68 }, { protocol: 'TCP', port: 179 }, { protocol: 'TCP', port: 2379 },
  { protocol: 'TCP', port: 2380 }, { protocol: 'TCP', port: 5473 }, { protocol: 'TCP', port: 6443 }, { protocol: 'TCP', port: 6666 },
  { protocol: 'TCP', port: 6667 },
];

/** Felix's default FailsafeOutboundHostPorts (config_params.go): open from every host endpoint whatever the policy. */
export const FAILSAFE_OUTBOUND_PORTS: readonly { readonly protocol: Protocol; readonly port: number }[] = [
  { protocol: 'UDP', port: 53 }, { protocol: 'UDP', port: 67 }, { protocol: 'TCP', port: 179 }, { protocol: 'TCP', port: 2379 },
  { protocol: 'TCP', port: 2380 }, { protocol: 'TCP', port: 5473 }, { protocol: 'TCP', port: 6443 }, { protocol: 'TCP', port: 6666 },
  { protocol: 'TCP', port: 6667 },
];

/** One failsafe port: a protocol and port, open from (inbound) or to (outbound) `net` only when given. */
export interface FailsafePort {
  readonly protocol: Protocol;
  readonly port: number;
  readonly net?: { readonly family: IpFamily; readonly range: AddressRange; readonly text: string };
}

/** The failsafe ports of one direction at a node, and where they come from (a FelixConfiguration, or Felix's defaults). */
export interface FailsafePorts {
  readonly ports: readonly FailsafePort[];
  /** `FelixConfiguration default spec.failsafeInboundHostPorts (felix.yaml:7)`; undefined for Felix's defaults. */
  readonly statedBy?: { readonly object: ManifestObject; readonly field: string };
}

/**
 * Felix's failsafe ports at a node for one direction: a FelixConfiguration `node.<node>` stating
 * them, else the cluster's `default` one, else Felix's defaults (config_params.go). An empty list
 * turns them off; an entry with `net` opens its port from (or to) that CIDR only.
 */
export function failsafePortsAt(graph: ResourceGraph, node: string, direction: Direction): FailsafePorts {
  const field = direction === 'ingress' ? 'failsafeInboundHostPorts' : 'failsafeOutboundHostPorts';
  const configs = graph.otherObjects.filter(isFelixConfiguration);
  for (const name of [`node.${node}`, 'default']) {
    const object = configs.find((candidate) => candidate.name === name);
    const stated = (object?.value.spec as Record<string, unknown> | undefined)?.[field];
    if (!object || !Array.isArray(stated)) continue;
    const ports: FailsafePort[] = [];
    for (const entry of stated) {
      if (entry === null || typeof entry !== 'object') continue;
      const { protocol, port, net } = entry as Record<string, unknown>;
      const protocolText = typeof protocol === 'string' ? protocol.toUpperCase() : 'TCP';
      if ((protocolText !== 'TCP' && protocolText !== 'UDP') || typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) continue;
      const parsed = typeof net === 'string' && net !== '' ? parseCidr(net) : undefined;
      ports.push({ protocol: protocolText, port, ...(parsed && !('error' in parsed) ? { net: { family: parsed.family, range: parsed.range, text: parsed.text } } : {}) });
    }
    return { ports, statedBy: { object, field } };
  }
  return { ports: direction === 'ingress' ? FAILSAFE_INBOUND_PORTS : FAILSAFE_OUTBOUND_PORTS };
}

/** True for a Calico FelixConfiguration (either API group): Felix's settings, the failsafe ports among them. */
export function isFelixConfiguration(object: { readonly apiVersion: string; readonly kind: string }): boolean {
  return object.kind === 'FelixConfiguration' && (object.apiVersion.startsWith('projectcalico.org/') || object.apiVersion.startsWith('crd.projectcalico.org/'));
}

/**
 * The HostEndpoints of a node (`spec.node`), in input order: what `node:NAME` names under Calico
 * (one per interface the manifests police; none when the node has no host endpoint, and then
 * Calico applies no host policy to it).
 */
export function hostEndpointsOfNode(graph: ResourceGraph, nodeName: string): readonly CalicoHostEndpoint[] {
  return graph.calico.hostEndpoints.filter((endpoint) => endpoint.node === nodeName);
}

/** One end of a connection under Calico: a pod class, a host endpoint, or an address range outside both. */
export type CalicoEndpointPeer =
  | { readonly podClass: PodClass }
  | { readonly hostEndpoint: CalicoHostEndpoint }
  | { readonly family: IpFamily; readonly range: AddressRange };

/** What may flow between two ends, one of them a host endpoint, and what the answer does not evaluate. */
export interface HostEndpointAnswer {
  readonly allowed: ConnectionSet;
  readonly caveats: readonly string[];
  /** With `explain`: each side (the source's egress, the destination's ingress) with the rules that decided it. */
  readonly sides?: readonly HostEndpointSide[];
}

/** One side of an answer, for explanations: what it allows and the rules that decided (failsafe rules, tiers' rules, profiles). */
export interface HostEndpointSide {
  readonly direction: Direction;
  readonly allowed: ConnectionSet;
  readonly trace: SideTrace;
}

const FAILSAFE_STAGE: StageDefinition = {
  id: 'calico:failsafe', point: 'cni', order: 0, combination: 'first-match', unmatched: 'pass', label: 'Calico failsafe rules',
};
const HOST_POINT: EnforcementPoint = { id: 'cni', label: 'Calico host endpoint policy', unmatched: 'deny' };

/**
 * Answers for host endpoints over a solver's pod classes and compiled pod policies: the host
 * endpoints' own sides go through an evaluator of their own (same stages, rules compiled against
 * the same classes, the point's end denying), the pods' sides through the solver.
 */
export class CalicoHostEndpointSolver {
  private readonly subjects: readonly HostEndpointSubject[];
  private readonly subjectOf: ReadonlyMap<CalicoHostEndpoint, HostEndpointSubject>;
  private readonly evaluator: PolicyEvaluator;
  /** The same without the failsafe rules: answers say the failsafe ports are assumed only where they change the answer. */
  private readonly withoutFailsafe: PolicyEvaluator;
  private readonly context: CompileContext;

  constructor(readonly solver: ReachabilitySolver) {
    const graph = solver.graph;
    const view = calicoView(graph);
    this.subjects = graph.calico.hostEndpoints.map((endpoint, index) => ({ index, endpoint, labels: view.hostEndpointLabels(endpoint) }));
    this.subjectOf = new Map(this.subjects.map((subject) => [subject.endpoint, subject]));
    const classOfPod = new Map<Pod, PodClass>(graph.pods.map((pod) => [pod, solver.classOf(pod)]));
    const context = new CompileContext(graph, solver.classes, solver.hostNetworkMode, classOfPod, solver.statedPodRanges);
    this.context = context;
    // The tiers, then the profiles stage, whose policies do not isolate host endpoints: what no
    // profile allows reaches the point's end, which denies.
    const tiers = calicoStages(graph);
    const compiled = compileCalicoHostEndpointPolicies(context, calicoPolicyRanks(graph), this.subjects, CALICO_PROFILE_STAGE);
    const classes: PodClass[] = this.subjects.map((subject) => ({
      index: subject.index, namespace: '', labels: subject.labels, hostNetwork: false, outsidePolicy: false, pods: [],
      ports: subject.endpoint.ports.flatMap((port) => (isPortProtocol(port.protocol.text) ? [{ name: port.name, containerPort: port.port, protocol: port.protocol.text }] : [])),
    }));
    const stages = [FAILSAFE_STAGE, ...tiers];
    this.evaluator = new PolicyEvaluator(classes, [HOST_POINT], stages, [...this.subjects.map((subject) => this.failsafePolicy(subject)), ...compiled]);
    // The failsafe policies without ports: every host endpoint keeps its plan (and so its default deny) there too.
    this.withoutFailsafe = new PolicyEvaluator(classes, [HOST_POINT], stages, [...this.subjects.map((subject) => this.failsafePolicy(subject, false)), ...compiled]);
  }

  /**
   * The connections allowed from `source` to `destination`, one of which is a host endpoint; with
   * `explain`, each side's deciding rules too (a host endpoint side that no rule decided was
   * denied by the end of its policy: no tier allowed and no profile either).
   */
  between(source: CalicoEndpointPeer, destination: CalicoEndpointPeer, options: { readonly explain?: boolean; readonly asked?: ConnectionSet } = {}): HostEndpointAnswer {
    const caveats = new Set<string>();
    const traces = options.explain ? { egress: emptyTrace(), ingress: emptyTrace() } : undefined;
    const asked = options.asked ?? ConnectionSet.ALL;
    const egress = this.side('egress', source, destination, caveats, traces?.egress, asked);
    const ingress = egress.isEmpty() && !traces ? ConnectionSet.EMPTY : this.side('ingress', destination, source, caveats, traces?.ingress, asked);
    const sourceNode = nodesOf(source);
    const destinationNode = nodesOf(destination);
    if (sourceNode.some((node) => destinationNode.includes(node))) {
      caveats.add(`Traffic between a host and pods or interfaces of the same node (${[...new Set(sourceNode.filter((node) => destinationNode.includes(node)))].join(', ')}) `
        + 'does not cross a host endpoint the way this answer assumes: Calico always lets a host reach its local pods, and lets pods reach their own host '
        + 'as Felix\'s DefaultEndpointToHostAction says (Drop unless configured).');
    }
    return {
      allowed: egress.intersect(ingress),
      caveats: [...caveats],
      ...(traces ? { sides: [{ direction: 'egress', allowed: egress, trace: traces.egress }, { direction: 'ingress', allowed: ingress, trace: traces.ingress }] } : {}),
    };
  }

  /**
   * The answer between a host endpoint and a pod class (or an address) as the solver's verdicts
   * read: each side with the rules that decided it. The host endpoint's side is always isolated:
   * besides the policies of its tiers, by Calico's default for host endpoints, which denies what
   * no failsafe rule, policy or profile allows. The failsafe ports are said only where they change
   * the answer on `asked`.
   */
  explain(source: CalicoEndpointPeer, destination: CalicoEndpointPeer, asked: ConnectionSet = ConnectionSet.ALL): PairVerdict {
    const answer = this.between(source, destination, { explain: true, asked });
    const [egress, ingress] = answer.sides!;
    return { egress: this.sideVerdict(egress, source), ingress: this.sideVerdict(ingress, destination), allowed: answer.allowed, caveats: answer.caveats };
  }

  /** One side of {@link explain} as a verdict: what the pod's own evaluator or the host endpoint's says of it. */
  private sideVerdict(side: HostEndpointSide, selected: CalicoEndpointPeer): SideVerdict {
    const { direction, allowed, trace } = side;
    const decided = { contributions: trace.contributions, decisions: trace.decisions };
    if ('family' in selected) return { direction, unrestrictedBecause: 'external', isolatingPolicies: [], contributions: [], decisions: [], restrictions: [], allowed };
    if ('podClass' in selected) {
      const { evaluator } = this.solver;
      if (selected.podClass.outsidePolicy && evaluator.isOpen(selected.podClass, direction)) {
        return { direction, unrestrictedBecause: 'host-network', isolatingPolicies: [], contributions: [], decisions: [], restrictions: [], allowed };
      }
      const isolatingPolicies = evaluator.planFor(selected.podClass, direction)?.denyingIsolation ?? [];
      const isOpen = isolatingPolicies.length === 0 && trace.decisions.length === 0 && trace.contributions.length === 0;
      return { direction, ...(isOpen ? { unrestrictedBecause: 'not-isolated' as const } : {}), isolatingPolicies, ...decided, restrictions: evaluator.restrictionsOf(trace, allowed), allowed };
    }
    const subject = this.subjectOf.get(selected.hostEndpoint)!;
    const hostClass = this.evaluator.classes[subject.index];
    const isolatingPolicies = [...(this.evaluator.planFor(hostClass, direction)?.denyingIsolation ?? []), this.defaultDenyOf(subject)];
    return { direction, isolatingPolicies, ...decided, restrictions: this.evaluator.restrictionsOf(trace, allowed), allowed };
  }

  /** Calico's default for a host endpoint, as a policy an answer can name: it denies what nothing allowed ("the Calico default is to deny traffic to/from that endpoint"). */
  private defaultDenyOf(subject: HostEndpointSubject): CompiledPolicy {
    const { endpoint } = subject;
    return {
      kind: 'Calico HostEndpoint', name: endpoint.name, label: `Calico's default for host endpoint ${endpoint.name} (what no failsafe rule, policy or profile allows is denied)`,
      object: endpoint.source, stage: HOST_POINT.id, priority: Number.MAX_SAFE_INTEGER, model: endpoint,
    };
  }

  /** One side: `selected`'s egress towards `other`, or its ingress from `other`. */
  private side(direction: Direction, selected: CalicoEndpointPeer, other: CalicoEndpointPeer, caveats: Set<string>, trace: SideTrace | undefined, asked: ConnectionSet): ConnectionSet {
    if ('family' in selected) return ConnectionSet.ALL;
    if ('podClass' in selected) {
      let allowed = ConnectionSet.EMPTY;
      for (const peer of this.peersOf(other, caveats)) allowed = allowed.union(this.solver.evaluator.sideAllowed(direction, selected.podClass, peer, trace));
      return allowed;
    }
    const subject = this.subjectOf.get(selected.hostEndpoint);
    if (!subject) throw new Error(`host endpoint ${selected.hostEndpoint.name} is not in the solver's graph`);
    this.subjectCaveats(subject, caveats);
    const hostClass = this.evaluator.classes[subject.index];
    let allowed = ConnectionSet.EMPTY;
    for (const peer of this.peersOf(other, caveats)) {
      const side = this.evaluator.sideAllowed(direction, hostClass, peer, trace);
      if (!side.intersect(asked).equals(this.withoutFailsafe.sideAllowed(direction, hostClass, peer).intersect(asked))) {
        const failsafe = failsafePortsAt(this.solver.graph, subject.endpoint.node, direction);
        caveats.add(failsafe.statedBy
          ? `The failsafe ports of FelixConfiguration ${failsafe.statedBy.object.name} (${failsafe.statedBy.field}: ${describeFailsafe(failsafe.ports)}) are open at host endpoint ${subject.endpoint.name} whatever the policy `
            + `(calico-node's FELIX_${failsafe.statedBy.field.toUpperCase()} environment variable, where set, overrides them).`
          : `Felix's default failsafe ports (${direction === 'ingress' ? 'inbound' : 'outbound'}: ${describeFailsafe(failsafe.ports)}) are open at host endpoint ${subject.endpoint.name} whatever the policy; `
            + 'a FelixConfiguration (failsafeInboundHostPorts, failsafeOutboundHostPorts) may change them, which the manifests do not show.');
      }
      allowed = allowed.union(side);
    }
    return allowed;
  }

  /** How the other end appears to a side's rules: a pod class, its addresses, or a host endpoint of unknown address. */
  private peersOf(other: CalicoEndpointPeer, caveats: Set<string>): Peer[] {
    if ('podClass' in other) return [other.podClass];
    if ('family' in other) return [{ family: other.family, range: other.range } satisfies AddressPeer];
    const addresses = other.hostEndpoint.expectedIPs.map((text) => parseAddress(text)).filter((address) => address !== undefined);
    if (addresses.length === 0) {
      caveats.add(`Host endpoint ${other.hostEndpoint.name} has no expectedIPs: rules that select it by labels never match its traffic (Calico matches selectors by address), `
        + 'and rules naming nets are taken as not matching it, since its address is unknown.');
      return [{ entity: `calico-host-endpoint:${other.hostEndpoint.name}`, tags: [] } satisfies EntityPeer];
    }
    return addresses.map((address) => ({ family: address.family, range: { first: address.value, last: address.value } }));
  }

  /** What the answer does not evaluate about a host endpoint's own policies. */
  private subjectCaveats(subject: HostEndpointSubject, caveats: Set<string>): void {
    const { endpoint } = subject;
    if (endpoint.interfaceName !== undefined && endpoint.interfaceName !== '*') {
      caveats.add(`Host endpoint ${endpoint.name} polices interface ${endpoint.interfaceName} of node ${endpoint.node} only: this answer takes the connection to pass through it, which depends on the node's routing.`);
    }
    const profiles = new Set(this.solver.graph.calico.profiles.map((profile) => profile.name));
    for (const name of endpoint.profiles) {
      if (!profiles.has(name) && name !== DEFAULT_ALLOW_PROFILE) {
        caveats.add(`Profile ${name} of host endpoint ${endpoint.name} is not in the input: its rules are not evaluated (taken as none, so what no policy allows is denied).`);
      }
    }
    for (const policy of this.solver.graph.calico.policies) {
      if (policy.kind !== 'GlobalNetworkPolicy' || !evaluateCalicoSelector(policyEndpointSelector(policy), subject.labels)) continue;
      if (policy.doNotTrack || policy.preDNAT) {
        caveats.add(`GlobalNetworkPolicy ${calicoPolicyLabel(policy)} (${policy.doNotTrack ? 'doNotTrack' : 'preDNAT'}) selects host endpoint ${endpoint.name}: `
          + 'untracked and pre-DNAT policies are not evaluated, and Calico applies it before the policies this answer evaluates.');
        continue;
      }
      if (policy.applyOnForward) {
        caveats.add(`GlobalNetworkPolicy ${calicoPolicyLabel(policy)} (applyOnForward) also applies to traffic forwarded through host endpoint ${endpoint.name} (pods' traffic entering or leaving node ${endpoint.node}); `
          + 'answers between pods do not evaluate it.');
      }
      for (const left of calicoRulesLeftOut(this.solver.graph, policy)) {
        caveats.add(`GlobalNetworkPolicy ${calicoPolicyLabel(policy)} rule ${left.rule.direction}[${left.rule.index}] (${left.rule.action}), which applies to host endpoint ${endpoint.name}, `
          + `has ${left.parts.join(' and ')}, which k8snet does not evaluate: this answer leaves the rule out.`);
      }
    }
  }

  /**
   * Felix's failsafe rules for one host endpoint: allow the default ports from and to any peer,
   * before every tier; without `withPorts`, the same rules allowing nothing (for comparison).
   */
  private failsafePolicy(subject: HostEndpointSubject, withPorts = true): CompiledPolicy {
    const subjects = new BitSet(this.solver.graph.calico.hostEndpoints.length);
    subjects.add(subject.index);
    const policy: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
      // Read in answers as `Felix's failsafe ports of host endpoint node-a-eth0 rule "failsafeInboundHostPorts"`.
      kind: 'Felix\'s', name: `failsafe:${subject.endpoint.name}`, label: `failsafe ports of host endpoint ${subject.endpoint.name}`,
      object: subject.endpoint.source, stage: FAILSAFE_STAGE.id, priority: 0, model: subject.endpoint,
    };
    for (const direction of ['ingress', 'egress'] as const) {
      const failsafe = failsafePortsAt(this.solver.graph, subject.endpoint.node, direction);
      const field = direction === 'ingress' ? 'failsafeInboundHostPorts' : 'failsafeOutboundHostPorts';
      // One rule for the ports open to every peer, one per `net` for those open to a CIDR only.
      const groups = new Map<string, { net?: FailsafePort['net']; ports: ConnectionSet }>([['', { ports: ConnectionSet.EMPTY }]]);
      for (const entry of withPorts ? failsafe.ports : []) {
        const key = entry.net?.text ?? '';
        const group = groups.get(key) ?? { net: entry.net, ports: ConnectionSet.EMPTY };
        groups.set(key, { ...group, ports: group.ports.union(ConnectionSet.ofPorts(entry.protocol, entry.port)) });
      }
      const rules = [...groups.values()].filter((group, index) => index === 0 || !group.ports.isEmpty()).map((group, position): CompiledRule => {
        const ranges: Record<IpFamily, AddressRange[]> = group.net
          ? { 4: group.net.family === 4 ? [group.net.range] : [], 6: group.net.family === 6 ? [group.net.range] : [] }
          : { 4: [{ first: 0n, last: (1n << 32n) - 1n }], 6: [{ first: 0n, last: (1n << 128n) - 1n }] };
        const classes = group.net ? this.context.classesWithAddressesInside(ranges) : BitSet.full(this.solver.classes.length);
        return {
          policy, direction, action: 'allow', matchesEveryPeer: !group.net, classes, addressRanges: ranges,
          podAddressMatch: 'always', entities: new Set(), numericPorts: group.ports, namedPorts: [], restrictions: [], position,
          source: {
            kind: policy.kind, policyLabel: policy.label, ruleLabel: field,
            object: failsafe.statedBy?.object ?? subject.endpoint.source, path: failsafe.statedBy ? ['spec', field] : [], actionName: 'Allow', rank: 'before every tier',
            describePeers: () => (group.net ? `net ${group.net.text}` : 'any peer'),
          },
          model: { failsafe: direction, endpoint: subject.endpoint },
        };
      });
      policy[direction] = { direction, subjects, isolates: false, rules };
    }
    return policy;
  }
}

function emptyTrace(): SideTrace {
  return { decisions: [], contributions: [] };
}

function isPortProtocol(text: string): text is Protocol {
  return text === 'TCP' || text === 'UDP' || text === 'SCTP';
}

function describeFailsafe(ports: readonly FailsafePort[]): string {
  return ports.map((entry) => `${entry.protocol}/${entry.port}${entry.net ? ` from ${entry.net.text}` : ''}`).join(', ');
}

/** The nodes an end runs on, when the input says: a host endpoint's node, a pod class's pods' nodes. */
function nodesOf(peer: CalicoEndpointPeer): string[] {
  if ('hostEndpoint' in peer) return [peer.hostEndpoint.node];
  if ('podClass' in peer) return peer.podClass.pods.flatMap((pod) => (pod.nodeName ? [pod.nodeName] : []));
  return [];
}
