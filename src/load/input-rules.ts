import type { Severity } from '../finding.js';

/** Metadata of a problem the loader reports: the same shape the lint rules' metadata has. */
export interface InputRule {
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  readonly why: string;
  readonly fix: string;
}

function rule(id: string, severity: Severity, description: string, why: string, fix: string): InputRule {
  return { id, severity, description, why, fix };
}

/**
 * Every problem the loader and the graph builder can report about the input itself, before any
 * lint rule runs. Errors among them make the run exit with 2 (input error).
 */
export const INPUT_RULES = {
  unreadable: rule('input-unreadable', 'error', 'A path cannot be read.',
    'Manifests that cannot be read are not analysed, so their policies and workloads are missing from every answer.',
    'Check that the path exists and is readable.'),
  binary: rule('input-binary', 'error', 'A file is binary or not UTF-8 text.',
    'A binary file cannot hold manifests; it was probably matched by accident.',
    'Remove the file from the scanned paths or save it as UTF-8 text.'),
  tooLarge: rule('input-too-large', 'error', 'A file is too large to be a manifest.',
    'Reading it would take memory and time without yielding Kubernetes objects.',
    'Exclude the file, or split it if it really holds manifests.'),
  notRegular: rule('input-not-regular', 'warning', 'A path with a manifest\'s name is a FIFO, socket or device, not a regular file.',
    'k8snet reads only regular files and standard input: opening a FIFO can block forever and a device such as /dev/zero never ends, so it is not read and its content, if any, is not analysed.',
    'Write the manifests to a regular file, or pipe them to `k8snet lint -`.'),
  outsidePaths: rule('input-outside-paths', 'warning', 'A symbolic link leads outside the paths given.',
    'k8snet reads nothing outside the files and folders it is given, so a committed link cannot make it read /etc or a home folder; the manifests the link leads to are not analysed.',
    'Give the link\'s target as a path too if its manifests belong to the analysis, or remove the link.'),
  aliasBudget: rule('input-yaml-aliases', 'error', 'A YAML document expands its aliases beyond the budget.',
    'Aliases (`*name`) repeat the node their anchor names; nested, a few kilobytes expand to billions of nodes (the billion laughs attack), which take minutes and gigabytes to analyse. kubectl and the API server (go-yaml) refuse such documents as "excessive aliasing".',
    'Write the repeated parts out, or use fewer levels of aliases.'),
  empty: rule('input-empty', 'warning', 'A file holds no Kubernetes object.',
    'An empty manifest is often a rendering mistake (a template whose condition was false, a redirect that failed).',
    'Delete the file or check how it was produced.'),
  duplicateKey: rule('input-duplicate-key', 'warning', 'A mapping has the same key twice.',
    'kubectl keeps the last value without a word, so the first one (a port, a label, a rule) silently never takes effect; kustomize refuses such a file.',
    'Remove one of the two keys, or merge their values.'),
  yamlSyntax: rule('input-yaml-syntax', 'error', 'A document is not valid YAML.',
    'kubectl would reject the whole file (kubectl apply applies none of its objects); k8snet leaves out the document with the error and still reads the file\'s other documents, so that their problems show too.',
    'Fix the YAML at the given line (indentation, a missing colon or quote).'),
  helmTemplate: rule('input-helm-template', 'error', 'A file is an unrendered Helm or Go template.',
    'Template placeholders are not values: selectors, ports and names in it are unknown until rendered.',
    'Render the chart first and lint the output: `helm template . | k8snet lint -`.'),
  notObject: rule('input-not-object', 'error', 'A document is not a Kubernetes object (a mapping).',
    'Only mappings with apiVersion and kind are Kubernetes objects; anything else is ignored by kubectl.',
    'Make each document a mapping with apiVersion, kind and metadata; wrap several objects in `kind: List`.'),
  missingKind: rule('input-missing-kind', 'error', 'An object has no kind or apiVersion.',
    'kubectl rejects an object without apiVersion and kind, so it never reaches the cluster.',
    'Add the missing apiVersion and kind.'),
  missingName: rule('input-missing-name', 'error', 'An object has no metadata.name.',
    'kubectl rejects a named kind without a name (generateName is not resolvable offline).',
    'Add metadata.name.'),
  schema: rule('input-schema', 'error', 'A field has the wrong type or an impossible value, or a name or label the API server refuses.',
    'The API server rejects the whole object, so it never exists in the cluster: k8snet leaves it out of every answer, and reports every invalid field of it at once.',
    'Correct each field as its message says (quote values YAML reads as numbers or booleans, such as "yes", "on" or "0755").'),
  unknownKind: rule('input-unknown-kind', 'info', 'Objects of a kind k8snet does not model.',
    'Custom resources may carry network behaviour (service meshes, CNI-specific policies) that k8snet does not see.',
    'Nothing to do if the kind does not affect traffic; check the spelling if it should be a built-in kind.'),
  toolConfig: rule('input-tool-config', 'info', 'A file is tool configuration that states cluster facts (kind, kubeadm, kubelet, kube-proxy), not a manifest.',
    'It is not applied to the cluster, but it states the pod and Service ranges and the pods per node the address plan is checked against.',
    'Nothing to do; the address checks read their facts from it.'),
  apiVersionNotServed: rule('input-api-version-not-served', 'error', 'An object is written in an apiVersion the API server does not serve for its kind.',
    'kubectl apply fails with "no matches for kind": the object never reaches the cluster, so what it was meant to allow or expose does not happen.',
    'Write the apiVersion the message names (the deprecated API migration guide lists what changed in each version).'),
  invalidSelector: rule('selector-invalid', 'error', 'A label selector is not valid.',
    'The API server rejects the object; k8snet treats the selector as matching nothing.',
    'Use operators In, NotIn, Exists or DoesNotExist; give In/NotIn at least one value and Exists/DoesNotExist none.'),
  invalidValue: rule('input-invalid-value', 'error', 'A field holds a value the API server rejects.',
    'The object would never be admitted, so the cluster behaves as if it did not exist.',
    'Correct the value as the message says.'),
  invalidPortRange: rule('invalid-port-range', 'error', 'A port range is impossible.',
    'The API server rejects a policy whose endPort is below its port, lacks a port or follows a named port; the traffic it was meant to allow stays blocked.',
    'Give endPort only with a numeric port, and no lower than it.'),
  invalidCidr: rule('invalid-cidr', 'error', 'A CIDR is malformed.',
    'The API server rejects a policy with a malformed CIDR, so none of its rules apply.',
    'Write the CIDR as address/prefix, with the prefix within 0-32 (IPv4) or 0-128 (IPv6).'),
  istioWarning: rule('input-istio-warning', 'warning', 'istiod accepts an Istio object but warns about it, or ignores it.',
    'The object is admitted but does not do what it says: istiod ignores it or parts of it, or applies it more widely than its author probably meant.',
    'Correct the object as the message says.'),
  calicoSelectorInvalid: rule('calico-selector-invalid', 'error', 'A Calico selector does not parse.',
    'Calico rejects a policy, network set or endpoint rule whose selector it cannot parse, so none of the policy applies.',
    "Write the selector in Calico's syntax: quoted values (app == 'web'), has(key), k in {'a', 'b'}, &&, || and !, with parentheses to group."),
  exceptOutsideCidr: rule('except-outside-cidr', 'error', 'An ipBlock except is not inside its cidr.',
    'The API server rejects an ipBlock whose except ranges are not strictly inside its cidr.',
    'Keep only except ranges inside the cidr, or widen the cidr.'),
} as const;
