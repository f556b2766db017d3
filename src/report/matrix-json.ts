import type { MatrixEdge, MatrixPeer } from '../reach/matrix.js';

function peerJson(peer: MatrixPeer): Record<string, unknown> {
  switch (peer.type) {
    case 'workload':
      return { id: peer.id, type: 'workload', kind: peer.workload.kind, namespace: peer.workload.namespace, name: peer.workload.name };
    case 'external':
      return { id: peer.id, type: 'external', family: `IPv${peer.family}`, range: peer.id.slice(0, -'[External]'.length) };
    case 'ingress-controller':
      return { id: peer.id, type: 'ingress-controller' };
  }
}

/**
 * Formats matrix edges as a JSON document, streamed edge by edge. Schema (README.md):
 * `{"connections": [{"source": Peer, "destination": Peer, "connections": "TCP 80,UDP 53",
 * "allowed": {"TCP": [[80, 80]], "UDP": [[53, 53]]}}]}`.
 */
export function* formatMatrixJson(edges: Iterable<MatrixEdge>): Generator<string> {
  yield '{"connections": [';
  let first = true;
  for (const edge of edges) {
    const record = {
      source: peerJson(edge.source),
      destination: peerJson(edge.destination),
      connections: edge.connections.toString(),
      allowed: edge.connections.toJSON(),
    };
    yield `${first ? '\n' : ',\n'}  ${JSON.stringify(record)}`;
    first = false;
  }
  yield first ? ']}\n' : '\n]}\n';
}
