/**
 * Escapes the message of a GitHub Actions workflow command as the Actions toolkit does
 * (`escapeData` of @actions/core): `%`, carriage return and newline are percent-encoded, so the
 * message stays on its line and cannot start another command.
 */
export function workflowCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Escapes a property value of a workflow command (`file=`, `title=`) as the Actions toolkit does
 * (`escapeProperty`): as {@link workflowCommandData}, and `:` and `,`, which end a property.
 */
export function workflowCommandProperty(text: string): string {
  return workflowCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
