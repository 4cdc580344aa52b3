/**
 * Escaping for VS Code labels that render `$(name)` as an icon (CodeLens titles, the status bar
 * item): a table named `$(zap)` must show as that text. It is VS Code's own escape (`escapeIcons`
 * in src/vs/base/common/iconLabels.ts: a backslash before `$(name)`, which `renderLabelWithIcons`
 * shows as the plain text). Self-contained, so the client can import it without the core.
 */
const ICON = /(\\)?\$\([A-Za-z0-9-]+(?:~[A-Za-z0-9-]*)?\)/g;

/** Text from a migration, for a label: icon syntax escaped, line breaks as spaces (a label is one line). */
export function labelText(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(ICON, (match: string, escaped: string | undefined) => (escaped ? match : `\\${match}`));
}
