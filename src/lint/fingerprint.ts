import { createRequire } from 'node:module';
import type { Finding, ObjectIdentity } from '../finding.js';

/**
 * The key under which SARIF results carry the fingerprint (`partialFingerprints`): a name of our
 * own ending in `/v` and a version that changes when the computation does, as SARIF and GitHub
 * code scanning name theirs (`primaryLocationLineHash/v1`, which GitHub computes itself).
 */
export const FINGERPRINT_KEY = 'k8snet/v1';

/** What identifies a finding across revisions: never its file, line or column. */
export interface FingerprintParts {
  readonly ruleId: string;
  readonly messageId?: string;
  readonly object?: ObjectIdentity;
  /** The field path inside the object, as formatted (`spec.ingress[0].from[1]`). */
  readonly path?: string;
  /** The data that tells this finding apart from others of its rule on the same field. */
  readonly data?: Readonly<Record<string, string | number>>;
  /** For a finding about a file rather than an object (a syntax error): the file and the message. */
  readonly file?: string;
  readonly message?: string;
}

/**
 * Returns a stable fingerprint: a hash of the rule, the message id, the object's kind, namespace
 * and name, the field path and the identifying data. Reformatting a file, reordering its keys or
 * moving an object to another file leaves it unchanged; so does a count in the message.
 */
export function fingerprintOf(parts: FingerprintParts): string {
  const identity = [
    parts.ruleId,
    parts.messageId ?? '',
    parts.object?.kind ?? '',
    parts.object?.namespace ?? '',
    parts.object?.name ?? '',
    parts.path ?? '',
    ...Object.entries(parts.data ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => `${key}=${value}`),
    ...(parts.object === undefined ? [parts.file ?? '', parts.message ?? ''] : []),
  ];
  // Unit separators cannot occur in names, paths or kubectl-style values, so no two lists join alike.
  return sha256Hex(identity.join('\u001f')).slice(0, 32);
}

let crypto: typeof import('node:crypto') | undefined;

/** SHA-256 of a text, in hexadecimal; node:crypto is loaded by the first finding, not by every run (a lint without findings never needs it). */
function sha256Hex(text: string): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  // The one-shot crypto.hash (Node.js 20.12 and later) is several times faster than a Hash object per finding.
  const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * Returns the fingerprint of a finding made without a rule report (the loader's): its object and
 * path when it has them, else its file, and its message with line and column numbers taken out.
 */
export function fingerprintOfFinding(finding: Finding): string {
  if (finding.fingerprint) return finding.fingerprint;
  return fingerprintOf({
    ruleId: finding.ruleId,
    ...(finding.object ? { object: finding.object } : {}),
    ...(finding.path ? { path: finding.path } : {}),
    ...(finding.location ? { file: finding.location.file } : {}),
    message: finding.message.replace(/\b(line|column|lines|columns) \d+(:\d+)?/gi, '$1'),
  });
}
