// Parsers for the two channels a JavaScript action uses to talk to the GitHub
// Actions runner, written to behave like the runner itself (actions/runner,
// ActionCommandManager.cs and FileCommandManager.cs):
//
// - workflow commands on stdout/stderr: `::name key=value,key=value::data`
// - environment files (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE): `name=value`
//   lines and the heredoc form `name<<DELIMITER\nvalue\nDELIMITER`.

export interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
}

/** Undo the runner's escaping of a command's data (order as in the runner). */
export function unescapeData(s: string): string {
  return s.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%");
}

/** Undo the runner's escaping of a command property value (order as in the runner). */
export function unescapeProperty(s: string): string {
  return s
    .replaceAll("%0D", "\r")
    .replaceAll("%0A", "\n")
    .replaceAll("%3A", ":")
    .replaceAll("%2C", ",")
    .replaceAll("%25", "%");
}

/** The commands the runner acts on; any other `::x::` line is plain log output. */
export const REGISTERED_COMMANDS: ReadonlySet<string> = new Set([
  "add-mask",
  "add-matcher",
  "remove-matcher",
  "add-path",
  "set-env",
  "set-output",
  "save-state",
  "error",
  "warning",
  "notice",
  "debug",
  "group",
  "endgroup",
  "echo",
  "stop-commands",
]);

/**
 * Parse one log line as a workflow command the way the runner's TryParseV2
 * does: leading whitespace is ignored, the command name must be a registered
 * one, properties are split on `,` then on the first `=` (pairs without a
 * value are dropped).
 */
export function parseWorkflowCommand(
  line: string,
  registered: ReadonlySet<string> = REGISTERED_COMMANDS,
): WorkflowCommand | undefined {
  const message = line.trimStart();
  if (!message.startsWith("::")) return undefined;
  const end = message.indexOf("::", 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(" ");
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const item of info
      .slice(space + 1)
      .trim()
      .split(",")) {
      if (item === "") continue;
      const eq = item.indexOf("=");
      if (eq <= 0 || eq === item.length - 1) continue;
      properties[item.slice(0, eq)] = unescapeProperty(item.slice(eq + 1));
    }
  }
  return { name, properties, data: unescapeData(message.slice(end + 2)) };
}

/** Split text into lines the way the runner reads process output (\n or \r\n). */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Parse an environment file (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE) exactly
 * like the runner: empty lines are skipped; `name=value` when `=` comes before
 * any `<<`; otherwise `name<<DELIM` followed by value lines up to a line equal
 * to DELIM. Throws on the inputs the runner rejects (the runner fails the step).
 * Later pairs with the same name win.
 */
export function parseEnvFile(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let index = 0;
  const readLine = (): { line: string; newline: string } | undefined => {
    if (index >= text.length) return undefined;
    const nl = text.indexOf("\n", index);
    if (nl < 0) {
      const line = text.slice(index);
      index = text.length;
      return { line, newline: "" };
    }
    const crlf = nl > index && text[nl - 1] === "\r";
    const line = text.slice(index, crlf ? nl - 1 : nl);
    index = nl + 1;
    return { line, newline: crlf ? "\r\n" : "\n" };
  };
  for (let r = readLine(); r !== undefined; r = readLine()) {
    const line = r.line;
    if (line === "") continue;
    const eq = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const key = line.slice(0, eq);
      if (key === "") throw new Error(`Invalid format '${line}'. Name must not be empty`);
      pairs.push([key, line.slice(eq + 1)]);
    } else if (heredoc >= 0 && (eq < 0 || heredoc < eq)) {
      const key = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (key === "" || delimiter === "") {
        throw new Error(
          `Invalid format '${line}'. Name must not be empty and delimiter must not be empty`,
        );
      }
      const start = index;
      let end = index;
      let next = readLine();
      while (next === undefined || next.line !== delimiter) {
        if (next === undefined) {
          throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`);
        }
        if (next.newline === "") throw new Error("Invalid value. EOF marker missing new line.");
        end = index - next.newline.length;
        next = readLine();
      }
      pairs.push([key, end > start ? text.slice(start, end) : ""]);
    } else {
      throw new Error(`Invalid format '${line}'`);
    }
  }
  return pairs;
}

/** GITHUB_PATH: one directory per non-empty line. */
export function parsePathFile(text: string): string[] {
  return splitLines(text).filter((l) => l !== "");
}
