import { INPUT_RULES } from '../../load/input-rules.js';
import { EXIT_OK, UsageError, type GlobalOptions } from '../context.js';

/** Runs `k8snet rules`: lists the checks, or documents one. */
export async function runRules(id: string | undefined, _global: GlobalOptions): Promise<number> {
  const rules = Object.values(INPUT_RULES);
  if (id === undefined) {
    const width = Math.max(...rules.map((rule) => rule.id.length));
    process.stdout.write('Input checks (run on every command while loading the manifests):\n');
    for (const rule of rules) process.stdout.write(`  ${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${rule.description}\n`);
    process.stdout.write('\nThe lint rule catalogue (isolation, selectors, ports, DNS, addressing, exposure) is tracked in issue #5.\n');
    return EXIT_OK;
  }
  const rule = rules.find((candidate) => candidate.id === id);
  if (!rule) throw new UsageError(`no check called '${id}'; run k8snet rules for the list`);
  process.stdout.write(`${rule.id} (${rule.severity})\n\n${rule.description}\n\nWhy it matters: ${rule.why}\n\nHow to fix: ${rule.fix}\n`);
  return EXIT_OK;
}
