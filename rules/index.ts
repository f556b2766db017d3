import type { Rule } from '../src/lint/rule.js';
import egressBlocksDns from './egress-blocks-dns.js';
import namespaceSelectorUnknownLabel from './namespace-selector-unknown-label.js';
import workloadNotIsolated from './workload-not-isolated.js';

/** Every lint rule, listed explicitly (markdownlint's way): the catalogue and the tests read this list. */
export const RULES: readonly Rule<any>[] = [
  workloadNotIsolated,
  namespaceSelectorUnknownLabel,
  egressBlocksDns,
];
