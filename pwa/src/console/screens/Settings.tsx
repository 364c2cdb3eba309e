// Settings: language, the map's tile source (kept in this browser), the working day (branch and
// officers), the branch's priority rules.
import { useEffect, useState } from "preact/hooks";
import { saveLang, type Lang } from "../../data";
import { t, tMaybe } from "../../i18n";
import { toast } from "../../ui/toast";
import { consoleApi } from "../api";
import { useAction, useLoad } from "../hooks";
import { loadMapSettings, saveMapSettings, validTileUrl, type MapSettings } from "../settings";
import type { PrioritySettings, PriorityUpdate } from "../types";
import { WorkdaySettings } from "./WorkdaySettings";

const PRIORITY_FIELDS: readonly (keyof PrioritySettings)[] = [
  "min_dpd",
  "recent_visit_days",
  "m1_points",
  "m2_points",
  "m3_points",
  "m3plus_points",
  "dpd_points_per_day",
  "dpd_points_cap",
  "overdue_points_per_10k_cny",
  "overdue_points_cap",
  "broken_promise_points",
  "promise_lookback_days",
  "promise_not_kept_points",
  "broken_agreement_points",
  "missed_instalment_points",
  "no_contact_days",
  "no_contact_points_per_day",
  "no_contact_points_cap",
  "never_met_points",
];

function MapForm() {
  const [value, setValue] = useState<MapSettings>(loadMapSettings);
  const bad = value.tileUrl.trim() !== "" && !validTileUrl(value.tileUrl);
  return (
    <form
      class="c-card c-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (bad) return;
        saveMapSettings(value);
        toast(t("console.settings.saved"));
      }}
      data-testid="map-settings"
    >
      <h2>{t("console.settings.map")}</h2>
      <p class="c-muted c-small-text">{t("console.settings.mapHint")}</p>
      <label class="c-field">
        <span>{t("console.settings.tileUrl")}</span>
        <input name="tile_url" value={value.tileUrl} placeholder="https://…/{z}/{x}/{y}.png" onInput={(e) => setValue({ ...value, tileUrl: e.currentTarget.value })} />
      </label>
      {bad && <p class="c-error">{t("console.settings.badTileUrl")}</p>}
      <label class="c-field">
        <span>{t("console.settings.attribution")}</span>
        <input name="attribution" value={value.attribution} onInput={(e) => setValue({ ...value, attribution: e.currentTarget.value })} />
      </label>
      <label class="c-field">
        <span>{t("console.settings.crs")}</span>
        <select name="crs" value={value.crs} onChange={(e) => setValue({ ...value, crs: e.currentTarget.value === "gcj02" ? "gcj02" : "wgs84" })}>
          <option value="wgs84">{t("console.settings.crs.wgs84")}</option>
          <option value="gcj02">{t("console.settings.crs.gcj02")}</option>
        </select>
      </label>
      <div class="c-row">
        <button type="submit" class="c-btn c-primary" disabled={bad}>
          {t("console.save")}
        </button>
        <button
          type="button"
          class="c-btn c-plain"
          onClick={() => {
            const empty: MapSettings = { tileUrl: "", attribution: "", crs: "wgs84" };
            setValue(empty);
            saveMapSettings(empty);
            toast(t("console.settings.saved"));
          }}
        >
          {t("console.settings.noTiles")}
        </button>
      </div>
    </form>
  );
}

function PriorityForm() {
  const loaded = useLoad(() => consoleApi.priority(), []);
  const [values, setValues] = useState<Record<string, string>>({});
  const action = useAction();
  useEffect(() => {
    if (loaded.data) setValues(Object.fromEntries(Object.entries(loaded.data).map(([k, v]) => [k, String(v)])));
  }, [loaded.data]);
  const save = async (e: Event) => {
    e.preventDefault();
    const body: PriorityUpdate = {};
    // The form's keys are the ones the server sent: its settings' names.
    for (const [k, v] of Object.entries(values)) if (v.trim() !== "" && Number.isFinite(Number(v))) body[k as keyof PrioritySettings] = Number(v);
    const ok = await action.run(() => consoleApi.putPriority(body));
    if (ok) toast(t("console.settings.saved"));
  };
  const known: readonly string[] = PRIORITY_FIELDS;
  const fields = known.filter((f) => f in values).concat(Object.keys(values).filter((k) => !known.includes(k)));
  return (
    <form class="c-card c-form" onSubmit={save} data-testid="priority-settings">
      <h2>{t("console.settings.priority")}</h2>
      <p class="c-muted c-small-text">{t("console.settings.priorityHint")}</p>
      {loaded.error && <p class="c-error">{loaded.error}</p>}
      <div class="c-grid-fields">
        {fields.map((f) => (
          <label key={f} class="c-field">
            <span>{tMaybe(`console.priority.${f}`) ?? f}</span>
            <input type="number" step="any" min={0} name={f} value={values[f] ?? ""} onInput={(e) => setValues({ ...values, [f]: e.currentTarget.value })} />
          </label>
        ))}
      </div>
      {action.error && <p class="c-error" role="alert">{action.error}</p>}
      <button type="submit" class="c-btn c-primary" disabled={action.busy || !loaded.data}>
        {t("console.save")}
      </button>
    </form>
  );
}

export function SettingsScreen({ lang, onLang }: { lang: Lang; onLang: (lang: Lang) => void }) {
  const change = async (next: Lang) => {
    await saveLang(next);
    onLang(next);
  };
  return (
    <div class="c-screen" data-testid="settings-screen">
      <header class="c-head">
        <h1>{t("console.nav.settings")}</h1>
      </header>
      <div class="c-two">
        <div class="c-stack">
          <section class="c-card">
            <h2>{t("settings.language")}</h2>
            <div class="c-row" role="radiogroup" aria-label={t("settings.language")}>
              {(
                [
                  ["zh-CN", "中文"],
                  ["en", "English"],
                ] as const
              ).map(([code, name]) => (
                <button key={code} type="button" role="radio" class="c-chip" aria-checked={lang === code} aria-pressed={lang === code} onClick={() => void change(code)}>
                  {name}
                </button>
              ))}
            </div>
          </section>
          <MapForm />
          <WorkdaySettings />
        </div>
        <PriorityForm />
      </div>
    </div>
  );
}
