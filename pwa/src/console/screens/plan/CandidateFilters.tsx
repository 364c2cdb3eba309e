// The candidate filters: bucket, segment and officer apply at once; the rest on "apply".
import { t, tMaybe } from "../../../i18n";
import type { UserPublic } from "../../types";
import { amountsValid, BUCKETS, EMPTY_FILTERS, parseBucket, parseSegment, SEGMENTS, type FilterForm } from "./plan";

export function CandidateFilters({
  officers,
  form,
  onChange,
  onApply,
}: {
  officers: UserPublic[];
  form: FilterForm;
  /** The form as typed; `apply`: also run the query with it. */
  onChange: (next: FilterForm, apply: boolean) => void;
  onApply: (applied: FilterForm) => void;
}) {
  const badAmount = !amountsValid(form);
  const set = (patch: Partial<FilterForm>, apply = false) => onChange({ ...form, ...patch }, apply);
  return (
    <form
      class="c-filters"
      onSubmit={(e) => {
        e.preventDefault();
        if (!badAmount) onApply(form);
      }}
      data-testid="candidate-filters"
    >
      <label class="c-field">
        <span>{t("console.plan.col.bucket")}</span>
        <select name="bucket" value={form.bucket} onChange={(e) => set({ bucket: parseBucket(e.currentTarget.value) }, true)}>
          <option value="">{t("console.all")}</option>
          {BUCKETS.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
      <label class="c-field">
        <span>{t("console.plan.col.segment")}</span>
        <select name="segment" value={form.segment} onChange={(e) => set({ segment: parseSegment(e.currentTarget.value) }, true)}>
          <option value="">{t("console.all")}</option>
          {SEGMENTS.map((s) => (
            <option key={s} value={s}>
              {tMaybe(`segment.${s}`) ?? s}
            </option>
          ))}
        </select>
      </label>
      <label class="c-field">
        <span>{t("console.plan.col.village")}</span>
        <input name="village" value={form.village} onInput={(e) => set({ village: e.currentTarget.value })} />
      </label>
      <label class="c-field c-narrow">
        <span>{t("console.plan.minOverdue")}</span>
        <input name="min_overdue" inputMode="decimal" value={form.minYuan} onInput={(e) => set({ minYuan: e.currentTarget.value })} />
      </label>
      <label class="c-field c-narrow">
        <span>{t("console.plan.maxOverdue")}</span>
        <input name="max_overdue" inputMode="decimal" value={form.maxYuan} onInput={(e) => set({ maxYuan: e.currentTarget.value })} />
      </label>
      <label class="c-field">
        <span>{t("console.plan.lastOfficer")}</span>
        <select name="officer" value={form.officer} onChange={(e) => set({ officer: e.currentTarget.value }, true)}>
          <option value="">{t("console.all")}</option>
          {officers.map((o) => (
            <option key={o.id} value={o.id}>
              {o.full_name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="c-btn" disabled={badAmount}>
        {t("console.plan.applyFilters")}
      </button>
      <button type="button" class="c-btn c-plain" onClick={() => onApply(EMPTY_FILTERS)}>
        {t("console.plan.clearFilters")}
      </button>
      {badAmount && <span class="c-error">{t("console.plan.badAmount")}</span>}
    </form>
  );
}
