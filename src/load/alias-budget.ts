import type { AliasEvent, Event, MappingEvent, ScalarEvent, SequenceEvent } from 'js-yaml';
import { ALIAS, DOCUMENT, MAPPING, NO_RANGE, POP, SCALAR, SEQUENCE } from './yaml-events.js';

/**
 * Below these, a document is too small for its aliases to matter; above them, the share of its
 * nodes that may come from aliases shrinks from 99% (up to 400,000 nodes) to 10% (from 4,000,000
 * on). These are go-yaml's numbers (decode.go, allowedAliasRatio), which kubectl and the API
 * server decode manifests with: a document k8snet refuses, they refuse too ("document contains
 * excessive aliasing"), and aliases can add at most about 400,000 nodes to one document.
 */
const ALIAS_COUNT_FLOOR = 100;
const NODE_COUNT_FLOOR = 1000;
const RATIO_RANGE_LOW = 400_000;
const RATIO_RANGE_HIGH = 4_000_000;

/**
 * The most nodes aliases may bring into one file, over all its documents: go-yaml's ratio bounds
 * each document (at about 400,000 nodes), not a file of thousands of such documents, which would
 * be a hundred times the work its size suggests. Real manifests stay far below: an anchor or two
 * for shared labels or resources.
 */
export const MAX_ALIAS_NODES_PER_FILE = 400_000;

/** What the aliases of one file have brought in so far, across the calls for its documents. */
export interface AliasBudget {
  aliasNodes: number;
}

/** The share of a document's nodes that may come from aliases, for a document of `nodes` nodes (go-yaml's allowedAliasRatio). */
export function allowedAliasRatio(nodes: number): number {
  if (nodes <= RATIO_RANGE_LOW) return 0.99;
  if (nodes >= RATIO_RANGE_HIGH) return 0.1;
  return 0.99 - 0.89 * ((nodes - RATIO_RANGE_LOW) / (RATIO_RANGE_HIGH - RATIO_RANGE_LOW));
}

/** Where and why a document's aliases are refused. */
export interface AliasBudgetExcess {
  /** Offset of the alias (its `*`) in the text the events were read from. */
  readonly offset: number;
  readonly reason: string;
}

interface OpenNode {
  /** The anchor's name, when the node has one. */
  readonly anchor: string | undefined;
  /** Nodes so far, the node itself included, with aliases expanded. */
  size: number;
}

/**
 * Counts what each document of an event stream expands to, aliases included, as go-yaml counts
 * while decoding: every node once, and for an alias the nodes its anchor holds (nested aliases
 * expanded too). Returns the first alias at which a document exceeds the budget (see
 * allowedAliasRatio), or that refers to a node it is inside of, which js-yaml turns into an endless
 * (circular) structure and go-yaml refuses ("anchor value contains itself"), or at which the file's
 * aliases (`budget`, carried from document to document) pass MAX_ALIAS_NODES_PER_FILE. Linear in
 * the events; sizes are numbers, so a billion laughs of 10^100 nodes is counted, not built.
 */
export function findAliasBudgetExcess(events: readonly Event[], source: string, budget: AliasBudget = { aliasNodes: 0 }): AliasBudgetExcess | undefined {
  const sizes = new Map<string, number>();
  const open: OpenNode[] = [];
  let nodes = 0;
  let fromAliases = 0;
  for (const event of events) {
    switch (event.type) {
      case DOCUMENT:
        sizes.clear();
        nodes = 0;
        fromAliases = 0;
        break;
      case SEQUENCE:
      case MAPPING: {
        const collection = event as SequenceEvent | MappingEvent;
        nodes++;
        open.push({ anchor: anchorOf(collection, source), size: 1 });
        break;
      }
      case SCALAR: {
        const scalar = event as ScalarEvent;
        nodes++;
        const anchor = anchorOf(scalar, source);
        if (anchor !== undefined) sizes.set(anchor, 1);
        if (open.length > 0) open[open.length - 1].size++;
        break;
      }
      case ALIAS: {
        const alias = event as AliasEvent;
        const name = source.slice(alias.anchorStart, alias.anchorEnd);
        const offset = Math.max(alias.anchorStart - 1, 0);
        if (open.some((node) => node.anchor === name)) {
          return { offset, reason: `alias *${name} refers to a node that contains it, an endless structure (kubectl refuses it)` };
        }
        // An undefined anchor is js-yaml's error to report.
        const size = sizes.get(name) ?? 0;
        nodes += 1 + size;
        fromAliases += size;
        budget.aliasNodes += size;
        if (open.length > 0) open[open.length - 1].size += 1 + size;
        if (fromAliases > ALIAS_COUNT_FLOOR && nodes > NODE_COUNT_FLOOR && fromAliases / nodes > allowedAliasRatio(nodes)) {
          return {
            offset,
            reason: `alias *${name} brings in ${formatCount(size)} nodes, and aliases ${formatCount(fromAliases)} of this document's ${formatCount(nodes)}: `
              + `more than the ${Math.round(allowedAliasRatio(nodes) * 100)}% kubectl accepts ("excessive aliasing")`,
          };
        }
        if (budget.aliasNodes > MAX_ALIAS_NODES_PER_FILE) {
          return {
            offset,
            reason: `alias *${name} brings in ${formatCount(size)} nodes, and aliases ${formatCount(budget.aliasNodes)} nodes to this file so far: more than the ${formatCount(MAX_ALIAS_NODES_PER_FILE)} k8snet reads from aliases in one file`,
          };
        }
        break;
      }
      case POP: {
        // The end of a collection, or of the document (nothing open).
        const closed = open.pop();
        if (!closed) break;
        if (closed.anchor !== undefined) sizes.set(closed.anchor, closed.size);
        if (open.length > 0) open[open.length - 1].size += closed.size;
        break;
      }
    }
  }
  return undefined;
}

function anchorOf(event: ScalarEvent | SequenceEvent | MappingEvent, source: string): string | undefined {
  return event.anchorStart === NO_RANGE ? undefined : source.slice(event.anchorStart, event.anchorEnd);
}

function formatCount(count: number): string {
  return count < 1e15 ? Math.round(count).toLocaleString('en-US') : count.toExponential(1).replace('e+', 'e');
}
