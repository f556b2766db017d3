/**
 * Which files a `can-reach` question can depend on. A connection between two pods is decided by
 * the policies of their two namespaces, the labels of those namespaces, the pods themselves, the
 * cluster-scoped policies (admin policies and ClusterNetworkPolicies, Cilium's cluster-wide ones,
 * Calico's global ones and tiers; and the Nodes the `nodes` peers of cluster-wide policies match) and
 * Istio's security policies (those of the mesh's root namespace apply to every namespace); every
 * other object of that kind names its namespace (or, for a Namespace, is named after it), so a file
 * that never mentions either namespace nor a cluster-wide policy, nor holds a Node, holds nothing
 * that can change the answer, and need not be parsed.
 */
import { API_SERVER_ENDPOINT, isEntityEndpointText } from './entity-endpoints.js';

/**
 * Texts of the kinds that can decide any connection without naming its namespaces: every
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy holds the first, every ClusterNetworkPolicy the
 * second, every CiliumClusterwideNetworkPolicy the third, CiliumCIDRGroups (which its CIDR rules
 * name) the fourth, every Istio AuthorizationPolicy, PeerAuthentication and RequestAuthentication its
 * API group (those of the mesh's root namespace apply to every namespace), every Istio Sidecar,
 * ServiceEntry and DestinationRule theirs (the root namespace's default Sidecar configures every
 * namespace's proxies, a ServiceEntry is exported to every namespace by default), and every Calico object
 * its apiVersion in either of Calico's groups (GlobalNetworkPolicies, tiers, global network sets and
 * host endpoints name no namespace but can decide any connection), and Cilium's agent
 * configuration, the `cilium-config` ConfigMap (enable-policy, the host firewall, allow-localhost,
 * policy-cidr-match-mode decide connections of every namespace), and the objects that show Calico
 * or Cilium running.
 */
const CLUSTER_SCOPED_POLICY_TEXTS: readonly string[] = [
  'AdminNetworkPolicy', 'ClusterNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'CiliumCIDRGroup', 'security.istio.io', 'networking.istio.io', 'projectcalico.org',
  'cilium-config',
  // What shows Calico or Cilium running (their agents' DaemonSets, images and labels, Calico's
  // ConfigMap and operator, Cilium's runtime objects; src/model/network-plugin.ts): the plugin
  // decides how ipBlocks match (Calico applies them to pod IPs, Cilium to outside addresses only).
  'calico-node', 'calico/node', 'calico-config', 'operator.tigera.io', 'canal',
  'cilium/cilium', 'cilium-agent', 'k8s-app: cilium', 'k8s-app=cilium', '"k8s-app":"cilium"', '"k8s-app": "cilium"', 'CiliumNode', 'CiliumEndpoint', 'CiliumIdentity',
];

/**
 * How a Node object spells its kind: the `nodes` peers of cluster-wide policies match Nodes by
 * their labels and addresses, and a Node names no namespace.
 */
const NODE_KIND_SPELLINGS: readonly string[] = ['kind: Node\n', 'kind: Node\r\n', 'kind: "Node"', "kind: 'Node'", '"kind":"Node"', '"kind": "Node"'];

/**
 * Returns the namespaces a `can-reach` endpoint argument lives in: `ns/name`, `ns/Kind/name`,
 * `ns/labels`, `svc:ns/name` give theirs; `dns` cluster DNS's (`dnsNamespace`); `internet`,
 * entities (`node:`, `fqdn:`) and `ip:` none (an address may be any Service's ClusterIP: see {@link isScopable}); a bare name the
 * default namespace.
 */
export function endpointNamespace(text: string, defaultNamespace: string, dnsNamespace = 'kube-system'): string | undefined {
  if (text === 'dns') return dnsNamespace;
  // An entity (node:NAME, fqdn:NAME) lives in no namespace; a Node is read from whichever file holds it.
  if (text === 'internet' || text === API_SERVER_ENDPOINT || text.startsWith('ip:') || isEntityEndpointText(text)) return undefined;
  const body = text.startsWith('svc:') ? text.slice(4) : text;
  const slash = body.indexOf('/');
  return slash === -1 ? defaultNamespace : body.slice(0, slash);
}

/**
 * Returns true when the files a question between these endpoints reads can be narrowed by
 * namespace: not with an `ip:` endpoint, which stands for the Service or pod with that address
 * in whatever file and namespace it is.
 */
export function isScopable(endpoints: readonly string[]): boolean {
  return !endpoints.some((text) => text.startsWith('ip:'));
}

/**
 * Returns a predicate over a file's raw bytes that is true when the file may hold an object the
 * question between `namespaces` depends on; undefined when every file may (a namespace is the
 * default one, which objects without a namespace fall into, or none is named).
 */
export function relevantFilesFor(namespaces: readonly string[], defaultNamespace: string): ((bytes: Buffer) => boolean) | undefined {
  if (namespaces.length === 0 || namespaces.includes(defaultNamespace)) return undefined;
  const needles = [...new Set(namespaces), ...CLUSTER_SCOPED_POLICY_TEXTS, ...NODE_KIND_SPELLINGS].map((needle) => Buffer.from(needle, 'utf8'));
  return (bytes) => mayHideText(bytes) || needles.some((needle) => bytes.includes(needle));
}

const BACKSLASH = 0x5c;
const ESCAPES_THAT_SPELL_TEXT = new Set([0x78, 0x75, 0x55, 0x0a, 0x0d]); // x u U, and an escaped line break

/**
 * True when a file could spell a name without its plain bytes: a byte-order mark or NUL bytes (UTF-16,
 * binary: parsing reports them), or a YAML/JSON escape that writes letters (`\u0073`, `\x73`) or
 * joins a double-quoted string across lines.
 */
function mayHideText(bytes: Buffer): boolean {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) return true;
  if (bytes.includes(0)) return true;
  for (let index = bytes.indexOf(BACKSLASH); index !== -1 && index < bytes.length - 1; index = bytes.indexOf(BACKSLASH, index + 1)) {
    if (ESCAPES_THAT_SPELL_TEXT.has(bytes[index + 1])) return true;
  }
  return false;
}
