import { formatRequirements, matchesSelector, type Labels, type LabelSelector } from './label-selector.js';
import type { CalicoSelector, CalicoSelectorNode } from './calico-selector.js';

/**
 * The labels Kubernetes controllers put on the pods they create, beyond the template's own
 * (Kubernetes "Well-Known Labels, Annotations and Taints", and the controllers' code):
 *
 * | controller  | labels on every pod                                                     | since            |
 * |-------------|-------------------------------------------------------------------------|------------------|
 * | Deployment  | `pod-template-hash` (hash of the template, per revision)                | always           |
 * | StatefulSet | `controller-revision-hash` (per revision), `statefulset.kubernetes.io/pod-name` = `<sts>-<ordinal>` | 1.9 |
 * |             | `apps.kubernetes.io/pod-index` = the ordinal (PodIndexLabel gate, beta and on by default) | 1.28 |
 * | DaemonSet   | `controller-revision-hash`, `pod-template-generation` (deprecated, still set) | always      |
 * | Job         | `job-name`, `controller-uid` (legacy), `batch.kubernetes.io/job-name`, `batch.kubernetes.io/controller-uid` | prefixed since 1.27 |
 * |             | Indexed Jobs: `batch.kubernetes.io/job-completion-index` = the index (a label with PodIndexLabel, before only an annotation) | 1.28 |
 * | CronJob     | the Job labels of the Job it creates, named `<cronjob>-<scheduled time>`  |                  |
 *
 * ReplicaSets and ReplicationControllers add nothing (a ReplicaSet's pod-template-hash comes from
 * its Deployment, in its template). A Job with `manualSelector: true` gets no generated selector
 * and so none of the Job labels. k8snet models a current cluster (1.28 or later).
 */

/**
 * The value k8snet gives a label whose value a controller computes when it creates the pod (a
 * hash, a uid, the name of a Job a CronJob creates): it is not a valid label value, so it never
 * equals a value a selector names, while `Exists` and `DoesNotExist` still see the key.
 */
export const GENERATED_LABEL_VALUE = '<generated>';

/** Returns true for a label value a controller computes at run time (see {@link GENERATED_LABEL_VALUE}). */
export function isGeneratedValue(value: string | undefined): boolean {
  return value === GENERATED_LABEL_VALUE;
}

/** The StatefulSet controller's pod-name label: `<statefulset>-<ordinal>`. */
export const STATEFULSET_POD_NAME = 'statefulset.kubernetes.io/pod-name';
/** The StatefulSet controller's ordinal label (Kubernetes 1.28+). */
export const POD_INDEX = 'apps.kubernetes.io/pod-index';
/** The Job controller's completion index label of Indexed Jobs (Kubernetes 1.28+). */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/**
 * Label keys whose value differs from one pod of a workload to the next (an ordinal, an index):
 * a selector on one of them tells the pods of one workload apart.
 */
export const PER_POD_LABEL_KEYS: ReadonlySet<string> = new Set([STATEFULSET_POD_NAME, POD_INDEX, JOB_COMPLETION_INDEX]);

/** Who computes each generated label, for messages. */
const GENERATED_BY: Readonly<Record<string, string>> = {
  'pod-template-hash': 'the Deployment controller computes for each revision of the pod template',
  'controller-revision-hash': 'the StatefulSet or DaemonSet controller computes for each revision of the pod template',
  'pod-template-generation': 'the DaemonSet controller sets from the DaemonSet\'s generation',
  'controller-uid': 'the Job controller sets to the Job\'s uid',
  'batch.kubernetes.io/controller-uid': 'the Job controller sets to the Job\'s uid',
  'job-name': 'the Job controller sets to the name of a Job its CronJob creates at each run',
  'batch.kubernetes.io/job-name': 'the Job controller sets to the name of a Job its CronJob creates at each run',
  'app.kubernetes.io/version': 'the operator sets to the version it deploys',
};

/** Says who sets a generated label and when, for messages: `the Deployment controller computes ...`. */
export function describeGeneratedLabel(key: string): string {
  return GENERATED_BY[key] ?? 'a controller sets when it creates the pod';
}

type Raw = Record<string, any>;

/**
 * The labels `kind`'s controller adds to every pod it creates from the template of `name`
 * (values it computes at run time as {@link GENERATED_LABEL_VALUE}). Per-pod labels (ordinals,
 * indexes) are not among them: see {@link ordinalLabels}.
 *
 * @param spec the controller's spec, for a Job's `manualSelector`
 */
export function controllerLabels(kind: string, name: string, spec: Raw): Labels {
  switch (kind) {
    case 'Deployment':
      return { 'pod-template-hash': GENERATED_LABEL_VALUE };
    case 'StatefulSet':
      return { 'controller-revision-hash': GENERATED_LABEL_VALUE };
    case 'DaemonSet':
      return { 'controller-revision-hash': GENERATED_LABEL_VALUE, 'pod-template-generation': GENERATED_LABEL_VALUE };
    case 'Job':
      // With manualSelector the user's selector is used as is and no label is generated.
      return spec.manualSelector === true ? {} : jobLabels(name);
    case 'CronJob':
      return spec.jobTemplate?.spec?.manualSelector === true ? {} : jobLabels(GENERATED_LABEL_VALUE);
    default:
      return {};
  }
}

function jobLabels(jobName: string): Labels {
  return {
    'batch.kubernetes.io/controller-uid': GENERATED_LABEL_VALUE,
    'controller-uid': GENERATED_LABEL_VALUE,
    'batch.kubernetes.io/job-name': jobName,
    'job-name': jobName,
  };
}

/** The labels the StatefulSet controller gives the pod of one ordinal. */
export function ordinalLabels(podName: string, ordinal: number): Labels {
  return { [STATEFULSET_POD_NAME]: podName, [POD_INDEX]: String(ordinal) };
}

/**
 * Per-pod label keys (see {@link PER_POD_LABEL_KEYS}) that some selector of the manifests names,
 * each with the values selectors name for it (`In`, `NotIn` and `matchLabels` values; `Exists`
 * and `DoesNotExist` name the key only).
 */
export type PodLabelMentions = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Stands, among the values mentioned for a key, for every value: a selector that compares the
 * key's values other than by equality (Calico's `contains`, `starts with`, `ends with`) tells
 * every pod apart by it.
 */
const EVERY_VALUE = '\u0003';

/**
 * Collects the per-pod label keys and values that label selectors, Service and workload selectors
 * (label maps) and Calico selectors name.
 */
export function collectPodLabelMentions(
  selectors: Iterable<LabelSelector | undefined>,
  labelMaps: Iterable<Labels | undefined>,
  calicoSelectors: Iterable<CalicoSelector | undefined> = [],
): PodLabelMentions {
  const mentions = new Map<string, Set<string>>();
  const mention = (key: string, values: readonly string[]) => {
    if (!PER_POD_LABEL_KEYS.has(key)) return;
    let set = mentions.get(key);
    if (!set) mentions.set(key, (set = new Set()));
    for (const value of values) set.add(value);
  };
  for (const selector of selectors) for (const requirement of selector?.requirements ?? []) mention(requirement.key, requirement.values);
  for (const labels of labelMaps) for (const key in labels ?? {}) mention(key, [labels![key]]);
  const visit = (node: CalicoSelectorNode): void => {
    switch (node.type) {
      case 'eq': case 'ne': mention(node.key, [node.value]); break;
      case 'in': case 'notIn': mention(node.key, node.values); break;
      case 'contains': case 'startsWith': case 'endsWith': mention(node.key, [EVERY_VALUE]); break;
      case 'not': visit(node.operand); break;
      case 'and': case 'or': node.operands.forEach(visit); break;
      default: // has(), all(), global(): no value
    }
  };
  for (const selector of calicoSelectors) if (selector) visit(selector.root);
  return mentions;
}

/** What stands for a per-pod label value no selector names: such pods cannot be told apart by it. */
const UNNAMED_VALUE = '\u0002';

/**
 * The value of a label as far as selectors can tell: the value itself, except for a per-pod label
 * (an ordinal) whose value no selector names, which all pods share. Pod classes are keyed by it,
 * so the ordinals of a StatefulSet that nothing singles out stay one class: 10,000 replicas cost
 * what one does.
 */
export function distinguishableValue(key: string, value: string, mentions: PodLabelMentions): string {
  if (!PER_POD_LABEL_KEYS.has(key)) return value;
  const named = mentions.get(key);
  return named && (named.has(value) || named.has(EVERY_VALUE)) ? value : UNNAMED_VALUE;
}

/**
 * The requirements of `selector` on labels whose value on these pods a controller computes at run
 * time (`In`/`NotIn` only: `Exists` and `DoesNotExist` see the key, which is known to be there).
 */
export function requirementsOnGeneratedValues(selector: LabelSelector, labels: Labels): LabelSelector['requirements'] {
  return selector.requirements.filter((requirement) => (requirement.operator === 'In' || requirement.operator === 'NotIn') && isGeneratedValue(labels[requirement.key]));
}

/**
 * Returns true when the selector would match the pods but for its requirements on generated values,
 * which k8snet cannot judge: whether it matches them in the cluster is unknown.
 */
export function matchesButForGeneratedValues(selector: LabelSelector, labels: Labels): boolean {
  const unknown = requirementsOnGeneratedValues(selector, labels);
  if (unknown.length === 0) return false;
  return matchesSelector({ requirements: selector.requirements.filter((requirement) => !unknown.includes(requirement)), text: '' }, labels);
}

/**
 * For messages about a selector on values computed at run time: its requirements on them as
 * kubectl prints selectors (`pod-template-hash=5d8f7c9b4`), and who computes them.
 */
export function describeGeneratedRequirements(selector: LabelSelector, labels: Labels): { readonly requirements: string; readonly setter: string } {
  const requirements = requirementsOnGeneratedValues(selector, labels);
  const keys = [...new Set(requirements.map((requirement) => requirement.key))];
  return { requirements: formatRequirements(requirements), setter: keys.map((key) => describeGeneratedLabel(key)).join(', and ') };
}
