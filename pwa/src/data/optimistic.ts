// What a mutation does to the local copy, so the screens show it before the server has it.
// Every effect is idempotent: after a pull the pending outbox is replayed over server rows.
import type { FieldDb } from "./db";
import { getMeta } from "./meta";
import { getRow, makeRow, putRow } from "./rows";
import type { Borrower, EntityRow, Mutation, MutationArgs, RecentContact, Visit } from "./types";

async function updateVisit(db: FieldDb, id: string, change: (v: Visit) => Visit): Promise<EntityRow<"visit"> | undefined> {
  const row = await getRow(db, "visit", id);
  if (!row) return undefined;
  const next = { ...row, data: change(row.data) };
  await putRow(db, next);
  return next;
}

async function addContact(db: FieldDb, borrowerId: string, contact: RecentContact): Promise<void> {
  const row = await getRow(db, "borrower", borrowerId);
  if (!row) return;
  const list = row.data.recent_contacts ?? [];
  if (contact.id && list.some((c) => c.id === contact.id)) return;
  const data: Borrower = { ...row.data, recent_contacts: [contact, ...list] };
  await putRow(db, { ...row, data });
}

async function officerName(db: FieldDb): Promise<string> {
  return (await getMeta(db, "user"))?.full_name ?? "";
}

export async function applyLocal(db: FieldDb, m: Mutation): Promise<void> {
  switch (m.name) {
    case "visit.check_in": {
      const a = m.args as MutationArgs["visit.check_in"];
      await updateVisit(db, a.visit_id, (v) =>
        v.status === "planned" ? { ...v, status: "checked_in", checked_in_at: a.at } : v,
      );
      return;
    }
    case "visit.record_outcome": {
      const a = m.args as MutationArgs["visit.record_outcome"];
      const row = await updateVisit(db, a.visit_id, (v) =>
        !v.last_outcome || v.last_outcome.at <= a.at ? { ...v, last_outcome: { contact: a.contact, at: a.at } } : v,
      );
      if (row) {
        await addContact(db, row.data.borrower_id, {
          id: a.outcome_id,
          at: a.at,
          kind: "visit",
          contact: a.contact,
          officer_name: await officerName(db),
          hardship_reasons: a.hardship_reasons,
          text: a.hardship_detail,
          pending: true,
        });
      }
      return;
    }
    case "visit.check_out": {
      const a = m.args as MutationArgs["visit.check_out"];
      await updateVisit(db, a.visit_id, (v) =>
        v.status === "done" ? v : { ...v, status: "done", checked_out_at: a.at },
      );
      return;
    }
    case "visit.skip": {
      const a = m.args as MutationArgs["visit.skip"];
      await updateVisit(db, a.visit_id, (v) =>
        v.status === "planned" || v.status === "checked_in" ? { ...v, status: "skipped", skip_reason: a.reason, skipped_at: a.at } : v,
      );
      return;
    }
    case "contact.log": {
      const a = m.args as MutationArgs["contact.log"];
      await addContact(db, a.borrower_id, {
        id: a.id,
        at: a.at,
        kind: a.channel,
        contact: a.answered_by || null,
        officer_name: await officerName(db),
        hardship_reasons: [],
        text: a.note,
        pending: true,
      });
      return;
    }
    case "note.add": {
      const a = m.args as MutationArgs["note.add"];
      await addContact(db, a.borrower_id, {
        id: a.note_id,
        at: a.at,
        kind: "note",
        contact: null,
        officer_name: await officerName(db),
        hardship_reasons: [],
        text: a.text,
        pending: true,
      });
      return;
    }
    case "promise.create": {
      const a = m.args as MutationArgs["promise.create"];
      if (await getRow(db, "promise", a.promise_id)) return;
      const visit = await getRow(db, "visit", a.visit_id);
      await putRow(
        db,
        makeRow("promise", a.promise_id, 0, {
          visit_id: a.visit_id,
          loan_id: a.loan_id,
          borrower_id: visit?.data.borrower_id ?? "",
          amount_fen: a.amount_fen,
          due_date: a.due_date,
          status: "open",
          paid_fen: 0,
        }),
      );
      return;
    }
    case "agreement.sign": {
      const a = m.args as MutationArgs["agreement.sign"];
      if (await getRow(db, "agreement", a.agreement_id)) return;
      const visit = await getRow(db, "visit", a.visit_id);
      await putRow(
        db,
        makeRow("agreement", a.agreement_id, 0, {
          visit_id: a.visit_id,
          loan_id: a.loan_id,
          borrower_id: visit?.data.borrower_id ?? "",
          principal_fen: a.terms.principal_fen,
          down_payment_fen: a.terms.down_payment_fen,
          schedule: a.terms.schedule.map((line, i) => ({
            seq: i + 1,
            due_date: line.due_date,
            amount_fen: line.amount_fen,
            paid_fen: 0,
            status: "due",
          })),
          status: "signed",
          signed_at: a.signed_at,
          decision_reason: null,
          text: a.text,
          borrower_signature: a.borrower_signature,
          officer_signature: a.officer_signature,
        }),
      );
      return;
    }
    case "visit.request_change": {
      const a = m.args as MutationArgs["visit.request_change"];
      await updateVisit(db, a.visit_id, (v) => {
        const list = v.change_requests ?? [];
        if (list.some((r) => r.request_id === a.request_id || r.id === a.request_id)) return v;
        return { ...v, change_requests: [...list, { request_id: a.request_id, kind: a.kind, at: m.client_time }] };
      });
      return;
    }
    case "safety.sos":
      return; // nothing local: the SOS screen reads the outbox to say "queued" or "sent"
  }
}
