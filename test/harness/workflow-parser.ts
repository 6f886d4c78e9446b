/**
 * @actions/workflow-parser (GitHub's own workflow and action schemas) for tests. It imports its
 * JSON schemas without `with { type: "json" }` (it expects a bundler); Node refuses that, so a
 * loader hook adds the attribute for its files before it is loaded.
 */
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (
      resolved.url.endsWith(".json") &&
      resolved.url.includes("/@actions/workflow-parser/") &&
      context.importAttributes.type === undefined
    ) {
      return { ...resolved, importAttributes: { ...context.importAttributes, type: "json" } };
    }
    return resolved;
  },
});

export const { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } = await import(
  "@actions/workflow-parser"
);
export const { convertActionTemplate, parseAction } = await import(
  "@actions/workflow-parser/actions/index"
);
