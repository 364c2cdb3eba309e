// Settings > Working day: the branch's day (start, end, breaks, longest working time) and the
// officers' own days (edit, or reset to the branch's).
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { toast } from "../../ui/toast";
import { consoleApi } from "../api";
import { ConfirmDialog, Dialog } from "../components/Dialog";
import { useAction, useLoad } from "../hooks";
import type { OfficerWorkday, Workday } from "../types";
import { MAX_BREAKS, checkWorkday, formFrom, workdaySummary, type WorkdayForm } from "../workday";

function WorkdayFields({ form, onChange, prefix }: { form: WorkdayForm; onChange: (f: WorkdayForm) => void; prefix: string }) {
  const { problems } = checkWorkday(form);
  const setBreak = (i: number, b: { start: string; end: string }) => onChange({ ...form, breaks: form.breaks.map((x, j) => (j === i ? b : x)) });
  return (
    <div class="c-stack c-workday" data-testid={`${prefix}-fields`}>
      <div class="c-row">
        <label class="c-field">
          <span>{t("console.workday.start")}</span>
          <input type="time" name="start" value={form.start} onInput={(e) => onChange({ ...form, start: e.currentTarget.value })} />
        </label>
        <label class="c-field">
          <span>{t("console.workday.end")}</span>
          <input type="time" name="end" value={form.end} onInput={(e) => onChange({ ...form, end: e.currentTarget.value })} />
        </label>
        <label class="c-field c-narrow">
          <span>{t("console.workday.max")}</span>
          <input type="number" inputMode="numeric" min={30} max={960} step={5} name="max_work_minutes" value={form.max} onInput={(e) => onChange({ ...form, max: e.currentTarget.value })} />
        </label>
      </div>
      <fieldset class="c-radio-list">
        <legend>{t("console.workday.breaks")}</legend>
        {form.breaks.length === 0 && <p class="c-muted c-small-text">{t("console.workday.noBreaks")}</p>}
        {form.breaks.map((b, i) => (
          <div key={i} class="c-row c-break-row" data-testid="break-row">
            <input type="time" name={`break_start_${i}`} aria-label={`${t("console.workday.breaks")} ${i + 1} ${t("times.from")}`} value={b.start} onInput={(e) => setBreak(i, { ...b, start: e.currentTarget.value })} />
            <span>–</span>
            <input type="time" name={`break_end_${i}`} aria-label={`${t("console.workday.breaks")} ${i + 1} ${t("times.to")}`} value={b.end} onInput={(e) => setBreak(i, { ...b, end: e.currentTarget.value })} />
            <button type="button" class="c-btn c-small c-plain" onClick={() => onChange({ ...form, breaks: form.breaks.filter((_, j) => j !== i) })}>
              {t("console.workday.removeBreak")}
            </button>
          </div>
        ))}
        <div>
          <button
            type="button"
            class="c-btn c-small"
            disabled={form.breaks.length >= MAX_BREAKS}
            onClick={() => onChange({ ...form, breaks: [...form.breaks, { start: "12:00", end: "13:00" }] })}
            data-testid="add-break"
          >
            {t("console.workday.addBreak")}
          </button>
        </div>
      </fieldset>
      {problems.length > 0 && (
        <ul class="c-error c-problems" role="alert" data-testid="workday-problems">
          {problems.map((p, i) => (
            <li key={i}>{t(p.key, p.params)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function OfficerDialog({ officer, branchDay, onClose, onSaved }: { officer: OfficerWorkday; branchDay: Workday | undefined; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState<WorkdayForm>(() => formFrom(officer.workday ?? branchDay));
  const action = useAction();
  const { value } = checkWorkday(form);
  const save = async () => {
    if (!value) return;
    const ok = await action.run(() => consoleApi.putOfficerWorkday(officer.user_id, value));
    if (ok !== undefined) {
      toast(t("console.settings.saved"));
      onSaved();
    }
  };
  return (
    <Dialog title={t("console.workday.editFor", { name: officer.full_name })} onClose={onClose} testId="officer-workday">
      <WorkdayFields form={form} onChange={setForm} prefix="officer-workday" />
      {action.error && (
        <p class="c-error" role="alert">
          {action.error}
        </p>
      )}
      <div class="c-dialog-actions">
        <button type="button" class="c-btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button type="button" class="c-btn c-primary" disabled={!value || action.busy} onClick={() => void save()} data-confirm="yes">
          {t("console.save")}
        </button>
      </div>
    </Dialog>
  );
}

function OfficerWorkdays({ branchDay }: { branchDay: Workday | undefined }) {
  const loaded = useLoad(() => consoleApi.officerWorkdays(), []);
  const [editing, setEditing] = useState<OfficerWorkday | null>(null);
  const [resetting, setResetting] = useState<OfficerWorkday | null>(null);
  const action = useAction();
  const reset = async (o: OfficerWorkday) => {
    const done = await action.run(async () => {
      await consoleApi.resetOfficerWorkday(o.user_id);
      return true;
    });
    if (done) {
      setResetting(null);
      toast(t("console.settings.saved"));
      void loaded.reload();
    }
  };
  const list = loaded.data ?? [];
  return (
    <div class="c-stack" data-testid="officer-workdays">
      <h3>{t("console.workday.officers")}</h3>
      <p class="c-muted c-small-text">{t("console.workday.officersHint")}</p>
      {loaded.error && <p class="c-error">{loaded.error}</p>}
      {loaded.data && list.length === 0 && <p class="c-muted">{t("console.workday.noOfficers")}</p>}
      {list.length > 0 && (
        <table class="c-table c-compact">
          <thead>
            <tr>
              <th>{t("console.workday.col.name")}</th>
              <th>{t("console.workday.col.hours")}</th>
              <th>{t("console.workday.col.breaks")}</th>
              <th>{t("console.workday.col.max")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((o) => {
              const w = o.workday ?? branchDay;
              const s = w ? workdaySummary(w) : null;
              return (
                <tr key={o.user_id} data-testid="officer-workday-row" data-own={o.workday ? "1" : "0"}>
                  <td>{o.full_name}</td>
                  <td>
                    {s?.hours ?? "—"} {!o.workday && <span class="c-chip-status">{t("console.workday.default")}</span>}
                  </td>
                  <td>{s ? s.breaks.join(t("common.listSep")) || t("common.none") : "—"}</td>
                  <td>{w ? t("console.workday.minutes", { n: w.max_work_minutes }) : "—"}</td>
                  <td>
                    <div class="c-row">
                      <button type="button" class="c-btn c-small" onClick={() => setEditing(o)} data-testid="edit-officer-workday">
                        {t("console.workday.edit")}
                      </button>
                      {o.workday && (
                        <button type="button" class="c-btn c-small c-plain" onClick={() => setResetting(o)} data-testid="reset-officer-workday">
                          {t("console.workday.reset")}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {editing && (
        <OfficerDialog
          officer={editing}
          branchDay={branchDay}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void loaded.reload();
          }}
        />
      )}
      {resetting && (
        <ConfirmDialog
          title={t("console.workday.reset")}
          text={t("console.workday.resetConfirm", { name: resetting.full_name })}
          yes={t("console.workday.reset")}
          busy={action.busy}
          error={action.error}
          onNo={() => setResetting(null)}
          onYes={() => void reset(resetting)}
        />
      )}
    </div>
  );
}

export function WorkdaySettings() {
  const loaded = useLoad(() => consoleApi.workday(), []);
  const [form, setForm] = useState<WorkdayForm | null>(null);
  const action = useAction();
  useEffect(() => {
    if (loaded.data) setForm(formFrom(loaded.data));
  }, [loaded.data]);
  const value = form ? checkWorkday(form).value : null;
  const save = async (e: Event) => {
    e.preventDefault();
    if (!value) return;
    const saved = await action.run(() => consoleApi.putWorkday(value));
    if (saved) {
      toast(t("console.settings.saved"));
      void loaded.reload();
    }
  };
  return (
    <section class="c-card c-form" data-testid="workday-settings">
      <h2>{t("console.workday.title")}</h2>
      <p class="c-muted c-small-text">{t("console.workday.hint")}</p>
      {loaded.error && <p class="c-error">{loaded.error}</p>}
      {form && (
        <form class="c-stack" onSubmit={save}>
          <WorkdayFields form={form} onChange={setForm} prefix="workday" />
          {action.error && (
            <p class="c-error" role="alert">
              {action.error}
            </p>
          )}
          <div>
            <button type="submit" class="c-btn c-primary" disabled={!value || action.busy} data-testid="save-workday">
              {t("console.save")}
            </button>
          </div>
        </form>
      )}
      <OfficerWorkdays branchDay={loaded.data} />
    </section>
  );
}
