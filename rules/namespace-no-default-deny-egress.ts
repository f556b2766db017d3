import { defineRule } from '../src/lint/rule.js';
import {
  DEFAULT_DENY_DEFAULT_OPTIONS, DEFAULT_DENY_OPTIONS_SCHEMA, reportMissingDefaultDeny, type DefaultDenyOptions,
} from './namespace-no-default-deny-ingress.js';

/** Flags namespaces with pods but no namespace-wide NetworkPolicy for Egress. */
export default defineRule<DefaultDenyOptions>({
  id: 'namespace-no-default-deny-egress',
  category: 'isolation',
  severity: 'info',
  description: 'A namespace runs pods but no NetworkPolicy selects all of them (podSelector: {}) for Egress.',
  rationale: 'Pods that no policy selects for Egress may connect anywhere: to every pod of the cluster, the cloud metadata endpoint, '
    + 'the API server and the internet. A compromised pod can then move laterally or send data out unhindered.',
  fix: 'Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Egress]` to the namespace, then allow DNS and the egress each workload needs.',
  messages: {
    noPolicy: 'Namespace {{namespace}} runs {{workloads}} but has no NetworkPolicy for Egress, so every pod in it may connect to any pod or address, inside or outside the cluster.',
    noDefaultDeny: 'Namespace {{namespace}} has no policy selecting all its pods for Egress (a NetworkPolicy with podSelector: {}), only {{policies}} selecting some, so a pod they miss, such as a new workload, may connect to any pod or address.',
    onlyPartialPolicies: 'Namespace {{namespace}} has no default deny for Egress, only {{policies}} leaving open what their rules do not deny, so its pods may connect to any pod or address not denied there.',
  },
  optionsSchema: DEFAULT_DENY_OPTIONS_SCHEMA,
  defaultOptions: DEFAULT_DENY_DEFAULT_OPTIONS,
  check(graph, { solver, options }) {
    return reportMissingDefaultDeny(graph, solver, 'egress', options);
  },
});
