import { editDistance } from '../text-distance.js';
import { matchesSelector, type LabelRequirement, type Labels } from './label-selector.js';
import type { Pod } from './types.js';

/**
 * Returns `a, b, c and 2 more`: the workloads the pods belong to, named `namespace/name`, each
 * once, in the order of the pods.
 */
export function listWorkloads(pods: readonly Pod[]): string {
  const names = [...new Set(pods.map((pod) => pod.workloadId.replace(/\[[^\]]*\]$/, '')))];
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * Returns the candidates close enough to `wanted` to be what was meant, sorted: those at most a
 * third of its length (and at least one) edits away, by {@link editDistance}. Duplicates among
 * the candidates are kept, as is `wanted` itself when it is one of them.
 */
export function similarNames(wanted: string, candidates: readonly string[]): string[] {
  return candidates.filter((candidate) => editDistance(candidate, wanted) <= typoLimit(wanted)).sort();
}

/** Returns `did you mean a or b or c?` for the first three names, or undefined when there are none. */
export function didYouMean(names: readonly string[]): string | undefined {
  return names.length > 0 ? `did you mean ${names.slice(0, 3).join(' or ')}?` : undefined;
}

/**
 * Returns `did you mean app=catalog?` when replacing the unsatisfiable equality requirements by
 * labels the candidates actually carry (a close value of the same key, a close key with the same
 * value, or the only other key with that value) makes the selector match one of them; undefined
 * when there is no such correction, or nothing to correct.
 *
 * @param requirements the requirements of a selector that matches none of the candidates
 * @param candidateLabels the labels of the objects (pods, namespaces) it was meant to select
 */
export function nearMissHint(requirements: readonly LabelRequirement[], candidateLabels: readonly Labels[]): string | undefined {
  const corrected: LabelRequirement[] = [];
  const changes: string[] = [];
  for (const requirement of requirements) {
    const satisfiable = candidateLabels.some((labels) => matchesSelector({ requirements: [requirement], text: '' }, labels));
    if (satisfiable || requirement.operator !== 'In') {
      corrected.push(requirement);
      continue;
    }
    const label = closestLabel(requirement, candidateLabels);
    if (!label) return undefined;
    corrected.push({ key: label.key, operator: 'In', values: [label.value] });
    changes.push(`${label.key}=${label.value}`);
  }
  if (changes.length === 0 || !candidateLabels.some((labels) => matchesSelector({ requirements: corrected, text: '' }, labels))) return undefined;
  return `did you mean ${changes.join(',')}?`;
}

/**
 * The label an unsatisfiable `In` requirement probably meant: the closest differing value of the
 * same key, or key with one of the same values, within typo distance (ties go to the earlier
 * wanted value, then to the label first in key, value order); failing that, when no candidate
 * carries the key, the only other key with one of the wanted values.
 */
function closestLabel(requirement: LabelRequirement, candidates: readonly Labels[]): { key: string; value: string } | undefined {
  // One pass over every label of every candidate, keeping the best by (distance, wanted value,
  // key, value): the same choice as sorting the distinct labels first, without building them.
  let best: { key: string; value: string; distance: number; wanted: number } | undefined;
  let keyCarried = false;
  const sameValueKeys = new Map<string, string>();
  const wantedValues = requirement.values;
  // Candidates repeat the same labels (every pod of a chart carries its part-of and env labels):
  // each distinct pair of words is measured once. What is typed is fixed per comparison (a wanted
  // value, or the requirement's key), so the distances are remembered by the known word alone.
  const valueDistances = wantedValues.map(() => new Map<string, number>());
  const keyDistances = new Map<string, number>();
  const keyLimit = typoLimit(requirement.key);
  for (const labels of candidates) {
    for (const key in labels) {
      const value = labels[key];
      const sameKey = key === requirement.key;
      if (sameKey) keyCarried = true;
      for (let index = 0; index < wantedValues.length; index++) {
        const wanted = wantedValues[index];
        if (!sameKey && value !== wanted) continue;
        if (!sameKey && !(sameValueKeys.get(key)! <= value)) sameValueKeys.set(key, value);
        const typed = sameKey ? wanted : requirement.key;
        const known = sameKey ? value : key;
        const limit = sameKey ? typoLimit(wanted) : keyLimit;
        // The distance is at least the difference in length: skip the computation when that is too far already.
        if (Math.abs(typed.length - known.length) > limit) continue;
        const distances = sameKey ? valueDistances[index] : keyDistances;
        let distance = distances.get(known);
        if (distance === undefined) distances.set(known, (distance = editDistance(known, typed, { maximum: limit })));
        if (distance === 0 || distance > limit) continue;
        if (!best || distance < best.distance || (distance === best.distance && (index < best.wanted
          || (index === best.wanted && (key < best.key || (key === best.key && value < best.value)))))) {
          best = { key, value, distance, wanted: index };
        }
      }
    }
  }
  if (best) return { key: best.key, value: best.value };
  // `app: web` against pods labelled `app.kubernetes.io/name: web`: one other key with the value.
  if (keyCarried || sameValueKeys.size !== 1) return undefined;
  const [[key, value]] = sameValueKeys;
  return { key, value };
}

/** The most edits a misspelling of `word` is taken to hold: a third of its length, at least one. */
function typoLimit(word: string): number {
  return Math.max(1, Math.floor(word.length / 3));
}
