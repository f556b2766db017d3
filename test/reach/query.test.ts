/**
 * `can-reach` queries: how SRC/DST arguments and ports are read (resolveEndpoint,
 * parsePortQuery), what answerReach makes of Services, ExternalNames and the internet, and the
 * verdict line and rule locations of the text and JSON reports.
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { ReachabilitySolver } from '../../src/reach/solver.js';
import { answerReach, parsePortQuery, QueryError, resolveEndpoint, type ReachAnswer } from '../../src/reach/query.js';
import { formatReachJson, formatReachText } from '../../src/report/reach-text.js';
import { PLAIN, loadPaint } from '../../src/report/paint.js';

/*
 * shop: client (egress isolated: to app=web, and to 203.0.113.0/24 on 443), batch, two concrete
 * web pods serving the port named http on 8080 (web-a) and 9090 (web-b) behind Service web,
 * a Deployment and a StatefulSet both called cache, api (ingress only from 198.51.100.0/24:443).
 */
const DOCUMENTS = [
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: main, image: client}]}
`,
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: shop}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec: {containers: [{name: main, image: batch}]}
`,
  `apiVersion: v1
kind: Pod
metadata: {name: web-a, namespace: shop, labels: {app: web}}
spec: {containers: [{name: main, image: web, ports: [{name: http, containerPort: 8080}]}]}
`,
  `apiVersion: v1
kind: Pod
metadata: {name: web-b, namespace: shop, labels: {app: web}}
spec: {containers: [{name: main, image: web, ports: [{name: http, containerPort: 9090}]}]}
`,
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: shop}
spec:
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: main, image: cache}]}
`,
  `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: shop}
spec:
  selector: {matchLabels: {app: cache-sts}}
  template:
    metadata: {labels: {app: cache-sts}}
    spec: {containers: [{name: main, image: cache}]}
`,
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: main, image: api, ports: [{name: https, containerPort: 443}]}]}
`,
  `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`,
  `apiVersion: v1
kind: Service
metadata: {name: ghost, namespace: shop}
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
`,
  `apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec:
  type: ExternalName
  externalName: api.example.com
`,
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 8080}]
`,
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: web}}}]
  - to: [{ipBlock: {cidr: 203.0.113.0/24}}]
    ports: [{port: 443}]
`,
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{ipBlock: {cidr: 198.51.100.0/24}}]
    ports: [{port: 443}]
`,
];
const TEXT = DOCUMENTS.join('---\n');
const { graph, inputFindings } = analyzeTexts([{ path: 'x.yaml', text: TEXT }]);
const solver = new ReachabilitySolver(graph);

/** The 1-based line of the first line of TEXT containing `needle` after the line containing `after`. */
function lineOf(needle: string, after: string): number {
  const lines = TEXT.split('\n');
  const start = lines.findIndex((line) => line.includes(after));
  const index = lines.findIndex((line, i) => i > start && line.includes(needle));
  if (start < 0 || index < 0) throw new Error(`'${needle}' after '${after}' not found`);
  return index + 1;
}

function ask(source: string, destination: string, port?: string): ReachAnswer {
  return answerReach(solver, resolveEndpoint(graph, source), resolveEndpoint(graph, destination), port === undefined ? undefined : parsePortQuery(port));
}

function firstLine(answer: ReachAnswer): string {
  return formatReachText(answer, PLAIN).split('\n')[0];
}

function queryError(action: () => unknown): QueryError {
  try {
    action();
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error('expected a QueryError');
}

it('the manifests load without findings', () => {
  expect(inputFindings).toEqual([]);
});

describe('resolveEndpoint', () => {
  it('ns/name names a workload by namespace and name', () => {
    const endpoint = resolveEndpoint(graph, 'shop/client');
    expect(endpoint).toMatchObject({ type: 'pods', label: 'shop/client[Deployment]' });
    expect(endpoint.type === 'pods' && endpoint.pods.map((pod) => pod.workloadId)).toEqual(['shop/client[Deployment]']);
    expect(resolveEndpoint(graph, 'shop/web-a')).toMatchObject({ type: 'pods', label: 'shop/web-a[Pod]' });
  });

  it('ns/Kind/name names a workload of one kind, the kind case-insensitively', () => {
    expect(resolveEndpoint(graph, 'shop/Deployment/cache')).toMatchObject({ type: 'pods', label: 'shop/cache[Deployment]' });
    expect(resolveEndpoint(graph, 'shop/statefulset/cache')).toMatchObject({ type: 'pods', label: 'shop/cache[StatefulSet]' });
    expect(queryError(() => resolveEndpoint(graph, 'shop/DaemonSet/cache')).message).toMatch(/^no workload shop\/DaemonSet\/cache in the manifests/);
  });

  it('a name shared by several kinds is ambiguous, and the error lists them', () => {
    expect(queryError(() => resolveEndpoint(graph, 'shop/cache')).message)
      .toBe('shop/cache is ambiguous: shop/Deployment/cache, shop/StatefulSet/cache');
  });

  it('ns/key=value,... names the pods with those labels', () => {
    const endpoint = resolveEndpoint(graph, 'shop/app=web');
    expect(endpoint).toMatchObject({ type: 'pods', label: 'shop/{app=web}' });
    expect(endpoint.type === 'pods' && endpoint.pods.map((pod) => pod.name)).toEqual(['web-a', 'web-b']);
    expect(queryError(() => resolveEndpoint(graph, 'shop/app=web,tier=front')).message)
      .toBe('no pod in namespace shop has the labels app=web,tier=front');
    expect(queryError(() => resolveEndpoint(graph, 'other/app=web')).message).toBe('no pod in namespace other has the labels app=web');
  });

  it('an unknown workload is an error that suggests close names', () => {
    expect(queryError(() => resolveEndpoint(graph, 'other/client')).message)
      .toBe('no workload other/client in the manifests; did you mean shop/client?');
    expect(queryError(() => resolveEndpoint(graph, 'shop/cli')).message)
      .toBe('no workload shop/cli in the manifests; did you mean shop/client?');
    // A bare name is looked up in the default namespace.
    expect(queryError(() => resolveEndpoint(graph, 'batch')).message)
      .toBe('no workload default/batch in the manifests; did you mean shop/batch?');
    expect(queryError(() => resolveEndpoint(graph, 'shop/zzz')).message).toBe('no workload shop/zzz in the manifests');
    // An ordinal past a StatefulSet's replicas: how many there are.
    expect(queryError(() => resolveEndpoint(graph, 'shop/cache-7')).message).toMatch(/^no pod shop\/cache-7: StatefulSet shop\/cache has \d+ replicas? \(cache-0/);
    // Ordinals start where spec.ordinals.start says.
    const started = analyzeTexts([{ path: 's.yaml', text: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 3\n  ordinals: {start: 5}\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: w, image: w}]}\n' }]).graph;
    expect(queryError(() => resolveEndpoint(started, 'shop/web-0')).message).toBe('no pod shop/web-0: StatefulSet shop/web has 3 replicas (web-5 to web-7)');
    // A typo (a letter left out, two swapped) finds the name too.
    expect(queryError(() => resolveEndpoint(graph, 'shop/clinet')).message).toBe('no workload shop/clinet in the manifests; did you mean shop/client?');
  });

  it('svc:ns/name names a Service with its endpoint pods; unknown Services are errors with suggestions', () => {
    const endpoint = resolveEndpoint(graph, 'svc:shop/web');
    expect(endpoint).toMatchObject({ type: 'service', label: 'svc:shop/web', service: { name: 'web' } });
    expect(endpoint.type === 'service' && endpoint.pods.map((pod) => pod.name)).toEqual(['web-a', 'web-b']);
    expect(resolveEndpoint(graph, 'svc:shop/ext')).toMatchObject({ type: 'external-name', label: 'svc:shop/ext' });
    expect(queryError(() => resolveEndpoint(graph, 'svc:default/web')).message).toBe('no Service default/web in the manifests; did you mean shop/web?');
  });

  it('ip:ADDRESS and internet name addresses outside the cluster', () => {
    expect(resolveEndpoint(graph, 'ip:1.2.3.4')).toEqual({ type: 'address', label: '1.2.3.4', family: 4, range: { first: 0x01020304n, last: 0x01020304n } });
    expect(resolveEndpoint(graph, 'ip:2001:db8::1')).toMatchObject({ type: 'address', family: 6 });
    expect(resolveEndpoint(graph, 'internet')).toEqual({ type: 'internet', label: 'the internet' });
    expect(queryError(() => resolveEndpoint(graph, 'ip:300.1.1.1')).message).toBe("'300.1.1.1' is not an IP address");
  });

  it('other forms are errors', () => {
    expect(queryError(() => resolveEndpoint(graph, 'a/b/c/d')).message).toBe("'a/b/c/d' is not of the form ns/name, ns/Kind/name or ns/label=value");
  });
});

describe('parsePortQuery', () => {
  it('reads a number, with TCP by default', () => {
    expect(parsePortQuery('80')).toEqual({ protocol: 'TCP', port: 80 });
    expect(parsePortQuery('1')).toEqual({ protocol: 'TCP', port: 1 });
    expect(parsePortQuery('65535')).toEqual({ protocol: 'TCP', port: 65535 });
  });

  it('reads a protocol after a slash, in any case', () => {
    expect(parsePortQuery('80/udp')).toEqual({ protocol: 'UDP', port: 80 });
    expect(parsePortQuery('53/UDP')).toEqual({ protocol: 'UDP', port: 53 });
    expect(parsePortQuery('9090/Sctp')).toEqual({ protocol: 'SCTP', port: 9090 });
    expect(parsePortQuery('443/TCP')).toEqual({ protocol: 'TCP', port: 443 });
  });

  it('reads a port name, with or without protocol', () => {
    expect(parsePortQuery('http')).toEqual({ protocol: 'TCP', port: 'http' });
    expect(parsePortQuery('http/TCP')).toEqual({ protocol: 'TCP', port: 'http' });
    expect(parsePortQuery('dns-udp/udp')).toEqual({ protocol: 'UDP', port: 'dns-udp' });
  });

  it('rejects ports outside 1-65535, unknown protocols and malformed names', () => {
    expect(() => parsePortQuery('0')).toThrow('port 0 is outside 1-65535');
    expect(() => parsePortQuery('65536')).toThrow('port 65536 is outside 1-65535');
    expect(() => parsePortQuery('80/icmp')).toThrow("'icmp' is not a protocol: use TCP, UDP or SCTP");
    expect(() => parsePortQuery('80/')).toThrow("'' is not a protocol");
    for (const bad of ['', 'HTTP', '-1', 'http-', 'http_x', '80.5', ' 80']) {
      expect(() => parsePortQuery(bad)).toThrow(QueryError);
    }
  });

  it('reads ICMP and ICMPv6 with an optional type and code, and IP protocols by number or name', () => {
    const read = (text: string) => {
      const query = parsePortQuery(text);
      return 'connections' in query ? [query.label, query.connections.toString()] : query;
    };
    expect(read('icmp')).toEqual(['ICMP', 'ICMP']);
    expect(read('ICMP/8')).toEqual(['ICMP 8', 'ICMP 8']);
    expect(read('icmp/8/0')).toEqual(['ICMP 8/0', 'ICMP 8/0']);
    expect(read('icmpv6/128')).toEqual(['ICMPv6 128', 'ICMPv6 128']);
    expect(read('proto/47')).toEqual(['protocol 47', 'GRE']);
    expect(read('proto/vrrp')).toEqual(['protocol VRRP', 'VRRP']);
    // A container port called icmp is asked about with its protocol.
    expect(read('icmp/TCP')).toEqual({ protocol: 'TCP', port: 'icmp' });
    for (const bad of ['icmp/256', 'icmp/8/0/1', 'icmp/x', 'proto/', 'proto/999', 'proto/nothing', 'proto/1/2']) {
      expect(() => parsePortQuery(bad)).toThrow(QueryError);
    }
  });

  // BUG (src/reach/query.ts, parsePortQuery): the text is split on '/' and only the first two
  // parts are read, so `80/tcp/extra` is accepted as 80/TCP instead of being rejected.
  it('rejects a port with more than one slash', () => {
    expect(() => parsePortQuery('80/tcp/extra')).toThrow(QueryError);
  });

  // Issue 18: `1-100` was taken as a port name (and `0x50`, `1e3` as names too), which matches
  // no container port: the answer was about nothing, without a word.
  it('rejects ranges, numbers in other notations and what IsValidPortName refuses', () => {
    expect(() => parsePortQuery('1-100')).toThrow("'1-100' is a range: ask about one port");
    expect(() => parsePortQuery('0x50')).toThrow("'0x50' reads as a number written in another notation: write the port number in decimal");
    expect(() => parsePortQuery('1e3/udp')).toThrow("'1e3' reads as a number written in another notation");
    for (const bad of ['8080-9090', 'a--b', 'abcdefghijklmnop', '-', '0b101', '0o17', '80a-']) expect(() => parsePortQuery(bad)).toThrow(QueryError);
    expect(parsePortQuery('abcdefghijklmno')).toEqual({ protocol: 'TCP', port: 'abcdefghijklmno' });
    expect(parsePortQuery('h2c')).toEqual({ protocol: 'TCP', port: 'h2c' });
    expect(parsePortQuery('9090-web')).toEqual({ protocol: 'TCP', port: '9090-web' });
  });
});

describe('answerReach', () => {
  it('ICMP: a rule without ports allows it, a rule with ports does not; a Service does not forward it', () => {
    // client's egress to app=web has no ports (ICMP allowed there); web's ingress allows TCP 8080 only.
    const toWeb = ask('shop/client', 'shop/Pod/web-a', 'icmp/8/0');
    expect(toWeb.reachable).toBe('none');
    expect(toWeb.pairs[0].verdict.egress.allowed.containsIcmp('ICMP', 8, 0)).toBe(true);
    expect(toWeb.pairs[0].verdict.ingress.allowed.containsIcmp('ICMP', 8, 0)).toBe(false);
    expect(firstLine(toWeb)).toBe('✖ NOT REACHABLE: shop/client[Deployment] → shop/web-a[Pod] on ICMP 8/0');
    expect(ask('shop/batch', 'shop/client', 'icmp').reachable).toBe('all');
    expect(ask('shop/client', 'ip:203.0.113.9', 'icmp').reachable).toBe('none');
    const throughService = ask('shop/batch', 'svc:shop/web', 'icmp');
    expect(throughService.notes.join(' ')).toContain('forwards only its TCP, UDP and SCTP ports, so ICMP sent to its address does not reach its pods');
    expect(JSON.parse(formatReachJson(toWeb)).port).toBe('ICMP 8/0');
  });

  it('through a Service with a named targetPort: one answer per endpoint pod, each on its own number', () => {
    const answer = ask('shop/client', 'svc:shop/web', '80');
    expect(answer.pairs.map((pair) => [pair.destination.label, pair.asked.toString(), pair.allowed.toString(), pair.via])).toEqual([
      ['shop/web-a', 'TCP 8080', 'TCP 8080', 'service port 80/TCP → http = 8080'],
      ['shop/web-b', 'TCP 9090', 'No Connections', 'service port 80/TCP → http = 9090'],
    ]);
    expect(answer.reachable).toBe('some');
    expect(answer.notes).toEqual([]);
    expect(firstLine(answer)).toBe('◐ PARTLY REACHABLE: shop/client[Deployment] → svc:shop/web on 80/TCP (for some pods, addresses or ports only)');
  });

  it('the Service port can be asked by name', () => {
    const answer = ask('shop/client', 'svc:shop/web', 'http');
    expect(answer.pairs.map((pair) => pair.asked.toString())).toEqual(['TCP 8080', 'TCP 9090']);
    expect(answer.reachable).toBe('some');
  });

  it('a named port asked of pods resolves on each pod; pods without it are noted and skipped', () => {
    const answer = ask('shop/client', 'shop/app=web', 'http');
    expect(answer.pairs.map((pair) => [pair.destination.label, pair.allowed.toString()])).toEqual([
      ['shop/web-a', 'TCP 8080'],
      ['shop/web-b', 'No Connections'],
    ]);
    expect(answer.reachable).toBe('some');

    const none = ask('shop/client', 'shop/batch', 'http');
    expect(none.pairs).toEqual([]);
    expect(none.notes).toEqual(["shop/batch[Deployment] has no container port named 'http' (TCP)."]);
    expect(none.reachable).toBe('none');
  });

  it('a Service that selects no pod is noted, and nothing is reachable', () => {
    const answer = ask('shop/client', 'svc:shop/ghost', '80');
    expect(answer.pairs).toEqual([]);
    expect(answer.notes).toEqual(['Service shop/ghost selects no pod (selector app=nothing).']);
    expect(answer.reachable).toBe('none');
    expect(formatReachText(answer, PLAIN)).toBe(
      '✖ NOT REACHABLE: shop/client[Deployment] → svc:shop/ghost on 80/TCP\nnote: Service shop/ghost selects no pod (selector app=nothing).\n');
  });

  it('a Service without a selector is answered for the endpoints its EndpointSlices and Endpoints give: addresses, or pods by their podIP', () => {
    const text = `${TEXT}---
apiVersion: v1
kind: Service
metadata: {name: legacy-db, namespace: shop}
spec:
  ports: [{name: pg, port: 5432, targetPort: 15432}, {name: admin, port: 8443}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: legacy-db-1, namespace: shop, labels: {kubernetes.io/service-name: legacy-db}}
addressType: IPv4
endpoints:
  - addresses: [203.0.113.7]
  - addresses: [192.0.2.99]
    conditions: {ready: false}
ports: [{name: pg, port: 15432, protocol: TCP}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy-db, namespace: shop}
subsets:
  - addresses: [{ip: 10.1.0.5}]
    ports: [{name: pg, port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-proxy, namespace: shop, labels: {app: db-proxy}}
spec: {containers: [{name: main, image: proxy, ports: [{containerPort: 5432}]}]}
status: {podIP: 10.1.0.5}
`;
    const local = analyzeTexts([{ path: 'x.yaml', text }]);
    const localSolver = new ReachabilitySolver(local.graph);
    const answer = answerReach(localSolver, resolveEndpoint(local.graph, 'shop/client'), resolveEndpoint(local.graph, 'svc:shop/legacy-db'), parsePortQuery('5432'));
    expect(answer.notes).toEqual(['Service shop/legacy-db has no selector: answering for the endpoints its EndpointSlice legacy-db-1, Endpoints legacy-db give (203.0.113.7, 10.1.0.5).']);
    // client's egress allows app=web and 203.0.113.0/24 on 443 only: neither the database outside nor the proxy pod.
    expect(answer.pairs.map((pair) => `${pair.destination.label} ${pair.asked} ${pair.allowed}`)).toEqual(['203.0.113.7 TCP 15432 No Connections', 'shop/db-proxy TCP 5432 No Connections']);
    expect(answer.reachable).toBe('none');
    const batch = answerReach(localSolver, resolveEndpoint(local.graph, 'shop/batch'), resolveEndpoint(local.graph, 'svc:shop/legacy-db'), parsePortQuery('5432'));
    expect(batch.reachable).toBe('all');
    // A Service port no endpoint port is named after sends nothing.
    expect(answerReach(localSolver, resolveEndpoint(local.graph, 'shop/batch'), resolveEndpoint(local.graph, 'svc:shop/legacy-db'), parsePortQuery('8443')).pairs).toEqual([]);
  });

  it('a Service port that does not exist is noted, and nothing is reachable', () => {
    const answer = ask('shop/client', 'svc:shop/web', '81');
    expect(answer.pairs).toEqual([]);
    expect(answer.notes).toEqual(['Service shop/web has no port 81/TCP (it has 80/TCP (http)).']);
    expect(answer.reachable).toBe('none');
    expect(ask('shop/client', 'svc:shop/web', '80/UDP').notes).toEqual(['Service shop/web has no port 80/UDP (it has 80/TCP (http)).']);
  });

  it('a Service port name the Service does not have is a question it cannot answer: refused with its ports', () => {
    expect(() => ask('shop/client', 'svc:shop/web', 'metrics')).toThrow(QueryError);
    expect(() => ask('shop/client', 'svc:shop/web', 'metrics')).toThrow('Service shop/web has no port named metrics/TCP (its ports: 80/TCP (http)); ask by number, or name one of its ports');
    expect(ask('shop/client', 'svc:shop/web', 'http').notes).not.toContain(expect.stringMatching(/has no port/));
  });

  it('an ExternalName Service: notes, and one answer per public address range the egress rules tell apart', () => {
    const answer = ask('shop/client', 'svc:shop/ext', '443');
    expect(answer.notes).toHaveLength(1);
    expect(answer.notes[0]).toMatch(/^svc:shop\/ext is an ExternalName Service for api\.example\.com: traffic leaves the cluster/);
    const labels = answer.pairs.map((pair) => pair.destination.label);
    expect(labels).toContain('203.0.113.0-203.0.113.255');
    expect(labels).toContain('0.0.0.0-9.255.255.255');
    expect(labels).toContain('11.0.0.0-100.63.255.255');
    expect(labels).toContain('203.0.114.0-255.255.255.255');
    // Private and special ranges are not the internet.
    expect(labels.filter((label) => /^(10|127|169\.254|172\.16|192\.168|100\.64)\./.test(label))).toEqual([]);
    const allowed = answer.pairs.filter((pair) => !pair.allowed.isEmpty()).map((pair) => [pair.destination.label, pair.allowed.toString()]);
    expect(allowed).toEqual([['203.0.113.0-203.0.113.255', 'TCP 443']]);
    expect(answer.reachable).toBe('some');
    expect(firstLine(answer)).toMatch(/^◐ PARTLY REACHABLE: shop\/client\[Deployment\] → svc:shop\/ext on 443\/TCP/);

    expect(queryError(() => ask('svc:shop/ext', 'shop/client')).message).toMatch(/^svc:shop\/ext is an ExternalName Service: it names a host outside the cluster/);
  });

  it('internet as source against an ipBlock-restricted ingress: one answer per public range', () => {
    const answer = ask('internet', 'shop/api', '443');
    const allowed = answer.pairs.filter((pair) => !pair.allowed.isEmpty()).map((pair) => [pair.source.label, pair.allowed.toString()]);
    expect(allowed).toEqual([['198.51.100.0-198.51.100.255', 'TCP 443']]);
    const labels = answer.pairs.map((pair) => pair.source.label);
    expect(labels).toContain('198.51.100.0-198.51.100.255');
    expect(labels).toContain('192.169.0.0-198.51.99.255');
    expect(labels).toContain('198.51.101.0-255.255.255.255');
    expect(answer.pairs.every((pair) => pair.destination.label === 'shop/api[Deployment]')).toBe(true);
    expect(answer.reachable).toBe('some');
    expect(firstLine(answer)).toBe('◐ PARTLY REACHABLE: the internet → shop/api[Deployment] on 443/TCP (for some pods, addresses or ports only)');

    expect(ask('ip:198.51.100.7', 'shop/api', '443').reachable).toBe('all');
    expect(ask('ip:8.8.8.8', 'shop/api', '443').reachable).toBe('none');
    expect(queryError(() => ask('shop/client', 'ip:8.8.8.8', 'http')).message).toMatch(/named port \('http'\) cannot be resolved on an address/);
  });
});

describe('formatReachText and formatReachJson', () => {
  const RULE_LINE = lineOf('- from: [{podSelector: {matchLabels: {app: client}}}]', 'name: web-ingress');

  it('REACHABLE, with the allowing rule named with file:line', () => {
    const answer = ask('shop/client', 'shop/web-a', '8080');
    expect(answer.reachable).toBe('all');
    const text = formatReachText(answer, PLAIN);
    expect(text.split('\n')[0]).toBe('✔ REACHABLE: shop/client[Deployment] → shop/web-a[Pod] on 8080/TCP');
    expect(text).toContain(`shop/web-ingress ingress[0] (x.yaml:${RULE_LINE}) allows TCP 8080 from podSelector app=client.`);
    expect(text).toContain('Egress of shop/client[Deployment]: isolated by shop/client-egress (x.yaml:');
    expect(text).toContain(`shop/client-egress egress[0] (x.yaml:${lineOf('- to: [{podSelector: {matchLabels: {app: web}}}]', 'name: client-egress')})`);
  });

  it('PARTLY REACHABLE through the Service, naming the rule for the reachable pod and the denial for the other', () => {
    const text = formatReachText(ask('shop/client', 'svc:shop/web', '80'), PLAIN);
    expect(text.split('\n')[0]).toMatch(/^◐ PARTLY REACHABLE: /);
    expect(text).toContain('shop/client[Deployment] → shop/web-a: allowed: TCP 8080 (service port 80/TCP → http = 8080)');
    expect(text).toContain('shop/client[Deployment] → shop/web-b: denied (service port 80/TCP → http = 9090)');
    expect(text).toContain(`shop/web-ingress ingress[0] (x.yaml:${RULE_LINE}) allows TCP 8080`);
    expect(text).toContain('No ingress rule of these policies allows TCP 9090 from the other side: denied.');
  });

  it('NOT REACHABLE, naming the isolation that denies it', () => {
    const answer = ask('shop/batch', 'shop/web-a', '8080');
    expect(answer.reachable).toBe('none');
    const text = formatReachText(answer, PLAIN);
    expect(text.split('\n')[0]).toBe('✖ NOT REACHABLE: shop/batch[Deployment] → shop/web-a[Pod] on 8080/TCP');
    expect(text).toContain(`Ingress of shop/web-a: isolated by shop/web-ingress (x.yaml:${lineOf('name: web-ingress', 'kind: NetworkPolicy')}).`);
    expect(text).toContain('Egress of shop/batch[Deployment]: not isolated');
  });

  it('without a port, REACHABLE means something is allowed for every pair', () => {
    const answer = ask('shop/client', 'shop/web-a');
    expect(answer.reachable).toBe('all');
    expect(answer.pairs[0].allowed.toString()).toBe('TCP 8080');
    expect(firstLine(answer)).toBe('✔ REACHABLE: shop/client[Deployment] → shop/web-a[Pod]');
  });

  it('chalk wraps the verdict in ANSI codes, PLAIN leaves none', async () => {
    const answer = ask('shop/client', 'shop/web-a', '8080');
    expect(formatReachText(answer, await loadPaint(true))).toMatch(/\u001b\[/);
    expect(formatReachText(answer, PLAIN)).not.toMatch(/\u001b\[/);
  });

  it('JSON carries the verdict, the per-pair answers and the rule locations', () => {
    const json = JSON.parse(formatReachJson(ask('shop/client', 'svc:shop/web', '80')));
    expect(json).toMatchObject({ reachable: 'some', source: 'shop/client[Deployment]', destination: 'svc:shop/web', port: '80/TCP', notes: [] });
    expect(json.pairs.map((pair: { destination: string; asked: string; allowed: string }) => [pair.destination, pair.asked, pair.allowed])).toEqual([
      ['shop/web-a', 'TCP 8080', 'TCP 8080'],
      ['shop/web-b', 'TCP 9090', 'No Connections'],
    ]);
    expect(json.pairs[0].ingress.rules).toEqual([{ policy: 'shop/web-ingress', rule: 'ingress[0]', location: `x.yaml:${RULE_LINE}`, allows: 'TCP 8080' }]);
    expect(json.pairs[0].egress.isolatingPolicies).toEqual([{ namespace: 'shop', name: 'client-egress', location: `x.yaml:${lineOf('name: client-egress', 'web-ingress')}` }]);
  });
});

describe('admin policy decisions in the report', () => {
  const ADMIN_TEXT = `apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db}}
spec: {containers: [{name: main, image: db, ports: [{name: sql, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: front, labels: {app: app}}
spec: {containers: [{name: main, image: app}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: protect-data}
spec:
  priority: 10
  subject:
    namespaces: {matchLabels: {kubernetes.io/metadata.name: data}}
  ingress:
  - name: allow-front-sql
    action: Allow
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: front}}}]
    ports: [{namedPort: sql}]
  - name: deny-rest
    action: Deny
    from: [{namespaces: {}}]
`;
  const admin = analyzeTexts([{ path: 'anp.yaml', text: ADMIN_TEXT }]);
  const adminSolver = new ReachabilitySolver(admin.graph);
  const line = (needle: string) => ADMIN_TEXT.split('\n').findIndex((text) => text.includes(needle)) + 1;

  it('names the AdminNetworkPolicy rule that allows or denies the asked port, with file:line', () => {
    const answer = answerReach(adminSolver, resolveEndpoint(admin.graph, 'front/app'), resolveEndpoint(admin.graph, 'data/db'), parsePortQuery('5432'));
    expect(answer.reachable).toBe('all');
    const text = formatReachText(answer, PLAIN);
    expect(text.split('\n')[0]).toBe('✔ REACHABLE: front/app[Pod] → data/db[Pod] on 5432/TCP');
    expect(text).toContain(`Ingress of data/db: AdminNetworkPolicy protect-data rule "allow-front-sql" (anp.yaml:${line('- name: allow-front-sql')}) allows TCP 5432.`);
    expect(text).not.toContain('deny-rest');

    const denied = answerReach(adminSolver, resolveEndpoint(admin.graph, 'front/app'), resolveEndpoint(admin.graph, 'data/db'), parsePortQuery('22'));
    expect(denied.reachable).toBe('none');
    const deniedText = formatReachText(denied, PLAIN);
    expect(deniedText.split('\n')[0]).toBe('✖ NOT REACHABLE: front/app[Pod] → data/db[Pod] on 22/TCP');
    expect(deniedText).toContain(`rule "deny-rest" (anp.yaml:${line('- name: deny-rest')}) denies`);

    const json = JSON.parse(formatReachJson(answer));
    expect(json.pairs[0].ingress.adminRules[0]).toEqual({
      kind: 'AdminNetworkPolicy', policy: 'protect-data', rule: 'allow-front-sql', action: 'Allow', ports: 'TCP 5432', location: `anp.yaml:${line('- name: allow-front-sql')}`,
    });
  });
});

describe('restrictions above L4 beside rules without them (Cilium)', () => {
  const manifests = (rules: string) => `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: client, image: client}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api, ports: [{containerPort: 80}, {containerPort: 8080}]}]}
---
${rules}`;
  const cnp = (name: string, toPorts: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress: [{fromEndpoints: [{matchLabels: {app: client}}], toPorts: [${toPorts}]}]
---
`;
  const text = (rules: string, port: string) => {
    const analysis = analyzeTexts([{ path: 'x.yaml', text: manifests(rules) }]);
    const answer = answerReach(new ReachabilitySolver(analysis.graph), resolveEndpoint(analysis.graph, 'shop/Pod/client'), resolveEndpoint(analysis.graph, 'shop/Pod/api'), parsePortQuery(port));
    return formatReachText(answer, PLAIN);
  };
  const l7 = cnp('l7', '{ports: [{port: "80", protocol: TCP}, {port: "8080", protocol: TCP}], rules: {http: [{method: GET}]}}');
  const l4 = cnp('l4', '{ports: [{port: "80", protocol: TCP}]}');

  it('an L3/L4 rule on the port lifts L7 there only: the restriction stays on the other port', () => {
    expect(text(l7 + l4, '80')).not.toMatch(/further restricted/);
    expect(text(l7 + l4, '8080')).toMatch(/further restricted at L7 by shop\/l7/);
    expect(text(l7, '80')).toMatch(/further restricted at L7 by shop\/l7/);
  });

  it('required mutual authentication is not lifted by a rule without it', () => {
    const auth = cnp('auth', '{ports: [{port: "80", protocol: TCP}]}').replace('toPorts:', 'authentication: {mode: required}, toPorts:');
    expect(text(auth + l4, '80')).toMatch(/further restricted at identity by shop\/auth/);
  });
});

describe('a name outside the cluster needs cluster DNS', () => {
  const manifests = (dnsRule: string) => `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: client, image: client}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
    ports: [{port: 443}]
${dnsRule}`;
  const caveats = (dnsRule: string) => {
    const analysis = analyzeTexts([{ path: 'x.yaml', text: manifests(dnsRule) }]);
    const solver = new ReachabilitySolver(analysis.graph);
    const answer = answerReach(solver, resolveEndpoint(analysis.graph, 'shop/Pod/client', { solver }), resolveEndpoint(analysis.graph, 'fqdn:api.example.com', { solver }), parsePortQuery('443'));
    expect(answer.reachable).toBe('all');
    return answer.pairs.flatMap((pair) => pair.verdict.caveats).join('\n');
  };

  it('says a pod that cannot reach DNS cannot look the name up, and says nothing when it can', () => {
    expect(caveats('')).toMatch(/shop\/client cannot reach cluster DNS \(kube-system pods k8s-app=kube-dns\) on UDP 53, so it cannot look api\.example\.com up/);
    expect(caveats('  - to: [{namespaceSelector: {}}]\n    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n')).not.toMatch(/cluster DNS/);
  });
});
