// One borrower: place the pin (drag, click, or an address search through GET /geocode) and
// save it with its precision; edit preferred visiting times and safety flags.
import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError } from "../../../data";
import { formatDateTime, t, tMaybe } from "../../../i18n";
import { PRECISIONS, SAFETY_CODES, checkTimeRows, provenance, rowsFrom, type TimeRow } from "../../../ui/borrowerFacts";
import { toast } from "../../../ui/toast";
import { consoleApi, errorMessage } from "../../api";
import { Dialog } from "../../components/Dialog";
import { PinMap } from "../../components/PinMap";
import type { PinMapModel } from "../../components/pinMap";
import { useAction, useLoad } from "../../hooks";
import type { BorrowerItem, GeocodeResult, LocationPrecision } from "../../types";
import { LocationBadge } from "./LocationBadge";
import { TimesEditor } from "./TimesEditor";

type Centre = { lat: number; lon: number };

function GeocodeBox({ initial, onPick }: { initial: string; onPick: (r: GeocodeResult) => void }) {
  const [address, setAddress] = useState(initial);
  const [results, setResults] = useState<GeocodeResult[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const search = async (e: Event) => {
    e.preventDefault();
    if (!address.trim()) return;
    setBusy(true);
    setError(null);
    try {
      setResults((await consoleApi.geocode(address.trim().slice(0, 200))).results);
    } catch (err) {
      setResults(null);
      // 503: no geocoder configured or it is unreachable; the pin still works.
      setError(err instanceof ApiError && err.status === 503 ? `${t("console.borrowers.geocodeUnavailable")} ${err.detail}`.trim() : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="c-stack c-geocode" onSubmit={search} data-testid="geocode">
      <div class="c-row">
        <input class="c-grow" name="address" value={address} maxLength={200} onInput={(e) => setAddress(e.currentTarget.value)} aria-label={t("console.borrowers.geocode")} />
        <button type="submit" class="c-btn" disabled={busy || !address.trim()}>
          {t("console.borrowers.geocode")}
        </button>
      </div>
      {error && (
        <p class="c-error" role="alert" data-testid="geocode-error">
          {error}
        </p>
      )}
      {results && results.length === 0 && <p class="c-warn-text">{t("console.borrowers.geocodeNone")}</p>}
      {results && results.length > 0 && (
        <ul class="c-geocode-results">
          {results.map((r, i) => (
            <li key={i} data-testid="geocode-result">
              <span>
                {r.formatted} <span class="c-chip-status">{t(`loc.precision.${r.precision}`)}</span>{" "}
                <small class="c-muted">{r.provider}</small>
              </span>
              <button type="button" class="c-btn c-small" onClick={() => onPick(r)}>
                {t("console.borrowers.pick")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

function LocationEditor({ b, centre, tz, onSaved }: { b: BorrowerItem; centre: Centre; tz: string; onSaved: (b: BorrowerItem) => void }) {
  const [pin, setPin] = useState<Centre | null>(b.lat !== null && b.lon !== null ? { lat: b.lat, lon: b.lon } : null);
  const [precision, setPrecision] = useState<LocationPrecision>(b.location_precision ?? "exact");
  const action = useAction();
  const model = useMemo<PinMapModel>(
    () => ({ points: pin ? [{ ...pin, title: b.name, kind: "pin" }] : [], centre: pin ?? centre, editable: true }),
    [pin, centre, b.name],
  );
  const save = async () => {
    if (!pin) return;
    const saved = await action.run(() => consoleApi.putLocation(b.id, { lat: round6(pin.lat), lon: round6(pin.lon), precision }));
    if (saved) {
      toast(t("console.borrowers.locationSaved"));
      onSaved(saved);
    }
  };
  const p = provenance(b);
  return (
    <section class="c-stack" data-testid="location-editor">
      <h3>{t("console.borrowers.location")}</h3>
      <p class="c-row">
        <LocationBadge b={b} />
        {p.located && b.located_at && <small class="c-muted">{t("console.borrowers.locatedAt", { time: formatDateTime(b.located_at, tz) })}</small>}
      </p>
      <p class="c-muted c-small-text">{pin ? t("console.borrowers.dragHint") : t("console.borrowers.noPin")}</p>
      <GeocodeBox
        initial={b.address.includes(b.village) ? b.address : [b.village, b.address].filter(Boolean).join(" ")}
        onPick={(r) => {
          setPin({ lat: r.lat, lon: r.lon });
          setPrecision(r.precision);
        }}
      />
      <PinMap model={model} onMove={(lat, lon) => setPin({ lat, lon })} height={300} />
      <div class="c-row">
        {pin && (
          <small class="c-muted c-mono" data-testid="pin-coords">
            {t("console.borrowers.latlon", { lat: pin.lat.toFixed(6), lon: pin.lon.toFixed(6) })}
          </small>
        )}
        <span class="c-spacer" />
        <label class="c-field c-inline">
          <span>{t("console.borrowers.precision")}</span>
          <select name="precision" value={precision} onChange={(e) => setPrecision(e.currentTarget.value as LocationPrecision)}>
            {PRECISIONS.map((x) => (
              <option key={x} value={x}>
                {t(`loc.precision.${x}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="c-btn c-primary" disabled={!pin || action.busy} onClick={() => void save()} data-testid="save-location">
          {t("console.borrowers.saveLocation")}
        </button>
      </div>
      {action.error && (
        <p class="c-error" role="alert">
          {action.error}
        </p>
      )}
    </section>
  );
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function FactsEditor({ b, onSaved }: { b: BorrowerItem; onSaved: (b: BorrowerItem) => void }) {
  const [rows, setRows] = useState<TimeRow[]>(() => rowsFrom(b.preferred_times));
  const [flags, setFlags] = useState<string[]>(b.safety_flags);
  const action = useAction();
  const check = checkTimeRows(rows);
  const save = async () => {
    if (!check.value) return;
    const body = { preferred_times: check.value, safety_flags: flags };
    const saved = await action.run(() => consoleApi.patchBorrower(b.id, body));
    if (saved) {
      toast(t("console.borrowers.factsSaved"));
      onSaved(saved);
    }
  };
  const known: readonly string[] = SAFETY_CODES;
  const codes = [...SAFETY_CODES, ...flags.filter((f) => !known.includes(f))];
  return (
    <section class="c-stack" data-testid="facts-editor">
      <h3>{t("console.borrowers.times")}</h3>
      <TimesEditor rows={rows} onChange={setRows} />
      <h3>{t("console.borrowers.flags")}</h3>
      <div class="c-row">
        {codes.map((f) => (
          <label key={f} class="c-check-line">
            <input
              type="checkbox"
              name="safety_flags"
              value={f}
              checked={flags.includes(f)}
              onChange={(e) => setFlags(e.currentTarget.checked ? [...flags, f] : flags.filter((x) => x !== f))}
            />
            {tMaybe(`safety.${f}`) ?? f}
          </label>
        ))}
      </div>
      {action.error && (
        <p class="c-error" role="alert">
          {action.error}
        </p>
      )}
      <div class="c-row">
        <button type="button" class="c-btn c-primary" disabled={!check.value || action.busy} onClick={() => void save()} data-testid="save-facts">
          {t("console.borrowers.saveFacts")}
        </button>
      </div>
    </section>
  );
}

export function BorrowerPanel({ id, centre, tz, onClose, onChanged }: { id: string; centre: Centre; tz: string; onClose: () => void; onChanged: () => void }) {
  const loaded = useLoad(() => consoleApi.borrower(id), [id]);
  const [b, setB] = useState<BorrowerItem | undefined>(undefined);
  useEffect(() => setB(loaded.data), [loaded.data]);
  const saved = (next: BorrowerItem) => {
    setB(next);
    onChanged();
  };
  return (
    <Dialog title={b?.name ?? t("console.nav.borrowers")} onClose={onClose} wide testId="borrower-panel">
      {loaded.error && (
        <p class="c-error" role="alert">
          {loaded.error}
        </p>
      )}
      {b && (
        <div class="c-stack">
          <p class="c-muted">
            {b.village} · {b.address}
          </p>
          <div class="c-two c-panel-grid">
            <LocationEditor key={`loc-${b.id}`} b={b} centre={centre} tz={tz} onSaved={saved} />
            <FactsEditor key={`facts-${b.id}`} b={b} onSaved={saved} />
          </div>
        </div>
      )}
    </Dialog>
  );
}
