import { defineRule, type RuleReport } from '../src/lint/rule.js';
import { valueAt, type FieldPath } from '../src/load/path.js';
import type { Pod, Protocol } from '../src/model/types.js';

/** A container port entry that sets hostPort, with its place in the pod's object. */
interface HostPortEntry {
  readonly hostPort: number;
  readonly hostIP?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
  readonly path: FieldPath;
}

/**
 * Returns the port entries of a pod's running containers (and sidecar init containers, which keep
 * running) that set a hostPort other than 0, read from the pod's object as written.
 */
function hostPorts(pod: Pod): HostPortEntry[] {
  const spec = valueAt(pod.source.value, [...pod.templatePath, 'spec']) as Record<string, unknown> | undefined;
  const entries: HostPortEntry[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    const containers = spec?.[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container: { restartPolicy?: unknown; ports?: unknown } | null, containerIndex) => {
      if (list === 'initContainers' && container?.restartPolicy !== 'Always') return;
      if (!Array.isArray(container?.ports)) return;
      container.ports.forEach((port: { hostPort?: unknown; hostIP?: unknown; containerPort?: unknown; protocol?: unknown } | null, portIndex) => {
        if (typeof port?.hostPort !== 'number' || port.hostPort <= 0 || typeof port.containerPort !== 'number') return;
        entries.push({
          hostPort: port.hostPort,
          ...(typeof port.hostIP === 'string' && port.hostIP !== '' ? { hostIP: port.hostIP } : {}),
          containerPort: port.containerPort,
          protocol: (typeof port.protocol === 'string' ? port.protocol : 'TCP') as Protocol,
          path: [...pod.templatePath, 'spec', list, containerIndex, 'ports', portIndex],
        });
      });
    });
  }
  return entries;
}

/** Flags container ports with a hostPort, which open that port on the node's own address. */
export default defineRule({
  id: 'host-port-exposed',
  category: 'exposure',
  severity: 'warning',
  description: 'A container port sets hostPort, which opens that port on the address of every node the pod runs on.',
  rationale: 'A hostPort is forwarded from the node\'s address straight to the pod (by the network plugin, usually with the CNI portmap '
    + 'plugin), past any Service: whoever reaches a node reaches the container, often from outside the cluster. Whether the pod\'s '
    + 'NetworkPolicies then apply, and with which source address, is up to the network plugin, so a pod no policy isolates is open to '
    + 'everyone who reaches the node. The Pod Security Standards\' baseline profile disallows hostPort for this reason, and two pods with '
    + 'the same hostPort cannot share a node.',
  fix: 'Drop hostPort and expose the port through a Service (ClusterIP behind an Ingress or Gateway, or a LoadBalancer with '
    + 'loadBalancerSourceRanges); if the port must be on the node, bind it to one address with hostIP, isolate the pod with a '
    + 'NetworkPolicy and filter the port in the nodes\' firewall.',
  messages: {
    exposed: '{{workload}} opens {{hostPort}} on every node it runs on (to container port {{containerPort}}), past any Service, and no NetworkPolicy isolates it for ingress, so anyone who reaches a node can connect.',
    exposedIsolated: '{{workload}} opens {{hostPort}} on every node it runs on (to container port {{containerPort}}), past any Service; its ingress policies apply to those connections only where the network plugin enforces them on hostPort traffic.',
  },
  messageSeverities: { exposedIsolated: 'info' },
  check(graph, { solver }) {
    const reports: RuleReport[] = [];
    for (const workload of graph.workloads) {
      for (const pod of workload.pods) {
        // A hostNetwork pod binds its ports on the node anyway (hostnetwork-bypasses-policy speaks of it).
        if (pod.hostNetwork) continue;
        const podClass = solver.classOf(pod);
        // Any policy of any kind that restricts its ingress (a NetworkPolicy, an admin tier's rules).
        const isolated = !solver.isOpen(podClass, 'ingress');
        for (const port of hostPorts(pod)) {
          // Bound to the loopback address, the port is reachable from the node itself only.
          if (port.hostIP !== undefined && /^(127\.|::1$|0:0:0:0:0:0:0:1$)/.test(port.hostIP)) continue;
          reports.push({
            messageId: isolated ? 'exposedIsolated' : 'exposed',
            data: {
              workload: workload.id,
              hostPort: `${port.protocol}/${port.hostPort}${port.hostIP !== undefined ? ` on ${port.hostIP}` : ''}`,
              containerPort: `${port.protocol}/${port.containerPort}`,
            },
            object: pod.source,
            path: [...port.path, 'hostPort'],
          });
        }
      }
    }
    return reports;
  },
});
