import { parseAddress, parseCidr, type AddressRange, type IpFamily } from '../../model/cidr.js';
import {
  importedEntryHosts, importedPodPorts, mayImportFromNamespace, sidecarScopeOf, type SidecarScope,
} from '../../model/istio-egress.js';
import { istioMesh } from '../../model/istio-mesh.js';
import { resolveMtls } from '../../model/istio-mtls.js';
import type { IstioSidecar } from '../../model/istio.js';
import type { BitSet } from '../bitset.js';
import { ConnectionSet } from '../connection-set.js';
import type { CompiledPolicy, CompiledRule, EntityPeer, NamedRestriction, PodClass, StageDefinition } from '../policy-form.js';
import type { CompileContext } from './context.js';
import { sortRanges } from './ranges.js';

/*
 * Istio's Sidecar egress as one more stage of the mesh point, on the egress side: a restriction
 * at the client's proxy (docs/istio.md §8; the semantics are src/model/istio-egress.ts).
 *
 * For a source whose proxy a Sidecar configures, towards each destination, TCP only (other
 * protocols are not proxied):
 * - the container ports it reaches through a Service or ServiceEntry host the Sidecar imports:
 *   allowed;
 * - under REGISTRY_ONLY, everything else: denied (the proxy's black hole), so the stage isolates
 *   the source and names the Sidecar; towards a namespace whose Services the manifests do not hold
 *   (cluster DNS, often) and that the hosts may import from, the pods' declared TCP ports are
 *   allowed with an `unknown` restriction (the Services that would decide are not shown);
 * - under ALLOW_ANY, the rest goes to the passthrough, to the address the application asked for:
 *   allowed. Where the destination is a pod some Service exported to the source's namespace
 *   fronts but the Sidecar does not import, the answer says so (a named restriction of layer
 *   `DNS`): the connection is not routed as that Service (no load balancing, DestinationRules or
 *   routes; the Sidecar's author meant to leave it out).
 * DNS names outside the cluster are entity peers `fqdn:<name>` (the same entity Cilium's FQDN
 * peers use), matched by the ServiceEntry hosts the Sidecar imports.
 *
 * Not compiled, said in answers (istio-caveats.ts): the mesh-wide REGISTRY_ONLY where no Sidecar
 * applies (the setting has no manifest to cite), hosts a Sidecar imports through VirtualServices,
 * ServiceEntries that select pods (workloadSelector) or list endpoints.
 */

/** The stage of the mesh point where a client's proxy decides what it sends out. */
export const SIDECAR_EGRESS_STAGE: StageDefinition = {
  id: 'istio-sidecar-egress', point: 'mesh', order: 50, combination: 'first-match', unmatched: 'deny', label: 'Istio Sidecar egress',
};

const FQDN_PREFIX = 'fqdn:';
/** Every TCP port, where a destination's ports are not known. */
const EVERY_PORT_NUMBER = Symbol('every port');
const TCP = ConnectionSet.ofProtocol('TCP');
const NOT_PROXIED = ConnectionSet.ALL.subtract(TCP);
const NO_TAGS: ReadonlySet<string> = new Set();
const NO_ADDRESSES: Readonly<Record<IpFamily, readonly AddressRange[]>> = { 4: [], 6: [] };
const EVERY_ADDRESS: Readonly<Record<IpFamily, readonly AddressRange[]>> = {
  4: [{ first: 0n, last: (1n << 32n) - 1n }],
  6: [{ first: 0n, last: (1n << 128n) - 1n }],
};

/**
 * The peer for a DNS name outside the cluster (`api.example.com`, or a wildcard such as
 * `*.wikipedia.org` standing for some name of that domain): the entity `fqdn:<name>`, tagged with
 * its name and every wildcard that covers it (`fqdn:*.wikipedia.org`, `fqdn:*.org`, `fqdn:*`), so
 * that a rule naming a host matches the names that host covers (Istio's host matching: a wildcard
 * covers every name ending in its suffix).
 */
export function dnsNamePeer(name: string): EntityPeer {
  const normalized = name.trim().toLowerCase().replace(/\.$/, '');
  const labels = normalized.split('.');
  const tags = new Set<string>([`${FQDN_PREFIX}${normalized}`]);
  for (let index = 1; index < labels.length; index++) tags.add(`${FQDN_PREFIX}*.${labels.slice(index).join('.')}`);
  tags.add(`${FQDN_PREFIX}*`);
  return { entity: `${FQDN_PREFIX}${normalized}`, tags: [...tags] };
}

/** The tag a rule names for a ServiceEntry host: the peers {@link dnsNamePeer} makes carry it when the host covers them. */
function hostTag(host: string): string {
  return `${FQDN_PREFIX}${host.trim().toLowerCase().replace(/\.$/, '')}`;
}

/** Compiles what the Sidecars of the graph let their workloads' proxies send out, one policy per (Sidecar, namespace). */
export function compileSidecarEgress(context: CompileContext): CompiledPolicy[] {
  const { graph } = context;
  const istio = graph.istio;
  if (istio.sidecars.length === 0) return [];
  const mesh = istioMesh(graph);
  // Sources grouped by the Sidecar that configures their proxy and the namespace the scope is built for.
  const groups = new Map<string, { scope: SidecarScope; sidecar: IstioSidecar; subjects: BitSet }>();
  for (const podClass of context.classes) {
    if (mesh.membershipOf(podClass.pods[0]).dataPlane !== 'sidecar') continue;
    const scope = sidecarScopeOf(podClass.namespace, podClass.labels, istio, istio.settings);
    if (!scope.sidecar) continue;
    const key = `${scope.sidecar.namespace}/${scope.sidecar.name}\u0000${podClass.namespace}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { scope, sidecar: scope.sidecar, subjects: context.newClassSet() }));
    group.subjects.add(podClass.index);
  }
  const compiled: CompiledPolicy[] = [];
  for (const group of groups.values()) {
    const policy = compileGroup(context, group.scope, group.sidecar, group.subjects);
    if (policy) compiled.push(policy);
  }
  return compiled;
}

/** One Sidecar for the workloads of one namespace; undefined when it changes nothing (ALLOW_ANY importing every Service). */
function compileGroup(context: CompileContext, scope: SidecarScope, sidecar: IstioSidecar, subjects: BitSet): CompiledPolicy | undefined {
  const { graph } = context;
  const settings = graph.istio.settings;
  const registryOnly = scope.outboundTrafficPolicy === 'REGISTRY_ONLY';
  // Destination classes grouped by the TCP ports the scope imports, and (ALLOW_ANY) by those it leaves to the passthrough.
  const imported = new Map<string, { ports: ConnectionSet; classes: BitSet }>();
  const passedThrough = new Map<string, { ports: ConnectionSet; classes: BitSet }>();
  // Ports the passthrough would take to a workload that accepts only mTLS on them: the proxy sends
  // passthrough traffic as it is, in plaintext (it knows no Service there to originate mTLS for;
  // istio/istio#41978), and the destination's STRICT PeerAuthentication refuses it.
  const refusedPlaintext = new Map<string, { ports: ConnectionSet; classes: BitSet }>();
  const mesh = istioMesh(graph);
  const unknownRegistry = new Map<string, { ports: ConnectionSet; classes: BitSet }>();
  const gather = (into: Map<string, { ports: ConnectionSet; classes: BitSet }>, ports: ReadonlySet<number> | typeof EVERY_PORT_NUMBER, podClass: PodClass) => {
    if (ports !== EVERY_PORT_NUMBER && ports.size === 0) return;
    const sorted = ports === EVERY_PORT_NUMBER ? [] : [...ports].sort((a, b) => a - b);
    const key = ports === EVERY_PORT_NUMBER ? '*' : sorted.join(',');
    let entry = into.get(key);
    if (!entry) {
      let set = ports === EVERY_PORT_NUMBER ? TCP : ConnectionSet.EMPTY;
      for (const port of sorted) set = set.union(ConnectionSet.ofPorts('TCP', port));
      into.set(key, (entry = { ports: set, classes: context.newClassSet() }));
    }
    entry.classes.add(podClass.index);
  };
  for (const podClass of context.classes) {
    const pod = podClass.pods[0];
    const services = graph.servicesInNamespace(pod.namespace);
    if (services.length === 0) {
      // A namespace whose Services the manifests do not hold (cluster DNS, often): what REGISTRY_ONLY lets through is not known.
      if (registryOnly && mayImportFromNamespace(scope, pod.namespace, settings)) {
        const declared = new Set(pod.ports.filter((port) => port.protocol === 'TCP').map((port) => port.containerPort));
        gather(unknownRegistry, declared.size > 0 ? declared : EVERY_PORT_NUMBER, podClass);
      }
      continue;
    }
    const ports = importedPodPorts(pod, services, scope.namespace, scope, settings);
    gather(imported, ports, podClass);
    if (!registryOnly) {
      const registry = importedPodPorts(pod, services, scope.namespace, undefined, settings);
      const left = [...registry].filter((port) => !ports.has(port));
      const inMesh = mesh.membershipOf(pod).dataPlane !== 'none';
      const strict = new Set(left.filter((port) => inMesh && resolveMtls(pod.namespace, pod.labels, port, graph.istio.peerAuthentications, settings).mode === 'STRICT'));
      gather(passedThrough, new Set(left.filter((port) => !strict.has(port))), podClass);
      gather(refusedPlaintext, strict, podClass);
    }
  }
  if (!registryOnly && passedThrough.size === 0 && refusedPlaintext.size === 0) return undefined;

  const label = `${sidecar.namespace}/${sidecar.name}`;
  const policy: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
    kind: 'Sidecar', name: sidecar.name, namespace: sidecar.namespace, label, object: sidecar.source, stage: SIDECAR_EGRESS_STAGE.id, priority: 0, model: sidecar,
  };
  const modeText = `outboundTrafficPolicy ${scope.outboundTrafficPolicy}${scope.outboundTrafficPolicyFrom === 'mesh' ? ' (the mesh\'s)' : ''}`;
  const rules: CompiledRule[] = [];
  const rule = (fields: Pick<CompiledRule, 'classes' | 'numericPorts'> & Partial<CompiledRule> & { ruleLabel: string; describePeers: () => string; path?: readonly (string | number)[] }): void => {
    const { ruleLabel, describePeers, path, ...rest } = fields;
    rules.push({
      policy, direction: 'egress', action: 'allow', matchesEveryPeer: false, addressRanges: NO_ADDRESSES, podAddressMatch: 'never', entities: NO_TAGS,
      namedPorts: [], restrictions: [], position: rules.length, model: sidecar, ...rest,
      source: {
        kind: 'Sidecar', policyLabel: label, ruleLabel, object: sidecar.source, path: path ?? ['spec', 'egress'], actionName: rest.action ?? 'allow', rank: 'Istio Sidecar egress', describePeers,
      },
    });
  };
  rule({
    matchesEveryPeer: true, classes: context.allClasses(), addressRanges: EVERY_ADDRESS, entities: new Set(['any-pod']), numericPorts: NOT_PROXIED,
    ruleLabel: 'traffic Istio does not proxy (protocols other than TCP), which passes its proxy', describePeers: () => 'every destination', path: ['spec'],
  });
  const hostsText = scope.listeners.map((listener) => `${listener.hosts.map((host) => host.text).join(', ')}${listener.port !== undefined ? ` on port ${listener.port}` : ''}`).join('; ');
  for (const { ports, classes } of imported.values()) {
    rule({ classes, numericPorts: ports, ruleLabel: `egress hosts ${hostsText}`, describePeers: () => 'pods behind the Services these hosts import' });
  }
  for (const { host, entry, ports } of importedEntryHosts(scope, graph.istio)) {
    let set = ConnectionSet.EMPTY;
    for (const port of ports) set = set.union(ConnectionSet.ofPorts('TCP', port));
    const ranges: Record<IpFamily, AddressRange[]> = { 4: [], 6: [] };
    for (const address of entry.addresses) {
      const parsed = parseRange(address);
      if (parsed) ranges[parsed.family].push(parsed.range);
    }
    rule({
      classes: context.newClassSet(), entities: new Set([hostTag(host)]), addressRanges: { 4: sortRanges(ranges[4]), 6: sortRanges(ranges[6]) }, numericPorts: set,
      ruleLabel: `egress hosts ${hostsText}: ServiceEntry ${entry.namespace}/${entry.name} host ${host}`,
      describePeers: () => `${host}${entry.addresses.length > 0 ? ` (${entry.addresses.join(', ')})` : ''}`,
    });
  }
  for (const { ports, classes } of unknownRegistry.values()) {
    rule({
      classes, numericPorts: ports, ruleLabel: `egress hosts ${hostsText}: a namespace without Services in the manifests`,
      describePeers: () => 'pods of namespaces whose Services the manifests do not hold',
      restrictions: [{
        layer: 'unknown',
        description: `the manifests hold no Service of the destination's namespace: under ${modeText} the proxy reaches these pods only through a Service `
          + `the egress hosts of Sidecar ${label} import, which k8snet cannot tell`,
      }],
    });
  }
  if (!registryOnly) {
    const restriction: NamedRestriction = {
      layer: 'DNS',
      description: `the egress hosts of Sidecar ${label} (${hostsText}) do not import the Service in front of this port: the proxy passes the connection `
        + 'through as an unknown destination, without the Service\'s routing',
    };
    for (const { ports, classes } of refusedPlaintext.values()) {
      rule({
        action: 'deny', classes, numericPorts: ports, ruleLabel: `${modeText}: passthrough in plaintext, which the destination's STRICT mTLS refuses`,
        describePeers: () => 'pods behind Services the egress hosts do not import, that accept only mTLS on these ports',
      });
    }
    for (const { ports, classes } of passedThrough.values()) {
      rule({ classes, numericPorts: ports, restrictions: [restriction], ruleLabel: `${modeText}: passthrough`, describePeers: () => 'pods behind Services the egress hosts do not import' });
    }
    rule({
      matchesEveryPeer: true, classes: context.allClasses(), addressRanges: EVERY_ADDRESS, entities: new Set(['any-pod']), numericPorts: TCP,
      ruleLabel: `${modeText}: unknown destinations passed through`, describePeers: () => 'every destination', path: ['spec'],
    });
  }
  policy.egress = { direction: 'egress', subjects, isolates: true, rules };
  return policy;
}

function parseRange(text: string): { family: IpFamily; range: AddressRange } | undefined {
  if (text.includes('/')) {
    const cidr = parseCidr(text);
    return 'error' in cidr ? undefined : { family: cidr.family, range: cidr.range };
  }
  const address = parseAddress(text);
  return address ? { family: address.family, range: { first: address.value, last: address.value } } : undefined;
}
