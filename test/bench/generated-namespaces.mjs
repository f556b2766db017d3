// The team namespaces of a tree written by ../shared/tools/gen-cluster.mjs, as the bench's policy
// sets (cluster-policies.mjs, calico-policies.mjs, cilium-policies.mjs) select them: each with its
// `team` and `env` labels. The generator is shared by every helper and is not changed; this reads
// what it wrote.

import fs from 'node:fs';
import path from 'node:path';

/** The namespaces of `dir` that carry a `team` label, sorted by name: `{ name, team, env }`. */
export function teamNamespaces(dir) {
  const namespaces = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of listYaml(path.join(dir, entry.name))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^kind: Namespace\nmetadata:\n {2}name: "?([a-z0-9-]+)"?\n {2}labels:\n((?: {4}.*\n)+)/gm)) {
        const team = /^ {4}team: "?([a-z0-9-]+)"?$/m.exec(match[2])?.[1];
        const env = /^ {4}env: "?([a-z0-9-]+)"?$/m.exec(match[2])?.[1];
        if (team) namespaces.push({ name: match[1], team, env });
      }
    }
  }
  return namespaces.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function listYaml(folder) {
  const files = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const child = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...listYaml(child));
    else if (/\.ya?ml$/.test(entry.name)) files.push(child);
  }
  return files;
}
