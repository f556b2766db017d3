import type { ConnectionChange, ConnectivityDiff } from '../reach/diff.js';
import { countOf, nounFor } from '../model/plural.js';

const SIGN: Record<ConnectionChange['change'], string> = { added: '+', removed: '-', changed: '~' };

function connections(change: ConnectionChange): string {
  return change.change === 'changed' ? `${change.before.toString()} -> ${change.after.toString()}`
    : (change.change === 'added' ? change.after : change.before).toString();
}

/** Formats a diff for people: workloads added and removed, then `+`, `-` and `~` connection lines with their reasons. */
export function formatDiffText(diff: ConnectivityDiff): string {
  const lines: string[] = [];
  for (const workload of diff.addedWorkloads) lines.push(`+ workload ${workload.id}`);
  for (const workload of diff.removedWorkloads) lines.push(`- workload ${workload.id}`);
  for (const change of diff.changes) {
    lines.push(`${SIGN[change.change]} ${change.source.id} => ${change.destination.id} : ${connections(change)}`);
    if (change.allowedBy.length > 0) lines.push(`    allowed by ${change.allowedBy.join('; ')}`);
    if (change.deniedBy && change.deniedBy.length > 0) lines.push(`    now ${change.deniedBy.join('; ')}`);
  }
  if (lines.length === 0) lines.push('No change in connectivity.');
  const counts = ['added', 'removed', 'changed'].map((kind) => `${diff.changes.filter((change) => change.change === kind).length} ${kind}`).join(', ');
  lines.push('', `${counts} ${nounFor(diff.changes.length, 'connection')}; ${countOf(diff.addedWorkloads.length, 'workload')} added, ${diff.removedWorkloads.length} removed`);
  return `${lines.join('\n')}\n`;
}

/** Formats a diff as JSON: `{"workloads": {"added", "removed"}, "connections": [{"change", "src", "dst", "before", "after", "allowedBy"}]}`. */
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
    })),
  }, null, 2)}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Formats a diff as Markdown, ready to paste into a pull-request comment. */
export function formatDiffMarkdown(diff: ConnectivityDiff): string {
  const lines = ['### Connectivity changes', ''];
  if (diff.addedWorkloads.length + diff.removedWorkloads.length > 0) {
    for (const workload of diff.addedWorkloads) lines.push(`- added workload \`${workload.id}\``);
    for (const workload of diff.removedWorkloads) lines.push(`- removed workload \`${workload.id}\``);
    lines.push('');
  }
  if (diff.changes.length === 0) {
    lines.push('No connection opened or closed.');
  } else {
    lines.push('| | src | dst | before | after | why |', '|---|-----|-----|--------|-------|-----|');
    for (const change of diff.changes) {
      lines.push(`| ${SIGN[change.change]} | ${cell(change.source.id)} | ${cell(change.destination.id)} | ${change.before.isEmpty() ? '' : cell(change.before.toString())} | ${change.after.isEmpty() ? '' : cell(change.after.toString())} | ${cell([...change.allowedBy, ...(change.deniedBy ?? []).map((entry) => `now ${entry}`)].join('; '))} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Formats a diff as CSV: `change,src,dst,before,after`. */
export function formatDiffCsv(diff: ConnectivityDiff): string {
  const field = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = ['change,src,dst,before,after'];
  for (const change of diff.changes) {
    lines.push([change.change, change.source.id, change.destination.id, change.before.isEmpty() ? '' : change.before.toString(), change.after.isEmpty() ? '' : change.after.toString()].map(field).join(','));
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

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Formats a diff as a Graphviz digraph: added edges green, removed red, changed orange. */
export function formatDiffDot(diff: ConnectivityDiff): string {
  const ids = graphNodes(diff);
  const lines = ['digraph connectivity_diff {', '  rankdir=LR;', '  node [shape=box, fontsize=10];', '  edge [fontsize=9];'];
  for (const [peer, id] of ids) lines.push(`  ${id} [label=${quote(peer)}${peer.endsWith('[External]') || peer.startsWith('{') ? ', shape=ellipse, style=dashed' : ''}];`);
  for (const change of diff.changes) {
    lines.push(`  ${ids.get(change.source.id)} -> ${ids.get(change.destination.id)} [label=${quote(`${SIGN[change.change]} ${connections(change)}`)}, color=${COLOURS[change.change]}, fontcolor=${COLOURS[change.change]}${change.change === 'removed' ? ', style=dashed' : ''}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Formats a diff as a Mermaid flowchart (renders in GitHub): added edges green, removed red, changed orange. */
export function formatDiffMermaid(diff: ConnectivityDiff): string {
  const ids = graphNodes(diff);
  const lines = ['flowchart LR'];
  for (const [peer, id] of ids) lines.push(`  ${id}["${peer.replace(/"/g, '#quot;')}"]`);
  diff.changes.forEach((change) => {
    const arrow = change.change === 'removed' ? '-.->' : '-->';
    lines.push(`  ${ids.get(change.source.id)} ${arrow}|"${SIGN[change.change]} ${connections(change).replace(/"/g, '#quot;')}"| ${ids.get(change.destination.id)}`);
  });
  diff.changes.forEach((change, index) => lines.push(`  linkStyle ${index} stroke:${COLOURS[change.change]},color:${COLOURS[change.change]}`));
  return `${lines.join('\n')}\n`;
}
