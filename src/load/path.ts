/** A field path inside an object: mapping keys as strings, sequence indexes as numbers. */
export type FieldPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Formats a field path the way kubectl users read it: `spec.ingress[0].from[1].namespaceSelector`,
 * with keys that are not identifiers (label keys with dots or slashes) in brackets and quotes.
 */
export function formatPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Parses the output of {@link formatPath} (and plain dotted paths) back into segments. */
export function parsePath(text: string): FieldPath {
  const segments: (string | number)[] = [];
  const pattern = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(Number(match[1]));
    else if (match[2] !== undefined) segments.push(JSON.parse(match[2]) as string);
    else if (match[3] !== undefined) segments.push(match[3]);
  }
  return segments;
}

/** Returns the value at `path` inside a plain value, or undefined where the path leaves it. */
export function valueAt(value: unknown, path: FieldPath): unknown {
  let current: any = value;
  for (const segment of path) current = current?.[segment];
  return current;
}
