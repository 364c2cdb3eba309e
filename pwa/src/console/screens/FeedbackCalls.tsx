// 回访 / Follow-up calls: the sample of completed visits the branch calls back (drawn by the
// server), each with the borrower's phone, and the short form recorded after the call.
import { useState } from "preact/hooks";
import { formatDate, t } from "../../i18n";
import { toast } from "../../ui/toast";
import { consoleApi } from "../api";
import { DataTable } from "../components/DataTable";
import { NO_ANSWERS, doneForm, sharePercent, unreachableForm, type FeedbackAnswers } from "../feedback";
import { useAction, usePoll } from "../hooks";
import type { FeedbackCall, FeedbackForm } from "../types";

function YesNo({ name, value, onChange }: { name: string; value: boolean | null; onChange: (v: boolean) => void }) {
  return (
    <fieldset class="c-row">
      <legend>{name}</legend>
      {[true, false].map((v) => (
        <label key={String(v)} class="c-row">
          <input type="radio" checked={value === v} onChange={() => onChange(v)} />
          {t(v ? "console.feedback.yes" : "console.feedback.no")}
        </label>
      ))}
    </fieldset>
  );
}

function CallForm({ call, onSaved }: { call: FeedbackCall; onSaved: () => void }) {
  const [a, setA] = useState<FeedbackAnswers>(NO_ANSWERS);
  const action = useAction();
  const set = (patch: Partial<FeedbackAnswers>) => setA((old) => ({ ...old, ...patch }));
  const save = async (form: FeedbackForm | null) => {
    if (!form) return;
    if (await action.run(() => consoleApi.recordFeedback(call.id, form))) {
      toast(t("console.feedback.saved"));
      onSaved();
    }
  };
  const done = doneForm(a);
  return (
    <div class="c-card" data-testid="feedback-form">
      <h2>
        {t("console.feedback.call")}: {call.borrower_name} · <a href={`tel:${call.phone}`}>{call.phone}</a>
      </h2>
      <YesNo name={t("console.feedback.courteous")} value={a.courteous} onChange={(v) => set({ courteous: v })} />
      <YesNo name={t("console.feedback.lawful")} value={a.lawful} onChange={(v) => set({ lawful: v })} />
      <YesNo name={t("console.feedback.explained")} value={a.explained} onChange={(v) => set({ explained: v })} />
      <fieldset class="c-row">
        <legend>{t("console.feedback.satisfied")}</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} class="c-row">
            <input type="radio" checked={a.satisfied === n} onChange={() => set({ satisfied: n })} />
            {n}
          </label>
        ))}
      </fieldset>
      <label>
        {t("console.feedback.note")}
        <textarea rows={2} maxLength={500} value={a.note} onInput={(e) => set({ note: e.currentTarget.value })} />
      </label>
      {!done && <p class="c-muted">{t("console.feedback.incomplete")}</p>}
      {action.error && <p class="c-error" role="alert">{action.error}</p>}
      <div class="c-row">
        <button type="button" class="c-btn c-primary" disabled={!done || action.busy} onClick={() => void save(done)} data-testid="feedback-done">
          {t("console.feedback.done")}
        </button>
        <button type="button" class="c-btn" disabled={action.busy} onClick={() => void save(unreachableForm(a))} data-testid="feedback-unreachable">
          {t("console.feedback.unreachable")}
        </button>
      </div>
    </div>
  );
}

export function FeedbackCallsScreen() {
  const calls = usePoll(() => consoleApi.feedbackCalls("sampled"), []);
  const [open, setOpen] = useState<FeedbackCall | null>(null);
  const items = calls.data?.items ?? [];
  return (
    <div class="c-screen" data-testid="feedback-screen">
      <header class="c-head">
        <h1>{t("console.feedback.title")}</h1>
        <span class="c-muted">{t("console.feedback.summary", { n: items.length, share: sharePercent(calls.data?.share ?? 0.1) })}</span>
        <span class="c-spacer" />
        <button type="button" class="c-btn" onClick={() => void calls.reload()}>
          {t("console.refresh")}
        </button>
      </header>
      {calls.error && <p class="c-error" role="alert">{calls.error}</p>}
      <section class="c-card">
        <DataTable
          rows={items}
          rowKey={(c) => c.id}
          filename="follow-up-calls"
          rowAttrs={(c) => ({ "data-testid": "feedback-call", "data-call-id": c.id })}
          empty={t("console.feedback.none")}
          columns={[
            { key: "date", label: t("console.feedback.visitDate"), value: (c) => c.visit_date, render: (c) => formatDate(c.visit_date) },
            { key: "borrower", label: t("console.feedback.borrower"), value: (c) => c.borrower_name },
            { key: "phone", label: t("console.feedback.phone"), value: (c) => c.phone },
            { key: "officer", label: t("console.feedback.officer"), value: (c) => c.officer_name },
            {
              key: "act",
              label: "",
              value: () => "",
              noExport: true,
              sortable: false,
              render: (c) => (
                <button type="button" class="c-btn c-small c-primary" onClick={() => setOpen(c)} data-testid="feedback-open">
                  {t("console.feedback.call")}
                </button>
              ),
            },
          ]}
        />
      </section>
      {open && (
        <CallForm
          key={open.id}
          call={open}
          onSaved={() => {
            setOpen(null);
            void calls.reload();
          }}
        />
      )}
    </div>
  );
}
