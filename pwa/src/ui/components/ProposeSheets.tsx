// The officer's proposals about a borrower (issue 14): "the house is here" with a GPS fix,
// and preferred visiting times / safety flags. Queued through the outbox; the branch decides.
import { useEffect, useState } from "preact/hooks";
import { proposeBorrower, type GeoPoint } from "../../data";
import { t } from "../../i18n";
import { getLocation } from "../../platform/geo";
import { MAX_TIME_ROWS, SAFETY_CODES, WEEKDAYS, checkTimeRows, rowsFrom, toggleWeekday, weekdayName, type PreferredTime, type TimeRow } from "../borrowerFacts";
import { saveError } from "../labels";
import { toast } from "../toast";
import { ChipMulti } from "./Chips";
import { Sheet } from "./Sheet";

/** The server takes a fix of at most this many metres at once for an unlocated borrower. */
export const GOOD_FIX_M = 100;

export function HouseHereSheet({ borrowerId, visitId, onClose }: { borrowerId: string; visitId: string | null; onClose: () => void }) {
  const [fix, setFix] = useState<GeoPoint | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const locate = () => {
    setFix(undefined);
    void getLocation().then(setFix);
  };
  useEffect(locate, []);
  const send = async () => {
    if (!fix) return;
    setBusy(true);
    try {
      await proposeBorrower(borrowerId, visitId, { kind: "location", location: fix });
      toast(t("propose.saved"), 6_000);
      onClose();
    } catch (err) {
      toast(saveError(err), 8_000);
      setBusy(false);
    }
  };
  const weak = !!fix && (fix.accuracy_m === null || fix.accuracy_m > GOOD_FIX_M);
  return (
    <Sheet onClose={onClose} label={t("borrower.houseHere")}>
      <h2>{t("borrower.houseHere")}</h2>
      <p class="small muted">{t("propose.hereHint")}</p>
      <p class="small" data-testid="house-fix" role="status">
        {fix === undefined ? t("propose.locating") : fix ? t("propose.accuracy", { m: fix.accuracy_m ?? "?" }) : t("propose.noFix")}
      </p>
      {weak && <p class="warning small">{t("propose.weak")}</p>}
      <div class="btn-row">
        {fix === null ? (
          <button type="button" class="btn" onClick={locate}>
            {t("propose.retry")}
          </button>
        ) : (
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
        )}
        <button type="button" class="btn primary" disabled={!fix || busy} onClick={() => void send()} data-testid="house-send">
          {t("propose.send")}
        </button>
      </div>
    </Sheet>
  );
}

function sameTimes(a: readonly PreferredTime[], b: readonly PreferredTime[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function PhoneTimeRow({ row, onChange, onRemove, error }: { row: TimeRow; onChange: (r: TimeRow) => void; onRemove: () => void; error: string | null }) {
  return (
    <div class="time-row" data-testid="phone-time-row">
      <div class="chips" role="group">
        {WEEKDAYS.map((d) => (
          <button key={d} type="button" class="chip day" aria-pressed={row.weekdays.includes(d)} onClick={() => onChange(toggleWeekday(row, d))}>
            {weekdayName(d)}
          </button>
        ))}
      </div>
      <div class="row">
        <input type="time" aria-label={t("times.from")} value={row.start} onInput={(e) => onChange({ ...row, start: e.currentTarget.value })} />
        <span>–</span>
        <input type="time" aria-label={t("times.to")} value={row.end} onInput={(e) => onChange({ ...row, end: e.currentTarget.value })} />
        <button type="button" class="btn plain small" onClick={onRemove}>
          {t("times.remove")}
        </button>
      </div>
      {error && <p class="warning small">{error}</p>}
    </div>
  );
}

export function ProposeFactsSheet({
  borrowerId,
  visitId,
  times,
  flags,
  onClose,
}: {
  borrowerId: string;
  visitId: string | null;
  times: readonly PreferredTime[];
  flags: readonly string[];
  onClose: () => void;
}) {
  const initial = checkTimeRows(rowsFrom(times)).value ?? [];
  const [rows, setRows] = useState<TimeRow[]>(() => rowsFrom(times));
  const [chosen, setChosen] = useState<string[]>([...flags]);
  const [busy, setBusy] = useState(false);
  const check = checkTimeRows(rows);
  const timesChanged = !!check.value && !sameTimes(check.value, initial);
  const flagsChanged = [...chosen].sort().join() !== [...flags].sort().join();
  const send = async () => {
    if (!check.value) return;
    setBusy(true);
    try {
      if (timesChanged) await proposeBorrower(borrowerId, visitId, { kind: "preferred_times", preferred_times: check.value });
      if (flagsChanged) await proposeBorrower(borrowerId, visitId, { kind: "safety_flags", safety_flags: chosen });
      toast(t("propose.saved"), 6_000);
      onClose();
    } catch (err) {
      toast(saveError(err), 8_000);
      setBusy(false);
    }
  };
  return (
    <Sheet onClose={onClose} label={t("borrower.suggest")}>
      <h2>{t("propose.timesTitle")}</h2>
      <p class="small muted">{t("times.everyHint")}</p>
      {rows.map((r, i) => {
        const err = check.errors[i];
        return (
          <PhoneTimeRow
            key={i}
            row={r}
            error={err ? t(err) : null}
            onChange={(next) => setRows(rows.map((x, j) => (j === i ? next : x)))}
            onRemove={() => setRows(rows.filter((_, j) => j !== i))}
          />
        );
      })}
      <button type="button" class="btn small" disabled={rows.length >= MAX_TIME_ROWS} onClick={() => setRows([...rows, { weekdays: [], start: "09:00", end: "11:00" }])}>
        {t("times.add")}
      </button>
      <h2>{t("propose.flagsTitle")}</h2>
      <ChipMulti name={t("propose.flagsTitle")} values={chosen} onChange={setChosen} options={SAFETY_CODES.map((c) => ({ value: c, label: t(`safety.${c}`) }))} />
      {!timesChanged && !flagsChanged && <p class="small muted">{t("propose.nothing")}</p>}
      <div class="btn-row">
        <button type="button" class="btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button type="button" class="btn primary" disabled={busy || !check.value || (!timesChanged && !flagsChanged)} onClick={() => void send()} data-testid="facts-send">
          {t("propose.send2")}
        </button>
      </div>
    </Sheet>
  );
}
