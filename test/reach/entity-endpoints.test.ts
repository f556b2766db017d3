/**
 * Entity endpoints (src/reach/entity-endpoints.ts): parsing `node:NAME` and `fqdn:NAME`, where a pod
 * runs relative to a node, and how the one evaluator matches an entity's addresses against rules
 * (a node's only for address peers that match cluster addresses; a name's only when a rule holds
 * every address it may have).
 */
import { describe, expect, it } from '@jest/globals';
import { analyzeTexts } from '../../src/pipeline.js';
import { entityPeerOf, isEntityEndpointText, nodeRelations, resolveEntityEndpoint, type EntityEndpoint } from '../../src/reach/entity-endpoints.js';
import { addressPeersMatch } from '../../src/reach/evaluator.js';
import { publicIpv4Ranges, rangesCover, wholeSpace } from '../../src/reach/ip-ranges.js';
import type { CompiledRule } from '../../src/reach/policy-form.js';
import type { Pod } from '../../src/model/types.js';

const NODES = `apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {role: worker}}
status: {addresses: [{type: InternalIP, address: 10.0.0.11}, {type: InternalIPv6, address: "fd00::11"}]}
`;

function endpoint(text: string, manifests = NODES): EntityEndpoint {
  const resolved = resolveEntityEndpoint(analyzeTexts([{ path: 'nodes.yaml', text: manifests }]).graph, text);
  if (!resolved || 'error' in resolved) throw new Error(`${text}: ${resolved?.error}`);
  return resolved;
}

function ruleWith(ranges: CompiledRule['addressRanges'], podAddressMatch: CompiledRule['podAddressMatch']): CompiledRule {
  return { addressRanges: ranges, podAddressMatch } as CompiledRule;
}

describe('entity endpoints', () => {
  it('parses node: and fqdn:, and refuses what is no name', () => {
    expect(isEntityEndpointText('node:a')).toBe(true);
    expect(isEntityEndpointText('svc:a')).toBe(false);
    const graph = analyzeTexts([{ path: 'nodes.yaml', text: NODES }]).graph;
    expect(resolveEntityEndpoint(graph, 'shop/web')).toBeUndefined();
    expect(resolveEntityEndpoint(graph, 'node:')).toEqual({ error: "'node:' names no node: write node:NAME" });
    expect(resolveEntityEndpoint(graph, 'node:node-2')).toEqual({ error: 'no node node-2 in the manifests (nodes: node-1)' });
    expect(resolveEntityEndpoint(graph, 'fqdn:a..b')).toEqual({ error: "'a..b' is not a DNS name: write fqdn:api.example.com" });
    const node = endpoint('node:node-1');
    expect(node.addresses.inCluster).toBe(true);
    expect(node.addresses.ranges[4]).toEqual([{ first: 0x0a00000bn, last: 0x0a00000bn }]);
    expect(node.addresses.ranges[6]).toHaveLength(1);
    // Without Nodes in the input, any name is a node whose labels and addresses are unknown.
    const unknown = endpoint('node:anything', '');
    expect(unknown.addresses.ranges).toEqual({ 4: [], 6: [] });
    expect(unknown.notes.join(' ')).toMatch(/hold no Node anything/);
    const name = endpoint('fqdn:API.Example.com.');
    expect(name.tags).toEqual(['world', 'fqdn:api.example.com.']);
    expect(name.addresses.inCluster).toBe(false);
  });

  it('a node is the host of the pods on it and a remote node of the others', () => {
    const node = endpoint('node:node-1');
    expect(entityPeerOf(node, [], 'local').tags).toEqual(['node:node-1', 'host']);
    expect(entityPeerOf(node, [], 'remote').tags).toEqual(['node:node-1', 'remote-node']);
    const placed = (placement: NonNullable<Pod['scheduling']>['placement']) => ({ scheduling: { placement, sameNodeAs: [], otherNodeThan: [] } }) as unknown as Pod;
    expect(nodeRelations(placed({ kind: 'node', node: 'node-1', reason: 'nodeName' }), 'node-1')).toEqual(['local']);
    expect(nodeRelations(placed({ kind: 'node', node: 'node-2', reason: 'nodeName' }), 'node-1')).toEqual(['remote']);
    expect(nodeRelations(placed({ kind: 'nodes', nodes: ['node-1', 'node-2'], every: true }), 'node-1')).toEqual(['local', 'remote']);
    expect(nodeRelations(placed({ kind: 'nodes', nodes: ['node-2'], every: true }), 'node-1')).toEqual(['remote']);
    expect(nodeRelations(placed({ kind: 'unknown' }), 'node-1')).toEqual(['local', 'remote']);
  });

  it('matches addresses only where a rule holds every address the entity may have', () => {
    const node = endpoint('node:node-1').addresses;
    const everything = { 4: [wholeSpace(4)], 6: [wholeSpace(6)] };
    expect(addressPeersMatch(ruleWith(everything, 'always'), node)).toBe(true);
    // NetworkPolicy's ipBlock (plugin-dependent) and Cilium's CIDR rules (never) do not match node addresses.
    expect(addressPeersMatch(ruleWith(everything, 'plugin-dependent'), node)).toBe(false);
    expect(addressPeersMatch(ruleWith(everything, 'never'), node)).toBe(false);
    // Both of its families must be held.
    expect(addressPeersMatch(ruleWith({ 4: [wholeSpace(4)], 6: [] }, 'always'), node)).toBe(false);
    const name = endpoint('fqdn:example.org').addresses;
    expect(addressPeersMatch(ruleWith({ 4: [wholeSpace(4)], 6: [] }, 'plugin-dependent'), name)).toBe(true);
    expect(addressPeersMatch(ruleWith({ 4: publicIpv4Ranges(), 6: [] }, 'never'), name)).toBe(true);
    expect(addressPeersMatch(ruleWith({ 4: [{ first: 0x08080808n, last: 0x08080808n }], 6: [] }, 'always'), name)).toBe(false);
  });

  it('rangesCover tells whole cover from part', () => {
    const ranges = [{ first: 0n, last: 9n }, { first: 10n, last: 19n }, { first: 30n, last: 39n }];
    expect(rangesCover(ranges, [{ first: 5n, last: 15n }])).toBe(true);
    expect(rangesCover(ranges, [{ first: 5n, last: 15n }, { first: 31n, last: 32n }])).toBe(true);
    expect(rangesCover(ranges, [{ first: 15n, last: 25n }])).toBe(false);
    expect(rangesCover([], [{ first: 1n, last: 1n }])).toBe(false);
    expect(rangesCover(ranges, [])).toBe(true);
    expect(publicIpv4Ranges()[0]).toEqual({ first: 0n, last: 0x09ffffffn });
  });
});
