import { locateField } from '../load/manifest-object.js';
import type { Finding } from '../finding.js';
import type { AddressPlanAnalysis, PodRangeUsage } from '../ipam/capacity.js';
import { countOf, describeCarving, formatCount, podRangeText } from '../ipam/describe.js';
import type { Candidate, Fact, FactSource, PlanRange } from '../ipam/plan.js';
import type { Paint } from './paint.js';
import { escapeText } from './escape/text.js';

/** Options of the address-plan text report. */
export interface IpamTextOptions {
  /** Colours: chalk, or PLAIN (see loadPaint). */
  readonly paint: Paint;
}

/** Where a fact came from, as the reader finds it: `kubeadm.yaml:4:3 (ClusterConfiguration networking.podSubnet)`. */
export function describeSource(source: FactSource): string {
  if (!source.object) return source.description;
  const location = locateField(source.object.origin, source.path ?? []);
  return `${location.file}:${location.line}:${location.column} (${source.description})`;
}

/** Lays out rows as columns separated by two spaces; the last column is not padded. */
function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = rows[0].map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => indent + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd());
}

function headroom(pods: bigint, percent: number): string {
  return `${formatCount(pods)} (${percent}%)`;
}

/**
 * Formats the address plan as tables: the facts and their sources, each pod and Service range
 * with what it holds, what the manifests ask of it and the headroom, the node ports, the largest
 * demands, and the address findings. What the manifests and file names put into it is written
 * with control characters escaped (escapeText).
 */
export function formatIpamText(analysis: AddressPlanAnalysis, findings: readonly Finding[], options: IpamTextOptions): string {
  const chalk = options.paint;
  const { plan, demand } = analysis;
  const lines: string[] = [];
  const heading = (text: string) => {
    if (lines.length > 0) lines.push('');
    lines.push(chalk.bold(text));
  };

  heading('Facts');
  const factRows: string[][] = [['FACT', 'VALUE', 'SOURCE']];
  const overridden: string[] = [];
  const addFact = <T>(name: string, fact: Fact<T> | undefined, show: (value: T) => string) => {
    if (!fact) {
      factRows.push([name, '-', 'not stated']);
      return;
    }
    factRows.push([name, escapeText(show(fact.value)), escapeText(describeSource(fact.source))]);
    for (const other of fact.overridden as readonly Candidate<T>[]) {
      if (other.source.kind !== 'default') overridden.push(escapeText(`${name} ${show(other.value)} from ${describeSource(other.source)} (overridden)`));
    }
  };
  const ranges = (value: readonly PlanRange[]) => value.map((range) => range.cidr.text).join(', ');
  addFact('pod range', plan.podRanges, ranges);
  addFact('Service range', plan.serviceRanges, ranges);
  // Mask sizes of the families the plan has (IPv4 when it has no pod range yet).
  const families = new Set([...(plan.podRanges?.value ?? []).map((range) => range.cidr.family), ...plan.nodeRanges.map((range) => range.cidr.family)]);
  if (families.size === 0) families.add(4);
  for (const family of [4, 6] as const) {
    if (families.has(family)) addFact(`node mask IPv${family}`, plan.nodeMaskSize[family], (value) => `/${value}`);
  }
  addFact('nodes', plan.nodes, String);
  addFact('max nodes', plan.maxNodes, String);
  addFact('maxPods per node', plan.maxPodsPerNode, String);
  addFact('node-port range', plan.nodePortRange, (value) => `${value.from}-${value.to}`);
  for (const pool of plan.calicoPools) {
    factRows.push([escapeText(`Calico pool ${pool.name}`), `${pool.cidr.text} blocks /${pool.blockSize}${pool.disabled ? ' (disabled)' : ''}`, escapeText(describeSource(pool.source))]);
  }
  if (plan.nodeRanges.length > 0) factRows.push(['node pod ranges', countOf(plan.nodeRanges.length, 'range'), escapeText(describeSource(plan.nodeRanges[0].source))]);
  lines.push(...table(factRows));
  for (const line of overridden) lines.push(chalk.dim(`  ${line}`));

  heading('Pod ranges');
  if (analysis.podRanges.length === 0) {
    lines.push('  No pod range is known: state one in .k8snet.yaml (cluster.podCIDR), with --pod-cidr, or in a kubeadm, kind, Calico or Cilium config.');
  } else {
    const rows: string[][] = [['RANGE', 'FAMILY', 'ADDRESSES', 'CARVED AS', 'NODES IT SERVES', 'NODES', 'CAPACITY', 'DEMAND', 'HEADROOM']];
    for (const usage of analysis.podRanges) {
      rows.push([
        podRangeText(usage), `IPv${usage.family}`, formatCount(usage.addresses), describeCarving(usage), formatCount(usage.nodesServed),
        usage.nodesKnown ? formatCount(usage.nodesAssumed) : `(${formatCount(usage.nodesAssumed)})`,
        formatCount(usage.capacityPods), formatCount(usage.demandPods), paintHeadroom(chalk, usage),
      ]);
    }
    lines.push(...table(rows));
    if (analysis.podRanges.some((usage) => !usage.nodesKnown)) {
      lines.push(chalk.dim('  (N) no node count is known: capacity and demand assume every node the range can serve; state nodes in .k8snet.yaml or with --nodes.'));
    }
    if (analysis.podRanges.some((usage) => usage.carving.kind === 'node-blocks')) {
      lines.push(chalk.dim('  Node blocks lose their network and (IPv4) broadcast address; bridge-based plugins (flannel, kubenet) also take one per node for the bridge.'));
    }
  }

  heading('Service ranges');
  if (analysis.serviceRanges.length === 0) {
    lines.push('  No Service range is known: state one in .k8snet.yaml (cluster.serviceCIDR), with --service-cidr, or in a kubeadm, kind or ServiceCIDR object.');
  } else {
    const rows: string[][] = [['RANGE', 'FAMILY', 'ADDRESSES', 'RESERVED', 'USABLE', 'SERVICES', 'HEADROOM']];
    for (const usage of analysis.serviceRanges) {
      const text = `${formatCount(usage.headroom)} (${usage.headroomPercent}%)`;
      rows.push([
        usage.ranges.map((range) => range.cidr.text).join(' + '), `IPv${usage.family}`, formatCount(usage.addresses), formatCount(usage.reserved),
        formatCount(usage.usable), `${usage.demand}${usage.countsKubernetesService ? '*' : ''}`, usage.headroom < 0n ? chalk.red(text) : text,
      ]);
    }
    lines.push(...table(rows));
    if (analysis.serviceRanges.some((usage) => usage.countsKubernetesService)) {
      lines.push(chalk.dim('  * counts default/kubernetes, which the API server creates in every cluster.'));
    }
  }

  heading('Node ports');
  const ports = analysis.nodePorts;
  const portHeadroom = `${formatCount(ports.headroom)} (${ports.headroomPercent}%)`;
  lines.push(...table([
    ['RANGE', 'PORTS', 'CLAIMED', 'HEADROOM'],
    [`${ports.range.value.from}-${ports.range.value.to}`, formatCount(ports.size), ports.services.length === 0 ? 'none' : `${ports.demand} by ${countOf(ports.services.length, 'Service')}`, ports.headroom < 0 ? chalk.red(portHeadroom) : portHeadroom],
  ]));

  heading('Pod demand');
  const perNode = demand.podsPerNode > 0 ? ` + ${countOf(demand.podsPerNode, 'DaemonSet pod')} per node` : '';
  const hostPods = [
    ...(demand.hostNetworkPods > 0 ? [countOf(demand.hostNetworkPods, 'pod')] : []),
    ...(demand.hostNetworkPodsPerNode > 0 ? [`${countOf(demand.hostNetworkPodsPerNode, 'pod')} per node`] : []),
  ].join(' + ');
  const hostNetwork = demand.hostNetworkWorkloads.length === 0 ? ''
    : `; ${countOf(demand.hostNetworkWorkloads.length, 'hostNetwork workload')} (${hostPods}) ${demand.hostNetworkWorkloads.length === 1 ? 'takes' : 'take'} no pod address but ${demand.hostNetworkWorkloads.length === 1 ? 'counts' : 'count'} against maxPods`;
  lines.push(`  ${countOf(demand.fixedPods, 'pod')}${perNode} from ${countOf(demand.workloads.length, 'workload')}${hostNetwork}.`);
  const largest = [...demand.workloads].sort((a, b) => b.pods - a.pods || a.workload.id.localeCompare(b.workload.id)).slice(0, 10);
  if (largest.length > 0) {
    lines.push(...table([['WORKLOAD', 'PODS', 'BASIS'], ...largest.map((entry) => [escapeText(entry.workload.id), entry.perNode ? `${entry.pods}/node` : String(entry.pods), escapeText(entry.basis)])]));
    if (demand.workloads.length > largest.length) lines.push(chalk.dim(`  ... and ${countOf(demand.workloads.length - largest.length, 'more workload')}`));
  }

  heading('Problems');
  if (findings.length === 0) lines.push('  none: the plan holds what the manifests ask for.');
  for (const finding of findings) {
    const where = finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}: ` : '';
    const paint = finding.severity === 'error' ? chalk.red : finding.severity === 'warning' ? chalk.yellow : chalk.blue;
    lines.push(`  ${escapeText(where)}${paint(finding.severity)}: ${escapeText(finding.message)} ${chalk.dim(`[${finding.ruleId}]`)}`);
    if (finding.hint) lines.push(chalk.dim(`    hint: ${escapeText(finding.hint)}`));
  }
  return `${lines.join('\n')}\n`;
}

function paintHeadroom(chalk: Paint, usage: PodRangeUsage): string {
  const text = headroom(usage.headroomPods, usage.headroomPercent);
  return usage.headroomPods < 0n ? chalk.red(text) : text;
}
