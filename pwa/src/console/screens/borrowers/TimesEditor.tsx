// Preferred visiting times: rows of weekdays + start/end (no weekday = every day).
import { t } from "../../../i18n";
import { MAX_TIME_ROWS, WEEKDAYS, checkTimeRows, toggleWeekday, weekdayName, type TimeRow } from "../../../ui/borrowerFacts";

export function TimesEditor({ rows, onChange }: { rows: TimeRow[]; onChange: (rows: TimeRow[]) => void }) {
  const check = checkTimeRows(rows);
  const set = (i: number, row: TimeRow) => onChange(rows.map((r, j) => (j === i ? row : r)));
  return (
    <div class="c-times" data-testid="times-editor">
      {rows.length === 0 && <p class="c-muted c-small-text">{t("times.none")}</p>}
      {rows.map((r, i) => (
        <div key={i} class="c-time-row" data-testid="time-row">
          <div class="c-row" role="group" aria-label={t("console.borrowers.times")}>
            {WEEKDAYS.map((d) => (
              <button key={d} type="button" class="c-chip c-small-chip" aria-pressed={r.weekdays.includes(d)} onClick={() => set(i, toggleWeekday(r, d))}>
                {weekdayName(d)}
              </button>
            ))}
          </div>
          <div class="c-row">
            <label class="c-field c-inline">
              <span>{t("times.from")}</span>
              <input type="time" name={`start_${i}`} value={r.start} onInput={(e) => set(i, { ...r, start: e.currentTarget.value })} />
            </label>
            <label class="c-field c-inline">
              <span>{t("times.to")}</span>
              <input type="time" name={`end_${i}`} value={r.end} onInput={(e) => set(i, { ...r, end: e.currentTarget.value })} />
            </label>
            <button type="button" class="c-btn c-small c-plain" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              {t("times.remove")}
            </button>
          </div>
          {check.errors[i] && (
            <p class="c-error c-small-text" role="alert">
              {t(check.errors[i])}
            </p>
          )}
        </div>
      ))}
      <div class="c-row">
        <button
          type="button"
          class="c-btn c-small"
          disabled={rows.length >= MAX_TIME_ROWS}
          onClick={() => onChange([...rows, { weekdays: [], start: "09:00", end: "11:00" }])}
          data-testid="add-time"
        >
          {t("times.add")}
        </button>
        <small class="c-muted">{t("times.everyHint")}</small>
      </div>
      {check.tooMany && <p class="c-error">{t("times.tooMany", { n: MAX_TIME_ROWS })}</p>}
    </div>
  );
}
