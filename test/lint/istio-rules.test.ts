/** The Istio lint rules on their fixtures (also run by rules.test.ts with every rule; kept apart to run them alone). */
import { RULES } from '../../rules/index.js';
import { testRule } from './rule-tester.js';

for (const rule of RULES.filter((candidate) => candidate.id.startsWith('istio-') || candidate.id.startsWith('virtualservice-') || candidate.id === 'mesh-plaintext-blocked')) testRule(rule);
