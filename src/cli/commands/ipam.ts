import { ConfigError, withClusterOverrides, type ClusterOverrides, type LintConfig } from '../../lint/config.js';
import { runRules } from '../../lint/engine.js';
import { analyzeAddressPlan } from '../../ipam/capacity.js';
import { RULES } from '../../../rules/index.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { loadCommandConfig, loadCommandInput, reportInputFindings } from './shared.js';
import { sortFindings } from '../../report/summary.js';

/** The checks of the address plan, which `k8snet ipam` runs and prints under its tables. */
export const ADDRESS_PLAN_RULES: ReadonlySet<string> = new Set([
  'pod-cidr-exhausted', 'pod-cidr-low-headroom', 'node-cidr-too-small-for-max-pods', 'pod-cidr-node-capacity', 'service-cidr-exhausted',
  'service-cidr-low-headroom', 'cluster-ip-outside-service-cidr', 'cluster-ip-duplicate', 'cidr-overlap', 'nodeport-exhausted',
  'nodeport-duplicate', 'address-plan-invalid', 'address-plan-conflict',
]);

/** Command-line address facts, shared by `lint` and `ipam`. */
export interface AddressFactOptions {
  readonly podCidr?: string[];
  readonly serviceCidr?: string[];
  readonly nodes?: number;
  readonly maxNodes?: number;
  readonly maxPods?: number;
}

/** Options of `k8snet ipam`. */
export interface IpamOptions extends AddressFactOptions {
  readonly format: 'text' | 'json';
  readonly config?: string;
  readonly verbose?: boolean;
}

/** Turns the address flags into overrides of the configuration. */
export function clusterOverrides(options: AddressFactOptions): ClusterOverrides {
  return {
    ...(options.podCidr?.length ? { podCIDR: options.podCidr } : {}),
    ...(options.serviceCidr?.length ? { serviceCIDR: options.serviceCidr } : {}),
    ...(options.nodes !== undefined ? { nodes: options.nodes } : {}),
    ...(options.maxNodes !== undefined ? { maxNodes: options.maxNodes } : {}),
    ...(options.maxPods !== undefined ? { maxPodsPerNode: options.maxPods } : {}),
  };
}

/** Loads the configuration as every command does (loadCommandConfig), with the address flags applied; configuration problems are usage errors. */
export function loadConfigWithOverrides(configFile: string | undefined, options: AddressFactOptions): LintConfig {
  const config = loadCommandConfig(configFile);
  try {
    return withClusterOverrides(config, clusterOverrides(options));
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Runs `k8snet ipam`: the address plan as tables (or JSON) and its findings. Exit 1 when a
 * finding is an error (a range that is full, an address the API server refuses), 2 on input errors.
 */
export async function runIpam(paths: string[], options: IpamOptions, global: GlobalOptions): Promise<number> {
  const config = loadConfigWithOverrides(options.config, options);
  const { analysis, inputFindings } = loadCommandInput(paths, global, config);
  reportInputFindings(inputFindings, global, analysis.skipped, options.verbose);
  const rules = RULES.filter((rule) => ADDRESS_PLAN_RULES.has(rule.id));
  const addressPlan = analyzeAddressPlan(analysis.graph, config.cluster);
  const findings = sortFindings(runRules(analysis.graph, rules, config, undefined, () => addressPlan).findings);
  if (options.format === 'json') {
    const { formatIpamJson } = await import('../../report/ipam-json.js');
    process.stdout.write(formatIpamJson(addressPlan, findings));
  } else {
    const { formatIpamText } = await import('../../report/ipam-text.js');
    const { loadPaint } = await import('../../report/paint.js');
    process.stdout.write(formatIpamText(addressPlan, findings, { paint: await loadPaint(global.color) }));
  }
  if (hasInputErrors(inputFindings)) return EXIT_USAGE;
  return findings.some((finding) => finding.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}
