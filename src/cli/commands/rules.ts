import { INPUT_RULES } from '../../load/input-rules.js';
import { ruleDocsUrl } from '../../lint/rule.js';
import { RULES } from '../../../rules/index.js';
import { EXIT_OK, UsageError, type GlobalOptions } from '../context.js';

/** Runs `k8snet rules`: lists the lint rules and input checks, or documents one. */
export async function runRules(id: string | undefined, _global: GlobalOptions): Promise<number> {
  // Loader checks that report under a lint rule's id are documented by that rule.
  const inputChecks = Object.values(INPUT_RULES).filter((check) => !RULES.some((rule) => rule.id === check.id));
  if (id === undefined) {
    const width = Math.max(...RULES.map((rule) => rule.id.length), ...inputChecks.map((rule) => rule.id.length));
    const lines = ['Lint rules (k8snet lint; set levels in .k8snet.yaml or with --rule ID=LEVEL):'];
    for (const rule of RULES) lines.push(`  ${rule.id.padEnd(width)}  ${rule.category.padEnd(14)}  ${rule.severity.padEnd(7)}  ${rule.description}`);
    lines.push('', 'Input checks (every command, while loading the manifests):');
    for (const rule of inputChecks) lines.push(`  ${rule.id.padEnd(width)}  ${'input'.padEnd(14)}  ${rule.severity.padEnd(7)}  ${rule.description}`);
    lines.push('', 'k8snet rules ID prints the documentation of one.');
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  }
  const rule = RULES.find((candidate) => candidate.id === id);
  if (rule) {
    const lines = [
      `${rule.id} (${rule.category}, ${rule.severity} by default)`,
      '',
      rule.description,
      '',
      `Why it matters: ${rule.rationale}`,
      '',
      `How to fix: ${rule.fix}`,
      '',
      'Messages:',
      ...Object.entries(rule.messages).map(([messageId, text]) => `  ${messageId}: ${text}`),
      ...(rule.defaultOptions ? ['', `Options (defaults): ${JSON.stringify(rule.defaultOptions)}`] : []),
      '',
      `Documentation: ${ruleDocsUrl(rule.id)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  }
  const check = inputChecks.find((candidate) => candidate.id === id);
  if (!check) throw new UsageError(`no rule or check called '${id}'; run k8snet rules for the list`);
  process.stdout.write(`${check.id} (input, ${check.severity})\n\n${check.description}\n\nWhy it matters: ${check.why}\n\nHow to fix: ${check.fix}\n`);
  return EXIT_OK;
}
