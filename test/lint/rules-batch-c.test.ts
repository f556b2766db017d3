import duplicateObject from '../../rules/duplicate-object.js';
import emptyPolicy from '../../rules/empty-policy.js';
import exceptOutsideCidr from '../../rules/except-outside-cidr.js';
import invalidCidr from '../../rules/invalid-cidr.js';
import ipblockTargetsClusterRange from '../../rules/ipblock-targets-cluster-range.js';
import policyShadowed from '../../rules/policy-shadowed.js';
import { testRule } from './rule-tester.js';

// Batch C: addressing and hygiene rules, each against its fixtures under fixtures/rules/<id>/.
testRule(invalidCidr);
testRule(exceptOutsideCidr);
testRule(ipblockTargetsClusterRange);
testRule(duplicateObject);
testRule(policyShadowed);
testRule(emptyPolicy);
