// The day live: every route with each visit's status, check-in times and places, alerts
// (SOS in red, overdue check-outs, flagged visits), polled so it updates without a reload.
import { useMemo, useState } from "preact/hooks";
import { DEFAULT_TZ, todayIn } from "../../domain/time";
import { formatDate, formatDateTime, formatTime, joinList, t, tMaybe } from "../../i18n";
import { toast } from "../../ui/toast";
import { consoleApi } from "../api";
import { colourFor, routeColours } from "../colours";
import { RouteMap } from "../components/RouteMap";
import type { MapModel, MapPoint } from "../components/mapModel";
import { distanceM } from "../format";
import { useAction, useBranch, useHas, usePoll } from "../hooks";
import { replaceParams } from "../router";
import type { DayAlert, DayVisit, DayView, OutNow, SafetyAlert } from "../types";
import { km } from "./plan/plan";

interface AlertItem {
  id: string;
  kind: "sos" | "overdue_checkout" | "flagged";
  officer: string;
  borrower: string | null;
  at: string | null;
  lat: number | null;
  lon: number | null;
  message: string;
  acknowledged: boolean;
  /** Server alerts can be acknowledged; flagged visits are reviewed under Review. */
  serverAlert: boolean;
}

interface Live {
  day: DayView;
  safety: SafetyAlert[] | null;
  outNow: OutNow[] | null;
}

function flagText(code: string): string {
  return tMaybe(`console.flag.${code}`) ?? code;
}

function mergeAlerts(live: Live, dayStart: string): AlertItem[] {
  const byVisit = new Map<string, DayVisit>();
  for (const r of live.day.routes) for (const v of r.visits) byVisit.set(v.id, v);
  const fromDay = (a: DayAlert): AlertItem => ({
    id: a.id,
    kind: a.kind === "sos" ? "sos" : "overdue_checkout",
    officer: a.officer_name,
    borrower: a.visit_id ? (byVisit.get(a.visit_id)?.borrower_name ?? null) : null,
    at: a.at,
    lat: a.lat,
    lon: a.lon,
    message: a.message,
    acknowledged: a.acknowledged,
    serverAlert: true,
  });
  const items = new Map<string, AlertItem>();
  for (const a of live.day.alerts) items.set(a.id, fromDay(a));
  // The safety list is richer (borrower, acknowledged): unacknowledged ones from any day,
  // acknowledged ones from the day shown.
  for (const a of live.safety ?? []) {
    if (a.acknowledged_at && a.at < dayStart && !items.has(a.id)) continue;
    items.set(a.id, {
      id: a.id,
      kind: a.kind === "sos" ? "sos" : "overdue_checkout",
      officer: a.officer_name,
      borrower: a.borrower_name,
      at: a.at,
      lat: a.lat,
      lon: a.lon,
      message: a.message,
      acknowledged: a.acknowledged_at !== null,
      serverAlert: true,
    });
  }
  // Overdue check-outs the server has not turned into alerts yet, and flagged visits.
  for (const r of live.day.routes) {
    for (const v of r.visits) {
      if (v.overdue_checkout && ![...items.values()].some((a) => a.kind === "overdue_checkout" && a.borrower === v.borrower_name && !a.acknowledged)) {
        items.set(`overdue-${v.id}`, {
          id: `overdue-${v.id}`,
          kind: "overdue_checkout",
          officer: joinList(r.officer_names),
          borrower: v.borrower_name,
          at: v.checked_in_at,
          lat: v.check_in_location?.lat ?? null,
          lon: v.check_in_location?.lon ?? null,
          message: "",
          acknowledged: false,
          serverAlert: false,
        });
      }
      if (v.flags.length) {
        items.set(`flag-${v.id}`, {
          id: `flag-${v.id}`,
          kind: "flagged",
          officer: joinList(r.officer_names),
          borrower: v.borrower_name,
          at: v.checked_in_at ?? v.checked_out_at,
          lat: null,
          lon: null,
          message: joinList(v.flags.map(flagText)),
          acknowledged: false,
          serverAlert: false,
        });
      }
    }
  }
  const rank = (a: AlertItem) => (a.acknowledged ? 10 : 0) + (a.kind === "sos" ? 0 : a.kind === "overdue_checkout" ? 1 : 2);
  return [...items.values()].sort((a, b) => rank(a) - rank(b) || (b.at ?? "").localeCompare(a.at ?? ""));
}

function Alerts({ alerts, tz, canAck, onAck }: { alerts: AlertItem[]; tz: string; canAck: boolean; onAck: (id: string) => void }) {
  if (!alerts.length) return <p class="c-muted" data-testid="no-alerts">{t("console.today.noAlerts")}</p>;
  return (
    <ul class="c-alerts" data-testid="alerts">
      {alerts.map((a) => (
        <li
          key={a.id}
          class={`c-alert ${a.kind}${a.acknowledged ? " acked" : ""}`}
          role={a.kind === "sos" && !a.acknowledged ? "alert" : undefined}
          data-testid="alert"
          data-kind={a.kind}
          data-acknowledged={a.acknowledged ? "1" : "0"}
        >
          <span class="c-alert-kind">{t(`console.alert.${a.kind}`)}</span>
          <span class="c-alert-main">
            <strong>{a.officer}</strong>
            {a.borrower && <span> · {a.borrower}</span>}
            {a.at && <span class="c-muted"> · {formatTime(a.at, tz)}</span>}
            {a.message && <span class="c-alert-msg">“{a.message}”</span>}
            {a.lat !== null && a.lon !== null && (
              <span class="c-muted c-small-text">
                {" "}
                {t("console.today.at", { lat: a.lat.toFixed(5), lon: a.lon.toFixed(5) })}
              </span>
            )}
          </span>
          {a.acknowledged ? (
            <span class="c-muted">{t("console.today.acknowledged")}</span>
          ) : a.serverAlert && canAck ? (
            <button type="button" class="c-btn c-small" onClick={() => onAck(a.id)} data-testid="ack">
              {t("console.today.acknowledge")}
            </button>
          ) : a.kind === "flagged" ? (
            <a class="c-btn c-small" href="#/review">
              {t("console.nav.review")}
            </a>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function CheckIn({ v, tz }: { v: DayVisit; tz: string }) {
  if (!v.checked_in_at) return <span class="c-muted">—</span>;
  const loc = v.check_in_location;
  const away = loc && v.lat !== null && v.lon !== null ? distanceM(loc, { lat: v.lat, lon: v.lon }) : null;
  return (
    <span>
      {formatTime(v.checked_in_at, tz)}
      {loc ? (
        <span class={`c-muted c-small-text${away !== null && away > 500 ? " c-warn-text" : ""}`} title={`${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}`}>
          {" "}
          {away !== null ? t("console.today.fromAddress", { m: away }) : `${loc.lat.toFixed(4)}, ${loc.lon.toFixed(4)}`}
        </span>
      ) : (
        <span class="c-muted c-small-text"> {t("console.today.noPlace")}</span>
      )}
    </span>
  );
}

export function TodayScreen({ params }: { params: URLSearchParams }) {
  const branch = useBranch();
  const tz = branch?.timezone ?? DEFAULT_TZ;
  const [date, setDate] = useState<string>(() => params.get("date") ?? "");
  const hasSafety = useHas("GET", "/safety/alerts");
  const canAck = useHas("POST", "/safety/alerts/{alert_id}/acknowledge") ?? false;
  const hasOutNow = useHas("GET", "/safety/out-now");
  const live = usePoll<Live>(
    async () => {
      const [day, safety, outNow] = await Promise.all([
        consoleApi.day(date || undefined),
        hasSafety ? consoleApi.safetyAlerts().catch(() => null) : Promise.resolve(null),
        hasOutNow ? consoleApi.outNow().catch(() => null) : Promise.resolve(null),
      ]);
      return { day, safety, outNow };
    },
    [date, hasSafety, hasOutNow],
  );
  const action = useAction();
  const shown = live.data?.day.date ?? (date || todayIn(tz));
  const isToday = shown === todayIn(tz);

  const alerts = useMemo(() => (live.data ? mergeAlerts(live.data, `${shown}T00:00:00`) : []), [live.data, shown]);
  const colours = useMemo(() => routeColours((live.data?.day.routes ?? []).map((r) => r.officer_ids)), [live.data]);

  const model: MapModel | null = useMemo(() => {
    const d = live.data?.day;
    if (!d) return null;
    const points: MapPoint[] = alerts
      .filter((a) => a.lat !== null && a.lon !== null && !a.acknowledged && a.kind !== "flagged")
      .map((a) => ({ id: a.id, lat: a.lat as number, lon: a.lon as number, title: `${t(`console.alert.${a.kind}`)} · ${a.officer}`, kind: a.kind === "sos" ? "sos" : "overdue_checkout" }));
    for (const r of d.routes)
      for (const v of r.visits)
        if (v.check_in_location) points.push({ id: `ci-${v.id}`, lat: v.check_in_location.lat, lon: v.check_in_location.lon, title: `${t("console.today.checkIn")} · ${v.borrower_name}`, kind: "checkin" });
    return {
      branch: d.branch,
      routes: d.routes.map((r) => ({
        key: r.officer_ids.join("+"),
        colour: colourFor(colours, r.officer_ids),
        name: joinList(r.officer_names),
        stops: r.visits
          .filter((v) => v.lat !== null && v.lon !== null)
          .map((v) => ({
            id: v.id,
            lat: v.lat as number,
            lon: v.lon as number,
            label: String(v.position ?? ""),
            title: `${v.position ?? ""}. ${v.borrower_name} · ${t(`status.${v.status}`)}`,
            status: v.status,
          })),
      })),
      points,
    };
  }, [live.data, alerts, colours]);

  const ack = async (id: string) => {
    const ok = await action.run(() => consoleApi.acknowledge(id));
    if (ok) {
      toast(t("console.today.acknowledgedToast"));
      await live.reload();
    }
  };

  const counts = live.data?.day.counts ?? {};
  const total = Object.values(counts).reduce((s, n) => s + (n ?? 0), 0);
  const openSos = alerts.filter((a) => a.kind === "sos" && !a.acknowledged).length;

  return (
    <div class="c-screen" data-testid="today-screen">
      <header class="c-head">
        <h1>
          {t("console.nav.today")} · {formatDate(shown, tz)}
        </h1>
        <label class="c-field c-inline">
          <span>{t("console.plan.date")}</span>
          <input
            type="date"
            name="day"
            value={shown}
            onChange={(e) => {
              setDate(e.currentTarget.value);
              replaceParams("today", { date: e.currentTarget.value });
            }}
          />
        </label>
        <span class="c-spacer" />
        <span class="c-live" data-testid="updated-at" data-generated-at={live.data?.day.generated_at ?? ""}>
          {isToday && <span class="c-live-dot" aria-hidden="true" />}
          {live.data ? t("console.today.updated", { time: formatTime(live.data.day.generated_at, tz) }) : t("common.loading")}
        </span>
        <button type="button" class="c-btn" onClick={() => void live.reload()} data-testid="refresh">
          {t("console.refresh")}
        </button>
      </header>
      {live.error && (
        <p class="c-error" role="alert">
          {live.error}
        </p>
      )}
      {openSos > 0 && (
        <p class="c-sos-banner" role="alert" data-testid="sos-banner">
          {t("console.today.sosBanner", { n: openSos })}
        </p>
      )}
      <div class="c-counts" data-testid="counts">
        {(["planned", "checked_in", "done", "skipped"] as const).map((s) => (
          <div key={s} class={`c-count-box ${s}`} data-status={s} data-count={counts[s] ?? 0}>
            <span class="c-count-n">{counts[s] ?? 0}</span>
            <span class="c-count-l">{t(`status.${s}`)}</span>
          </div>
        ))}
        <div class="c-count-box">
          <span class="c-count-n">{total}</span>
          <span class="c-count-l">{t("console.today.total")}</span>
        </div>
      </div>
      {action.error && (
        <p class="c-error" role="alert">
          {action.error}
        </p>
      )}
      <div class="c-today-grid">
        <section class="c-card" aria-labelledby="alerts-title">
          <h2 id="alerts-title">{t("console.today.alerts")}</h2>
          <Alerts alerts={alerts} tz={tz} canAck={canAck} onAck={(id) => void ack(id)} />
          {live.data?.outNow && live.data.outNow.length > 0 && (
            <>
              <h3>{t("console.today.outNow")}</h3>
              <ul class="c-out-now" data-testid="out-now">
                {live.data.outNow.map((o) => (
                  <li key={o.visit_id} class={o.overdue ? "c-warn-text" : ""}>
                    <strong>{o.officer_name}</strong> · {o.borrower_name} · {t("console.today.minutesOut", { n: o.minutes_out })}
                    {o.overdue && ` · ${t("console.alert.overdue_checkout")}`}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        <RouteMap model={model} height={420} testId="day-map" />
      </div>
      {live.data && live.data.day.routes.length === 0 && <p class="c-empty">{t("console.today.noVisits")}</p>}
      <div class="c-day-routes">
        {live.data?.day.routes.map((r) => {
          const colour = colourFor(colours, r.officer_ids);
          const done = r.visits.filter((v) => v.status === "done" || v.status === "skipped").length;
          return (
            <section key={r.officer_ids.join("+")} class="c-card c-route" style={{ borderLeftColor: colour }} data-testid="day-route">
              <div class="c-card-head">
                <h3>
                  <span class="c-swatch" style={{ background: colour }} aria-hidden="true" /> {joinList(r.officer_names)}
                </h3>
                <span class="c-muted">
                  {t("console.today.progress", { done, n: r.visits.length })}
                  {/* The published plan's figure, as the officer's phone shows it (none without a plan). */}
                  {r.distance_m !== null && r.distance_m !== undefined && (
                    <span data-testid="day-route-distance"> · {t("console.plan.distance", { km: km(r.distance_m) })}</span>
                  )}
                </span>
              </div>
              <div class="c-progress" aria-hidden="true">
                <span style={{ width: `${r.visits.length ? (100 * done) / r.visits.length : 0}%`, background: colour }} />
              </div>
              <table class="c-table c-compact">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">{t("console.plan.col.name")}</th>
                    <th scope="col">{t("console.plan.col.village")}</th>
                    <th scope="col">{t("console.today.window")}</th>
                    <th scope="col">{t("console.today.status")}</th>
                    <th scope="col">{t("console.today.checkIn")}</th>
                    <th scope="col">{t("console.today.checkOut")}</th>
                    <th scope="col">{t("console.today.notes")}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.visits.map((v) => (
                    <tr key={v.id} data-testid="day-visit" data-visit-id={v.id} data-status={v.status} class={v.overdue_checkout ? "c-row-warn" : ""}>
                      <td>{v.position ?? "–"}</td>
                      <td>
                        {v.borrower_name}
                        {v.safety_flags.length > 0 && (
                          <span class="flag" title={joinList(v.safety_flags.map((f) => tMaybe(`safety.${f}`) ?? f))}>
                            {" "}
                            ⚠<span class="sr-only">{t("safety.title")}</span>
                          </span>
                        )}
                      </td>
                      <td>{v.village}</td>
                      <td>{v.window_start && v.window_end ? `${formatTime(v.window_start, tz)}–${formatTime(v.window_end, tz)}` : "—"}</td>
                      <td>
                        <span class={`status ${v.status}`}>{t(`status.${v.status}`)}</span>
                      </td>
                      <td>
                        <CheckIn v={v} tz={tz} />
                      </td>
                      <td>{v.checked_out_at ? formatTime(v.checked_out_at, tz) : v.overdue_checkout ? <strong class="c-warn-text">{t("console.alert.overdue_checkout")}</strong> : "—"}</td>
                      <td class="c-small-text">{v.flags.length ? <span class="c-warn-text">{joinList(v.flags.map(flagText))}</span> : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          );
        })}
      </div>
      {live.data && <p class="c-muted c-small-text">{t("console.today.pollNote", { time: formatDateTime(live.data.day.generated_at, tz) })}</p>}
    </div>
  );
}
