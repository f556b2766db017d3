/**
 * Reads the Cilium cases of the dialect conformance corpus (../shared/conformance/dialects/cilium,
 * cilium-cli connectivity tests; README there) into plain data: each case's input manifests (the
 * topology plus every policy file, the rendered copy wherever one exists), the nodes its pods run
 * on (its stated assumptions), and its expected pairs with their endpoints, port and verdict.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Where the corpus lives, beside the repository. */
export const CILIUM_CORPUS = path.resolve(process.cwd(), '..', 'shared', 'conformance', 'dialects', 'cilium');

/** The namespace the cases run in; policies without one are created there. */
export const CILIUM_TEST_NAMESPACE = 'cilium-test';

/** A source or destination of a pair. */
export type CiliumCaseEndpoint =
  /** The pod of a Deployment (`cilium-test/client`). */
  | { readonly kind: 'pod'; readonly namespace: string; readonly workload: string }
  /** The hostNetwork pod of DaemonSet `host-netns` on a node: the node's `host` entity. */
  | { readonly kind: 'host'; readonly namespace: string; readonly workload: string; readonly node: string }
  /** A Service through its ClusterIP. */
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string }
  /** An address outside the cluster (`world`). */
  | { readonly kind: 'cidr'; readonly cidr: string }
  /** A name outside the cluster, reached after a DNS lookup to kube-dns. */
  | { readonly kind: 'fqdn'; readonly name: string }
  /** A node itself, by one of its addresses. */
  | { readonly kind: 'node'; readonly node: string; readonly addressType: string };

/** What a pair sends: a TCP port, or an ICMP echo request. */
export type CiliumCasePort =
  | { readonly protocol: 'TCP'; readonly port: number }
  | { readonly protocol: 'ICMP'; readonly icmp: string };

/** The verdicts the corpus uses. */
export type CiliumExpectation = 'allow' | 'drop' | 'deny-l7-http' | 'deny-l7-tls';

/** One expected pair. */
export interface CiliumCasePair {
  readonly from: CiliumCaseEndpoint;
  readonly to: CiliumCaseEndpoint;
  readonly port: CiliumCasePort;
  readonly expect: CiliumExpectation;
  readonly scenario: string;
  readonly upstream: { readonly egress: string; readonly ingress: string };
  /** The HTTP request (method and path) when the test sends one. */
  readonly http?: { readonly method: string; readonly path: string };
  /** The URL of a request to the world. */
  readonly url?: string;
  readonly note?: string;
  /** The pair as written, for messages. */
  readonly text: string;
}

/** One case: its inputs, its assumptions and its pairs. */
export interface CiliumCase {
  readonly name: string;
  readonly folder: string;
  readonly class: 'l3l4' | 'l7';
  readonly features: readonly string[];
  /** When upstream runs the test (features it needs), or undefined when always. */
  readonly condition?: string;
  /** Topology first, then the policy files in the order of the case folder. */
  readonly files: readonly { readonly path: string; readonly text: string }[];
  /** The node of each pod by `namespace/workload`, from the case's assumptions. */
  readonly podNodes: ReadonlyMap<string, string>;
  readonly pairs: readonly CiliumCasePair[];
}

/** The cases present, sorted by name; none when the corpus is absent. */
export function listCiliumCases(root = CILIUM_CORPUS): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'expected.json'))).sort();
}

/** Reads every case of the corpus. */
export function loadCiliumCases(root = CILIUM_CORPUS): CiliumCase[] {
  return listCiliumCases(root).map((name) => loadCiliumCase(name, root));
}

/** Reads one case. Throws on a file, endpoint or port it cannot read, so that nothing is skipped silently. */
export function loadCiliumCase(name: string, root = CILIUM_CORPUS): CiliumCase {
  const folder = path.join(root, name);
  const expected = JSON.parse(fs.readFileSync(path.join(folder, 'expected.json'), 'utf8')) as Record<string, any>;
  return {
    name,
    folder,
    class: expected.class,
    features: expected.features ?? [],
    ...(typeof expected.condition === 'string' ? { condition: expected.condition } : {}),
    files: caseFiles(folder),
    podNodes: podNodesOf(String(expected.assumptions?.nodes ?? '')),
    pairs: (expected.pairs as Record<string, any>[]).map((pair) => readPair(pair, name)),
  };
}

/** The topology files, then every policy file, taking `manifests-rendered/<file>` instead wherever it exists. */
function caseFiles(folder: string): { path: string; text: string }[] {
  const topology = path.join(folder, 'manifests', 'topology');
  const policies = path.join(folder, 'manifests', 'cilium-cli');
  const rendered = path.join(folder, 'manifests-rendered');
  const files = yamlFiles(topology);
  for (const file of yamlFiles(policies)) {
    const copy = path.join(rendered, path.basename(file));
    files.push(fs.existsSync(copy) ? copy : file);
  }
  return files.map((file) => ({ path: path.relative(process.cwd(), file), text: fs.readFileSync(file, 'utf8') }));
}

function yamlFiles(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) found.push(full);
  }
  return found;
}

/** `two nodes; node-1: client, client2, echo-same-node; node-2: client3, echo-other-node` → workload → node. */
export function podNodesOf(text: string): Map<string, string> {
  const nodes = new Map<string, string>();
  for (const part of text.split(';')) {
    const match = /^\s*([a-z0-9-]+)\s*:\s*(.+)$/.exec(part);
    if (!match) continue;
    for (const workload of match[2].split(',')) nodes.set(`${CILIUM_TEST_NAMESPACE}/${workload.trim()}`, match[1]);
  }
  return nodes;
}

/** Reads an endpoint as the corpus writes it (README "Cilium expected.json"). */
export function readEndpoint(text: string): CiliumCaseEndpoint {
  let match = /^([a-z0-9-]+)\/host-netns@([a-z0-9-]+) \(hostNetwork pod = host entity of \2\)$/.exec(text);
  if (match) return { kind: 'host', namespace: match[1], workload: 'host-netns', node: match[2] };
  match = /^([a-z0-9-]+)\/service\/([a-z0-9-]+)$/.exec(text);
  if (match) return { kind: 'service', namespace: match[1], name: match[2] };
  match = /^cidr:(\S+) \(world\)$/.exec(text);
  if (match) return { kind: 'cidr', cidr: match[1] };
  match = /^fqdn:(\S+) \(world\)$/.exec(text);
  if (match) return { kind: 'fqdn', name: match[1] };
  match = /^node:([a-z0-9-]+) \((\w+)\)$/.exec(text);
  if (match) return { kind: 'node', node: match[1], addressType: match[2] };
  match = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(text);
  if (match) return { kind: 'pod', namespace: match[1], workload: match[2] };
  throw new Error(`cannot read the endpoint '${text}'`);
}

/** Reads a port: `8080/TCP` or `ICMP` (with the pair's `icmp` kind, an echo request). */
export function readPort(text: string, icmp: unknown): CiliumCasePort {
  const match = /^(\d+)\/TCP$/.exec(text);
  if (match) return { protocol: 'TCP', port: Number(match[1]) };
  if (text === 'ICMP') return { protocol: 'ICMP', icmp: typeof icmp === 'string' ? icmp : 'echo-request' };
  throw new Error(`cannot read the port '${text}'`);
}

function readPair(pair: Record<string, any>, caseName: string): CiliumCasePair {
  const expectation = pair.expect as CiliumExpectation;
  if (!['allow', 'drop', 'deny-l7-http', 'deny-l7-tls'].includes(expectation)) throw new Error(`${caseName}: unknown expectation '${pair.expect}'`);
  return {
    from: readEndpoint(String(pair.from)),
    to: readEndpoint(String(pair.to)),
    port: readPort(String(pair.port), pair.icmp),
    expect: expectation,
    scenario: String(pair.scenario),
    upstream: { egress: String(pair.upstream_expectation?.egress), ingress: String(pair.upstream_expectation?.ingress) },
    ...(pair.http ? { http: { method: String(pair.http.method), path: String(pair.http.path) } } : {}),
    ...(typeof pair.url === 'string' ? { url: pair.url } : {}),
    ...(typeof pair.note === 'string' ? { note: pair.note } : {}),
    text: `${pair.from} → ${pair.to} ${pair.port}`,
  };
}

/** The corpus index (`../index.tsv`) rows of the Cilium dialect: case → class and asserted pairs. */
export function ciliumIndexRows(root = CILIUM_CORPUS): Map<string, { class: string; assertedPairs: number; features: string[] }> {
  const rows = new Map<string, { class: string; assertedPairs: number; features: string[] }>();
  const index = path.join(root, '..', 'index.tsv');
  if (!fs.existsSync(index)) return rows;
  const [header, ...lines] = fs.readFileSync(index, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const columns = header.split('\t');
  for (const line of lines) {
    const cells = line.split('\t');
    const cell = (name: string) => cells[columns.indexOf(name)] ?? '';
    if (cell('dialect') !== 'cilium') continue;
    rows.set(cell('case'), { class: cell('class'), assertedPairs: Number(cell('asserted_pairs')), features: cell('features').split(';').filter(Boolean) });
  }
  return rows;
}
