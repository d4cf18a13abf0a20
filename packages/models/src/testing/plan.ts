/** Every node of an `EXPLAIN (FORMAT JSON)` plan (the value of its `QUERY PLAN` column), depth first. */
export function planNodes(explained: unknown): Array<Record<string, unknown>> {
  const document = typeof explained === "string" ? JSON.parse(explained) : explained;
  const nodes: Array<Record<string, unknown>> = [];
  const visit = (node: Record<string, unknown>): void => {
    nodes.push(node);
    for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) visit(child);
  };
  visit((document as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
  return nodes;
}
