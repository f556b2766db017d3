import { matchesSelector, type Labels, type LabelSelector } from './label-selector.js';

/**
 * Items (namespaces, pod classes) indexed by their labels, so that a selector with an equality
 * requirement (`matchLabels`, or `In`) is checked only against the items carrying one of its
 * values instead of against all of them: a large cluster has a thousand namespaces and a
 * selector per namespace (`kubernetes.io/metadata.name: team-a`).
 */
export class LabelIndex<T> {
  private readonly byLabel = new Map<string, Map<string, T[]>>();
  private readonly position = new Map<T, number>();

  constructor(
    private readonly items: readonly T[],
    private readonly labelsOf: (item: T) => Labels,
  ) {
    items.forEach((item, index) => {
      this.position.set(item, index);
      const labels = labelsOf(item);
      for (const key in labels) {
        let byValue = this.byLabel.get(key);
        if (!byValue) this.byLabel.set(key, (byValue = new Map()));
        const list = byValue.get(labels[key]);
        if (list) list.push(item);
        else byValue.set(labels[key], [item]);
      }
    });
  }

  /** Returns the items carrying label `key` with `value` (none: empty), in the order the index was given them. */
  holding(key: string, value: string): readonly T[] {
    return this.byLabel.get(key)?.get(value) ?? [];
  }

  /** Returns the items `selector` matches, in the order the index was given them. */
  select(selector: LabelSelector): T[] {
    // The `In` requirement with the fewest candidates narrows the search; the selector decides.
    let candidates: readonly T[] | undefined;
    for (const requirement of selector.requirements) {
      if (requirement.operator !== 'In') continue;
      const byValue = this.byLabel.get(requirement.key);
      // A value written twice (`values: [a, a]`) stands for one.
      const lists = [...new Set(requirement.values)].map((value) => byValue?.get(value) ?? []);
      const count = lists.reduce((sum, list) => sum + list.length, 0);
      if (candidates && count >= candidates.length) continue;
      // An item carries one value per key: the lists are disjoint, and merged back into order.
      candidates = lists.length === 1 ? lists[0] : lists.flat().sort((a, b) => this.position.get(a)! - this.position.get(b)!);
    }
    return (candidates ?? this.items).filter((item) => matchesSelector(selector, this.labelsOf(item)));
  }
}
