import type { ConnectionChange, ConnectivityDiff } from '../reach/diff.js';
import { countOf, nounFor } from '../model/plural.js';
import { csvCell } from './escape/csv.js';
import { dotString } from './escape/dot.js';
import { markdownCode, markdownTableCode } from './escape/markdown.js';
import { mermaidLabel } from './escape/mermaid.js';
import { escapeText } from './escape/text.js';

const SIGN: Record<ConnectionChange['change'], string> = { added: '+', removed: '-', changed: '~' };

function connections(change: ConnectionChange): string {
  return change.change === 'changed' ? `${change.before.toString()} -> ${change.after.toString()}`
    : (change.change === 'added' ? change.after : change.before).toString();
}

/** `workload shop/new[Deployment] added`, for a connection of a workload that exists on one side only. */
function workloadNote(change: ConnectionChange): string | undefined {
  const ids = change.workloadsOnOneSide;
  if (!ids || ids.length === 0) return undefined;
  return `${ids.length === 1 ? 'workload' : 'workloads'} ${ids.join(' and ')} ${change.change === 'removed' ? 'removed' : 'added'}`;
}

/**
 * Formats a diff for people: workloads added and removed, then `+`, `-` and `~` connection lines
 * with their reasons. Names are written with control characters escaped (escapeText).
 */
export function formatDiffText(diff: ConnectivityDiff): string {
  const lines: string[] = [];
  for (const workload of diff.addedWorkloads) lines.push(`+ workload ${workload.id}`);
  for (const workload of diff.removedWorkloads) lines.push(`- workload ${workload.id}`);
  for (const change of diff.changes) {
    const note = workloadNote(change);
    lines.push(`${SIGN[change.change]} ${change.source.id} => ${change.destination.id} : ${connections(change)}${note ? `  (${note})` : ''}`);
    if (change.allowedBy.length > 0) lines.push(`    allowed by ${change.allowedBy.join('; ')}`);
    if (change.deniedBy && change.deniedBy.length > 0) lines.push(`    now ${change.deniedBy.join('; ')}`);
  }
  if (lines.length === 0) lines.push('No change in connectivity.');
  const counts = ['added', 'removed', 'changed'].map((kind) => `${diff.changes.filter((change) => change.change === kind).length} ${kind}`).join(', ');
  lines.push('', `${counts} ${nounFor(diff.changes.length, 'connection')}; ${countOf(diff.addedWorkloads.length, 'workload')} added, ${diff.removedWorkloads.length} removed`);
  return `${lines.map(escapeText).join('\n')}\n`;
}

/**
 * Formats a diff as JSON: `{"workloads": {"added", "removed"}, "connections": [{"change", "src",
 * "dst", "before", "after", "allowedBy", "deniedBy", "workloadsOnOneSide"}]}`.
 */
export function formatDiffJson(diff: ConnectivityDiff): string {
  return `${JSON.stringify({
    workloads: { added: diff.addedWorkloads.map((workload) => workload.id), removed: diff.removedWorkloads.map((workload) => workload.id) },
    connections: diff.changes.map((change) => ({
      change: change.change,
      src: change.source.id,
      dst: change.destination.id,
      before: change.before.isEmpty() ? null : change.before.toString(),
      after: change.after.isEmpty() ? null : change.after.toString(),
      allowedBy: change.allowedBy,
      deniedBy: change.deniedBy ?? [],
      workloadsOnOneSide: change.workloadsOnOneSide ?? [],
    })),
  }, null, 2)}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * Formats a diff as Markdown, ready to paste into a pull-request comment or a job summary. Every
 * name, file and rule reference is a code span (markdownCode): nothing in the manifests can add a
 * link, an image, HTML or a line to the page.
 */
export function formatDiffMarkdown(diff: ConnectivityDiff): string {
  const lines = ['### Connectivity changes', ''];
  if (diff.addedWorkloads.length + diff.removedWorkloads.length > 0) {
    for (const workload of diff.addedWorkloads) lines.push(`- added workload ${markdownCode(workload.id)}`);
    for (const workload of diff.removedWorkloads) lines.push(`- removed workload ${markdownCode(workload.id)}`);
    lines.push('');
  }
  if (diff.changes.length === 0) {
    lines.push('No connection opened or closed.');
  } else {
    lines.push('| | src | dst | before | after | why |', '|---|-----|-----|--------|-------|-----|');
    for (const change of diff.changes) {
      const note = workloadNote(change);
      const why = [...(note ? [note] : []), ...change.allowedBy, ...(change.deniedBy ?? []).map((entry) => `now ${entry}`)];
      lines.push(`| ${SIGN[change.change]} | ${markdownTableCode(change.source.id)} | ${markdownTableCode(change.destination.id)} | ${change.before.isEmpty() ? '' : cell(change.before.toString())} | ${change.after.isEmpty() ? '' : cell(change.after.toString())} | ${why.map(markdownTableCode).join('; ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Formats a diff as CSV: `change,src,dst,before,after,workloads`, the last column naming the
 * workloads the change adds or removes at either end. Every field as csvCell writes it.
 */
export function formatDiffCsv(diff: ConnectivityDiff): string {
  const lines = ['change,src,dst,before,after,workloads'];
  for (const change of diff.changes) {
    lines.push([change.change, change.source.id, change.destination.id, change.before.isEmpty() ? '' : change.before.toString(),
      change.after.isEmpty() ? '' : change.after.toString(), workloadNote(change) ?? ''].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

const COLOURS: Record<ConnectionChange['change'], string> = { added: 'darkgreen', removed: 'red', changed: 'orange' };

function graphNodes(diff: ConnectivityDiff): Map<string, string> {
  const ids = new Map<string, string>();
  for (const change of diff.changes) {
    for (const peer of [change.source.id, change.destination.id]) if (!ids.has(peer)) ids.set(peer, `n${ids.size}`);
  }
  return ids;
}

/** Formats a diff as a Graphviz digraph: added edges green, removed red, changed orange. */
export function formatDiffDot(diff: ConnectivityDiff): string {
  const ids = graphNodes(diff);
  const lines = ['digraph connectivity_diff {', '  rankdir=LR;', '  node [shape=box, fontsize=10];', '  edge [fontsize=9];'];
  for (const [peer, id] of ids) lines.push(`  ${id} [label=${dotString(peer)}${peer.endsWith('[External]') || peer.startsWith('{') ? ', shape=ellipse, style=dashed' : ''}];`);
  for (const change of diff.changes) {
    lines.push(`  ${ids.get(change.source.id)} -> ${ids.get(change.destination.id)} [label=${dotString(`${SIGN[change.change]} ${connections(change)}`)}, color=${COLOURS[change.change]}, fontcolor=${COLOURS[change.change]}${change.change === 'removed' ? ', style=dashed' : ''}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Formats a diff as a Mermaid flowchart (renders in GitHub): added edges green, removed red, changed orange. */
export function formatDiffMermaid(diff: ConnectivityDiff): string {
  const ids = graphNodes(diff);
  const lines = ['flowchart LR'];
  for (const [peer, id] of ids) lines.push(`  ${id}[${mermaidLabel(peer)}]`);
  diff.changes.forEach((change) => {
    const arrow = change.change === 'removed' ? '-.->' : '-->';
    lines.push(`  ${ids.get(change.source.id)} ${arrow}|${mermaidLabel(`${SIGN[change.change]} ${connections(change)}`)}| ${ids.get(change.destination.id)}`);
  });
  diff.changes.forEach((change, index) => lines.push(`  linkStyle ${index} stroke:${COLOURS[change.change]},color:${COLOURS[change.change]}`));
  return `${lines.join('\n')}\n`;
}
