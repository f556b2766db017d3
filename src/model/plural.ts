/**
 * Count nouns for every message k8snet writes: `1 workload`, `3 workloads`, `2 NetworkPolicies`,
 * `1,200 addresses`. One place decides plurals, so no message says "1 workloads".
 */

/** Writes a whole number with thousands separators: `1,200`, `-65,536`. */
export function formatCount(value: bigint | number): string {
  const text = (typeof value === 'bigint' ? (value < 0n ? -value : value) : Math.abs(value)).toString();
  const grouped = text.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (typeof value === 'bigint' ? value < 0n : value < 0) ? `-${grouped}` : grouped;
}

/**
 * Returns the regular English plural of a noun phrase, changing its last word: `policy` →
 * `policies`, `NetworkPolicy` → `NetworkPolicies`, `address` → `addresses`, `pod slot` → `pod slots`.
 */
export function pluralOf(noun: string): string {
  if (/[^aeiou]y$/i.test(noun)) return `${noun.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

/** Returns `noun` for a count of one and its plural otherwise (`plural` when irregular). */
export function nounFor(count: bigint | number, noun: string, plural = pluralOf(noun)): string {
  return BigInt(count) === 1n ? noun : plural;
}

/** Writes a count and a noun that agrees with it: `1 node`, `3 nodes`, `1,024 addresses`. */
export function countOf(count: bigint | number, noun: string, plural = pluralOf(noun)): string {
  return `${formatCount(count)} ${nounFor(count, noun, plural)}`;
}

/** Returns the verb form that agrees with a count: `verbFor(1, 'uses', 'use')` is `uses`. */
export function verbFor(count: bigint | number, singular: string, plural: string): string {
  return BigInt(count) === 1n ? singular : plural;
}

/** Writes items as a list in a sentence: `a`, `a and b`, `a, b and c`. */
export function listOf(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
