import type { ResourceGraph } from './graph.js';
import type { LabelSelector } from './label-selector.js';
import type { Namespace } from './types.js';

/** The label the API server sets on every namespace, to its name (immutable since Kubernetes 1.22). */
export const METADATA_NAME = 'kubernetes.io/metadata.name';

/**
 * Returns true when k8snet knows a namespace's labels: the manifests hold its Namespace object, or
 * `.k8snet.yaml` `namespaces:` states them. A namespace the manifests only use (an object lives in
 * it) was made elsewhere, with labels k8snet cannot see beyond its name.
 */
export function hasKnownLabels(namespace: Namespace | undefined): boolean {
  return namespace !== undefined && (namespace.source !== undefined || namespace.declaredIn !== undefined);
}

/**
 * Returns true when a namespaceSelector may match namespaces whose labels k8snet does not know, so
 * that what it matches in the manifests need not be all it matches in the cluster.
 *
 * A cluster holds namespaces the manifests never define: made by kubectl, by an operator, by a
 * platform team, by a kubeflow Profile (with the labels the Profile controller gives them). The
 * manifests may also use a namespace without defining it. Either way its labels are unknown, save
 * kubernetes.io/metadata.name, which the API server sets to the name. So any selector may match
 * such namespaces, unless it confines itself by name: an `In` requirement on
 * kubernetes.io/metadata.name limits it to the namespaces named, and when each of those is one
 * whose labels are known (a Namespace object, or a `namespaces:` entry of .k8snet.yaml), or the
 * selector asks nothing but names, its match is exactly what the manifests say. A selector on a
 * label no known namespace carries (kubeflow's `app.kubernetes.io/part-of: kubeflow-profile`)
 * therefore says "unknown", not "nothing", until `namespaces:` declares the namespaces carrying it.
 */
export function mayMatchUnknownNamespaces(selector: LabelSelector, graph: ResourceGraph): boolean {
  const namesOnly = selector.requirements.every((requirement) => requirement.key === METADATA_NAME);
  for (const requirement of selector.requirements) {
    if (requirement.key !== METADATA_NAME || requirement.operator !== 'In') continue;
    const confined = requirement.values.every((name) => {
      const namespace = graph.namespace(name);
      return namespace !== undefined && (namesOnly || hasKnownLabels(namespace));
    });
    if (confined) return false;
  }
  return true;
}
