/** A small XML 1.0 well-formedness check for the JUnit reporter's output, shared by the tests. */

/**
 * Checks that `text` is a well-formed XML 1.0 document (the subset a JUnit report uses: a
 * declaration, elements, attributes, character data, entity and character references) and returns
 * the problems found.
 */
export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const invalidChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
  const badAmpersand = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  if (invalidChar.test(text)) problems.push('character not allowed in XML 1.0');
  let rest = text.replace(/^<\?xml[^?]*\?>/, '');
  const stack: string[] = [];
  let roots = 0;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const chars = lt < 0 ? rest : rest.slice(0, lt);
    if (badAmpersand.test(chars)) problems.push(`bare & in text: ${chars.slice(0, 60)}`);
    if (chars.includes(']]>')) problems.push(`]]> in text: ${chars.slice(0, 60)}`);
    if (stack.length === 0 && chars.trim() !== '') problems.push(`text outside the root: ${chars.slice(0, 60)}`);
    if (lt < 0) break;
    rest = rest.slice(lt);
    const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(rest);
    if (close) {
      if (stack.pop() !== close[1]) problems.push(`mismatched </${close[1]}>`);
      rest = rest.slice(close[0].length);
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(rest);
    if (!open) {
      problems.push(`malformed markup: ${rest.slice(0, 60)}`);
      break;
    }
    const names = [...open[2].matchAll(/([A-Za-z_][\w.-]*)\s*=\s*("[^"]*"|'[^']*')/g)];
    if (new Set(names.map((attribute) => attribute[1])).size !== names.length) problems.push(`repeated attribute in <${open[1]}>`);
    for (const attribute of names) if (badAmpersand.test(attribute[2])) problems.push(`bare & in attribute ${attribute[1]}`);
    if (stack.length === 0) roots++;
    if (!open[3]) stack.push(open[1]);
    rest = rest.slice(open[0].length);
  }
  if (stack.length > 0) problems.push(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
