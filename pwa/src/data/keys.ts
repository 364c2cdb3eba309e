import type { EntityName, MutationArgs, MutationName } from "./types";

/** "visit:<id>": the key an outbox entry records for each local row it touches. */
export function entityKey(entity: EntityName, id: string): string {
  return `${entity}:${id}`;
}

/** The local rows a mutation touches: a `del` of one of them only hides it (protocol). */
export function mutationKeys(name: MutationName, args: MutationArgs[MutationName]): string[] {
  const a = args as Partial<Record<string, unknown>>;
  const keys: string[] = [];
  const add = (entity: EntityName, value: unknown) => {
    if (typeof value === "string" && value) keys.push(entityKey(entity, value));
  };
  add("visit", a.visit_id);
  add("borrower", a.borrower_id);
  if (name === "promise.create") add("promise", a.promise_id);
  if (name === "agreement.sign") add("agreement", a.agreement_id);
  return keys;
}

/** The borrower a row belongs to, for the [entity+ref] index; for a route, its day. */
export function refOf(entity: EntityName, id: string, data: unknown): string {
  if (entity === "borrower") return id;
  if (entity === "route") {
    const day = (data as { plan_date?: unknown } | null)?.plan_date;
    return typeof day === "string" ? day : "";
  }
  const d = data as { borrower_id?: unknown } | null;
  return d && typeof d.borrower_id === "string" ? d.borrower_id : "";
}
