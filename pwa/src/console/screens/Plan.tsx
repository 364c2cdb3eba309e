// Targets and plan: the candidate list (scores and reasons), a plan for a date with teams,
// the optimised routes on the map and as lists, moving or pinning a visit, re-optimising,
// publishing, and what was left out and why.
import { useEffect, useMemo, useState } from "preact/hooks";
import { DEFAULT_TZ, addDays, todayIn } from "../../domain/time";
import { formatDate, formatMoney, formatTime, getLang, t, tMaybe } from "../../i18n";
import { toast } from "../../ui/toast";
import { consoleApi } from "../api";
import { colourFor, routeColours } from "../colours";
import { DataTable, type Column } from "../components/DataTable";
import { ConfirmDialog, Dialog } from "../components/Dialog";
import { RouteMap } from "../components/RouteMap";
import type { MapModel } from "../components/mapModel";
import { formatDuration, yuanToFen } from "../format";
import { useAction, useBranch, useLoad, useUsers } from "../hooks";
import { replaceParams } from "../router";
import type { Candidate, CandidateFilters, DayVisit, PlanPublic, Reason, RouteSummary, UserPublic, VisitPublic } from "../types";

const PAGE = 100;

export function reasonText(r: { text: string; text_zh: string }): string {
  return getLang() === "en" ? r.text : r.text_zh || r.text;
}

function ReasonList({ reasons }: { reasons: Reason[] }) {
  return (
    <ul class="c-reasons">
      {reasons.map((r) => (
        <li key={r.code} data-code={r.code}>
          {reasonText(r)}
          {r.points !== undefined && <span class="c-points"> +{r.points}</span>}
        </li>
      ))}
    </ul>
  );
}

function names(ids: readonly string[], users: readonly UserPublic[] | undefined): string {
  return ids.map((id) => users?.find((u) => u.id === id)?.full_name ?? id.slice(0, 8)).join(" + ");
}

// ---- Candidates ------------------------------------------------------------------------------

interface FilterForm {
  bucket: string;
  segment: string;
  village: string;
  minYuan: string;
  maxYuan: string;
  officer: string;
}

const EMPTY_FILTERS: FilterForm = { bucket: "", segment: "", village: "", minYuan: "", maxYuan: "", officer: "" };

function toFilters(f: FilterForm, offset: number): CandidateFilters | null {
  const min = yuanToFen(f.minYuan);
  const max = yuanToFen(f.maxYuan);
  if (min === undefined || max === undefined) return null;
  return {
    bucket: f.bucket || undefined,
    segment: f.segment || undefined,
    village: f.village.trim() || undefined,
    min_overdue_fen: min,
    max_overdue_fen: max,
    officer_id: f.officer || undefined,
    limit: PAGE,
    offset,
  };
}

function Candidates({
  officers,
  selected,
  setSelected,
}: {
  officers: UserPublic[];
  selected: Map<string, Candidate>;
  setSelected: (next: Map<string, Candidate>) => void;
}) {
  const [form, setForm] = useState<FilterForm>(EMPTY_FILTERS);
  const [applied, setApplied] = useState<FilterForm>(EMPTY_FILTERS);
  const [offset, setOffset] = useState(0);
  const filters = toFilters(applied, offset);
  const page = useLoad(() => (filters ? consoleApi.candidates(filters) : Promise.reject(new Error("filters"))), [JSON.stringify(filters)]);
  const badAmount = yuanToFen(form.minYuan) === undefined || yuanToFen(form.maxYuan) === undefined;
  const items = page.data?.items ?? [];

  const set = (patch: Partial<FilterForm>, apply = false) => {
    const next = { ...form, ...patch };
    setForm(next);
    if (apply) {
      setApplied(next);
      setOffset(0);
    }
  };

  const columns: Column<Candidate>[] = [
    { key: "name", label: t("console.plan.col.name"), value: (c) => c.name, render: (c) => <span title={c.address}>{c.name}</span> },
    { key: "village", label: t("console.plan.col.village"), value: (c) => c.village },
    { key: "segment", label: t("console.plan.col.segment"), value: (c) => tMaybe(`segment.${c.segment}`) ?? c.segment },
    { key: "bucket", label: t("console.plan.col.bucket"), value: (c) => c.bucket, render: (c) => <span class="bucket">{c.bucket}</span> },
    { key: "dpd", label: t("console.plan.col.dpd"), value: (c) => c.dpd, numeric: true },
    { key: "overdue", label: t("console.plan.col.overdue"), value: (c) => c.overdue_fen / 100, render: (c) => <span class="money">{formatMoney(c.overdue_fen)}</span>, numeric: true },
    { key: "score", label: t("console.plan.col.score"), value: (c) => c.score, numeric: true, render: (c) => <strong data-testid="score">{c.score}</strong> },
    {
      key: "reasons",
      label: t("console.plan.col.reasons"),
      value: (c) => c.reasons.map((r) => `${reasonText(r)} (+${r.points ?? 0})`).join("; "),
      render: (c) => <ReasonList reasons={c.reasons} />,
      sortable: false,
    },
    { key: "last_visit", label: t("console.plan.col.lastVisit"), value: (c) => c.last_visit_on ?? "", render: (c) => (c.last_visit_on ? formatDate(c.last_visit_on) : "—") },
    { key: "last_contact", label: t("console.plan.col.lastContact"), value: (c) => c.last_contact_on ?? "", render: (c) => (c.last_contact_on ? formatDate(c.last_contact_on) : "—") },
  ];

  const selection = {
    selected: new Set(selected.keys()),
    toggle: (key: string, on: boolean) => {
      const next = new Map(selected);
      const c = items.find((i) => i.borrower_id === key);
      if (on && c) next.set(key, c);
      else next.delete(key);
      setSelected(next);
    },
    toggleAll: (keys: string[], on: boolean) => {
      const next = new Map(selected);
      for (const key of keys) {
        const c = items.find((i) => i.borrower_id === key);
        if (on && c) next.set(key, c);
        else next.delete(key);
      }
      setSelected(next);
    },
  };

  return (
    <section class="c-card" aria-labelledby="cand-title">
      <div class="c-card-head">
        <h2 id="cand-title">{t("console.plan.candidates")}</h2>
        {page.data && <span class="c-muted">{t("console.plan.total", { n: page.data.total })}</span>}
      </div>
      <form
        class="c-filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (!badAmount) {
            setApplied(form);
            setOffset(0);
          }
        }}
        data-testid="candidate-filters"
      >
        <label class="c-field">
          <span>{t("console.plan.col.bucket")}</span>
          <select name="bucket" value={form.bucket} onChange={(e) => set({ bucket: e.currentTarget.value }, true)}>
            <option value="">{t("console.all")}</option>
            {["M1", "M2", "M3", "M3+"].map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label class="c-field">
          <span>{t("console.plan.col.segment")}</span>
          <select name="segment" value={form.segment} onChange={(e) => set({ segment: e.currentTarget.value }, true)}>
            <option value="">{t("console.all")}</option>
            {["farmer", "small_business", "individual_trader"].map((s) => (
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
        <button
          type="button"
          class="c-btn c-plain"
          onClick={() => {
            setForm(EMPTY_FILTERS);
            setApplied(EMPTY_FILTERS);
            setOffset(0);
          }}
        >
          {t("console.plan.clearFilters")}
        </button>
        {badAmount && <span class="c-error">{t("console.plan.badAmount")}</span>}
      </form>
      {page.error && <p class="c-error" role="alert">{page.error}</p>}
      <DataTable
        rows={items}
        columns={columns}
        rowKey={(c) => c.borrower_id}
        filename={`candidates-${new Date().toISOString().slice(0, 10)}`}
        testId="candidates"
        selection={selection}
        rowAttrs={(c) => ({ "data-testid": "candidate", "data-borrower-id": c.borrower_id })}
        caption={t("console.plan.candidates")}
        empty={page.loading ? t("common.loading") : t("console.plan.noCandidates")}
      />
      {page.data && page.data.total > PAGE && (
        <div class="c-pager">
          <button type="button" class="c-btn" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            {t("console.prev")}
          </button>
          <span>
            {offset + 1}–{Math.min(offset + PAGE, page.data.total)} / {page.data.total}
          </span>
          <button type="button" class="c-btn" disabled={offset + PAGE >= page.data.total} onClick={() => setOffset(offset + PAGE)}>
            {t("console.next")}
          </button>
        </div>
      )}
    </section>
  );
}

// ---- New plan form -------------------------------------------------------------------------

function TeamBuilder({ officers, teams, setTeams }: { officers: UserPublic[]; teams: string[][]; setTeams: (t: string[][]) => void }) {
  const used = new Map<string, number>();
  teams.forEach((team, i) => team.forEach((id) => used.set(id, i)));
  const colours = routeColours(teams.filter((tm) => tm.length));
  return (
    <div class="c-teams" data-testid="teams">
      {teams.map((team, i) => (
        <fieldset key={i} class="c-team" data-testid="team" data-team={i + 1}>
          <legend>
            <span class="c-swatch" style={{ background: team.length ? colourFor(colours, team) : "#c9d2db" }} aria-hidden="true" />
            {t("console.plan.team", { n: i + 1 })}
            {team.length > 0 && <span class="c-muted"> · {t("console.plan.leadIs", { name: officers.find((o) => o.id === team[0])?.full_name ?? "" })}</span>}
          </legend>
          <div class="c-chips">
            {officers.map((o) => {
              const inTeam = team.includes(o.id);
              const elsewhere = used.has(o.id) && used.get(o.id) !== i;
              return (
                <button
                  type="button"
                  key={o.id}
                  class="c-chip"
                  aria-pressed={inTeam}
                  disabled={elsewhere}
                  data-username={o.username}
                  onClick={() => {
                    const next = teams.map((tm) => [...tm]);
                    next[i] = inTeam ? team.filter((id) => id !== o.id) : [...team, o.id];
                    setTeams(next);
                  }}
                >
                  {o.full_name}
                  {team[0] === o.id && <span class="c-lead">{t("console.plan.lead")}</span>}
                </button>
              );
            })}
          </div>
          {teams.length > 1 && (
            <button type="button" class="c-btn c-plain c-small" onClick={() => setTeams(teams.filter((_, j) => j !== i))}>
              {t("console.plan.removeTeam")}
            </button>
          )}
        </fieldset>
      ))}
      <button type="button" class="c-btn" onClick={() => setTeams([...teams, []])} data-testid="add-team">
        {t("console.plan.addTeam")}
      </button>
    </div>
  );
}

function NewPlan({
  date,
  officers,
  selected,
  onCreated,
}: {
  date: string;
  officers: UserPublic[];
  selected: Map<string, Candidate>;
  onCreated: (plan: PlanPublic) => void;
}) {
  const [teams, setTeams] = useState<string[][]>([[]]);
  const [auto, setAuto] = useState(false);
  const [limit, setLimit] = useState("20");
  const [seconds, setSeconds] = useState("");
  const action = useAction();
  const realTeams = teams.filter((tm) => tm.length > 0);
  const count = selected.size;
  const canCreate = realTeams.length > 0 && (count > 0 || auto) && !action.busy;

  const create = async () => {
    const time = Number(seconds);
    const plan = await action.run(() =>
      consoleApi.createPlan({
        plan_date: date,
        teams: realTeams,
        ...(count > 0 && !auto ? { borrower_ids: [...selected.keys()] } : { auto: true, limit: Math.max(1, Number(limit) || 20) }),
        ...(seconds && time > 0 ? { time_limit_s: Math.min(60, Math.max(0.1, time)) } : {}),
      }),
    );
    if (plan) onCreated(plan);
  };

  return (
    <section class="c-card" aria-labelledby="new-plan-title" data-testid="new-plan">
      <h2 id="new-plan-title">{t("console.plan.newPlan", { date: formatDate(date) })}</h2>
      <p class="c-muted">
        {count > 0 ? t("console.plan.selectedN", { n: count }) : t("console.plan.noneSelected")}
      </p>
      <label class="c-check-line">
        <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} name="auto" />
        {t("console.plan.auto")}
      </label>
      {auto && (
        <label class="c-field c-narrow">
          <span>{t("console.plan.autoLimit")}</span>
          <input type="number" min={1} max={1000} name="limit" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
        </label>
      )}
      <h3>{t("console.plan.teams")}</h3>
      <p class="c-muted c-small-text">{t("console.plan.teamsHint")}</p>
      <TeamBuilder officers={officers} teams={teams} setTeams={setTeams} />
      <label class="c-field c-narrow">
        <span>{t("console.plan.searchTime")}</span>
        <input type="number" min={0.1} max={60} step={0.1} name="time_limit_s" placeholder="5" value={seconds} onInput={(e) => setSeconds(e.currentTarget.value)} />
      </label>
      {action.error && (
        <p class="c-error" role="alert" data-testid="plan-error">
          {action.error}
        </p>
      )}
      <button type="button" class="c-btn c-primary" disabled={!canCreate} onClick={() => void create()} data-testid="create-plan">
        {action.busy ? t("console.plan.creating") : t("console.plan.create")}
      </button>
    </section>
  );
}

// ---- A plan: map, routes, left out ---------------------------------------------------------

interface RouteView {
  key: string;
  colour: string;
  summary: RouteSummary;
  name: string;
  visits: VisitPublic[];
}

/**
 * Routes as the visits now stand: a visit belongs to its team (moved visits show in their new
 * team at once, before the plan is optimised again), in route order; the figures per route
 * come from the plan's summary.
 */
export function buildRoutes(plan: PlanPublic, users: UserPublic[] | undefined): RouteView[] {
  const summaries = plan.summary.routes ?? [];
  const visits = (plan.visits ?? []).filter((v) => v.status !== "cancelled");
  const keyOf = (ids: readonly string[]) => ids.join("+");
  const teams: string[][] = summaries.map((r) => r.officer_ids);
  for (const v of visits) if (!teams.some((tm) => keyOf(tm) === keyOf(v.officer_ids))) teams.push(v.officer_ids);
  const colours = routeColours(teams);
  const order = new Map<string, number>();
  summaries.forEach((r) => r.visit_ids.forEach((id, i) => order.set(id, i)));
  return teams.map((team) => {
    const key = keyOf(team);
    const summary = summaries.find((r) => keyOf(r.officer_ids) === key) ?? { officer_ids: team, visit_ids: [], distance_m: 0, duration_s: 0 };
    const mine = visits
      .filter((v) => keyOf(v.officer_ids) === key)
      .sort((a, b) => (a.route_position ?? 1e9) - (b.route_position ?? 1e9) || (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
    return { key, colour: colourFor(colours, team), summary, name: names(team, users), visits: mine };
  });
}

function MoveDialog({
  visit,
  label,
  routes,
  onDone,
  onClose,
}: {
  visit: VisitPublic;
  label: string;
  routes: RouteView[];
  onDone: () => void;
  onClose: () => void;
}) {
  const current = visit.officer_ids.join("+");
  const [target, setTarget] = useState(current);
  const [pinned, setPinned] = useState(true);
  const action = useAction();
  const save = async () => {
    const route = routes.find((r) => r.key === target);
    if (!route) return;
    const ok = await action.run(() => consoleApi.assign(visit.id, route.summary.officer_ids, pinned));
    if (ok) {
      toast(t("console.plan.moved"));
      onDone();
    }
  };
  return (
    <Dialog title={t("console.plan.moveTitle", { name: label })} onClose={onClose} testId="move-dialog">
      <fieldset class="c-radio-list">
        <legend>{t("console.plan.moveTo")}</legend>
        {routes.map((r) => (
          <label key={r.key} class="c-check-line">
            <input type="radio" name="route" value={r.key} checked={target === r.key} onChange={() => setTarget(r.key)} data-route={r.key} />
            <span class="c-swatch" style={{ background: r.colour }} aria-hidden="true" />
            {r.name}
            {r.key === current && <span class="c-muted"> ({t("console.plan.current")})</span>}
          </label>
        ))}
      </fieldset>
      <label class="c-check-line">
        <input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.currentTarget.checked)} name="pinned" />
        {t("console.plan.pin")}
      </label>
      {action.error && <p class="c-error" role="alert">{action.error}</p>}
      <div class="c-dialog-actions">
        <button type="button" class="c-btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button type="button" class="c-btn c-primary" disabled={action.busy} onClick={() => void save()} data-confirm="yes">
          {t("console.plan.assign")}
        </button>
      </div>
    </Dialog>
  );
}

function PlanView({ plan, setPlan, tz }: { plan: PlanPublic; setPlan: (p: PlanPublic) => void; tz: string }) {
  const users = useUsers();
  const branch = useBranch();
  const lang = getLang();
  // Names and places of the plan's visits: the day view has them for that date.
  const day = useLoad(() => consoleApi.day(plan.plan_date), [plan.id, plan.version, plan.plan_date], true);
  const info = useMemo(() => {
    const m = new Map<string, DayVisit>();
    for (const r of day.data?.routes ?? []) for (const v of r.visits) m.set(v.id, v);
    return m;
  }, [day.data]);
  const routes = useMemo(() => buildRoutes(plan, users), [plan, users]);
  const [moving, setMoving] = useState<VisitPublic | null>(null);
  const [cancelling, setCancelling] = useState<VisitPublic | null>(null);
  const [confirmPublish, setConfirmPublish] = useState(false);
  const action = useAction();

  const reload = async () => {
    const fresh = await action.run(() => consoleApi.plan(plan.id));
    if (fresh) setPlan(fresh);
  };
  const optimise = async () => {
    const fresh = await action.run(() => consoleApi.optimise(plan.id));
    if (fresh) {
      setPlan(fresh);
      toast(t("console.plan.optimised"));
    }
  };
  const publish = async () => {
    const fresh = await action.run(() => consoleApi.publish(plan.id));
    setConfirmPublish(false);
    if (fresh) {
      setPlan(fresh);
      toast(t("console.plan.publishedToast"));
    }
  };

  const visitLabel = (v: VisitPublic) => info.get(v.id)?.borrower_name ?? v.borrower_id.slice(0, 8);

  const model: MapModel | null = useMemo(() => {
    const home = day.data?.branch ?? (branch ? { name: branch.name, lat: branch.lat, lon: branch.lon } : null);
    if (!home) return null;
    return {
      branch: { name: home.name, lat: home.lat, lon: home.lon },
      routes: routes.map((r) => ({
        key: r.key,
        colour: r.colour,
        name: r.name,
        stops: r.visits
          .map((v, i) => ({ v, i, d: info.get(v.id) }))
          .filter((x) => x.d && x.d.lat !== null && x.d.lon !== null)
          .map(({ v, i, d }) => ({
            id: v.id,
            lat: d?.lat as number,
            lon: d?.lon as number,
            label: String(v.route_position ?? i + 1),
            title: `${v.route_position ?? i + 1}. ${d?.borrower_name ?? ""} · ${d?.village ?? ""}${v.planned_arrival ? ` · ${formatTime(v.planned_arrival, tz)}` : ""}`,
            status: v.status,
            pinned: v.pinned,
          })),
      })),
    };
  }, [routes, info, day.data, branch, tz]);

  const s = plan.summary;
  const unassigned = s.unassigned ?? [];
  const unscheduled = s.unscheduled ?? [];
  const visitsById = new Map((plan.visits ?? []).map((v) => [v.id, v]));

  return (
    <div class="c-stack" data-testid="plan" data-plan-id={plan.id} data-status={plan.status}>
      <section class="c-card c-plan-head">
        <div>
          <h2>
            {t("console.plan.planFor", { date: formatDate(plan.plan_date, tz) })}{" "}
            <span class={`c-chip-status ${plan.status}`} data-testid="plan-status">
              {t(`console.plan.status.${plan.status}`)}
            </span>
          </h2>
          <p class="c-kpis">
            <span>{t("console.plan.visitsN", { n: s.visits ?? plan.visits?.length ?? 0 })}</span>
            <span>{t("console.plan.routesN", { n: routes.length })}</span>
            <span>{t("console.plan.distance", { km: ((s.distance_m ?? 0) / 1000).toFixed(1) })}</span>
            {s.saved_km !== undefined && <span data-testid="saved-km">{t("console.plan.saved", { km: s.saved_km.toFixed(1) })}</span>}
            {unassigned.length > 0 && <span class="c-warn-text">{t("console.plan.leftOutN", { n: unassigned.length })}</span>}
          </p>
        </div>
        <div class="c-actions">
          <button type="button" class="c-btn" disabled={action.busy} onClick={() => void optimise()} data-testid="optimise">
            {t("console.plan.optimise")}
          </button>
          <button
            type="button"
            class="c-btn c-primary"
            disabled={action.busy || plan.status === "published"}
            onClick={() => setConfirmPublish(true)}
            data-testid="publish"
          >
            {plan.status === "published" ? t("console.plan.isPublished") : t("console.plan.publish")}
          </button>
        </div>
      </section>
      {action.error && (
        <p class="c-error" role="alert">
          {action.error}
        </p>
      )}
      <div class="c-plan-grid">
        <RouteMap model={model} height={520} />
        <div class="c-routes" data-testid="routes">
          {routes.map((r) => (
            <section key={r.key} class="c-card c-route" style={{ borderLeftColor: r.colour }} data-testid="route" data-colour={r.colour} data-stops={r.visits.length}>
              <div class="c-card-head">
                <h3>
                  <span class="c-swatch" style={{ background: r.colour }} aria-hidden="true" /> {r.name}
                </h3>
              </div>
              <p class="c-kpis c-small-text">
                <span>{t("console.plan.stopsN", { n: r.visits.length })}</span>
                <span data-testid="route-distance">{t("console.plan.distance", { km: (r.summary.distance_m / 1000).toFixed(1) })}</span>
                <span>{t("console.plan.duration", { d: formatDuration(r.summary.duration_s, lang) })}</span>
                {r.summary.saved_km !== undefined && <span>{t("console.plan.saved", { km: r.summary.saved_km.toFixed(1) })}</span>}
              </p>
              <ol class="c-stops">
                {r.visits.map((v) => {
                  const d = info.get(v.id);
                  return (
                    <li key={v.id} data-testid="stop" data-visit-id={v.id} data-pinned={v.pinned ? "1" : "0"}>
                      <span class="c-stop-pos" style={{ background: r.colour }}>
                        {v.route_position ?? "–"}
                      </span>
                      <span class="c-stop-main">
                        <span>
                          <strong>{d?.borrower_name ?? "…"}</strong>
                          {v.pinned && <span class="c-pin">{t("console.plan.pinned")}</span>}
                        </span>
                        <span class="c-muted">
                          {d?.village}
                          {v.planned_arrival && ` · ${t("console.plan.arrive", { time: formatTime(v.planned_arrival, tz) })}`}
                          {v.window_start && v.window_end && ` · ${formatTime(v.window_start, tz)}–${formatTime(v.window_end, tz)}`}
                        </span>
                      </span>
                      <span class="c-stop-actions">
                        <button type="button" class="c-btn c-small" onClick={() => setMoving(v)} data-testid="move">
                          {t("console.plan.move")}
                        </button>
                        <button type="button" class="c-btn c-small c-plain" onClick={() => setCancelling(v)} data-testid="cancel-visit">
                          {t("console.plan.cancelVisit")}
                        </button>
                      </span>
                    </li>
                  );
                })}
              </ol>
            </section>
          ))}
        </div>
      </div>
      {(unassigned.length > 0 || unscheduled.length > 0) && (
        <section class="c-card" data-testid="left-out">
          <h2>{t("console.plan.leftOut")}</h2>
          <DataTable
            rows={[
              ...unassigned.map((u) => ({ id: `b-${u.borrower_id}`, name: u.name, score: u.score as number | null, why: reasonText(u), code: u.reason })),
              ...unscheduled.map((u) => {
                const v = visitsById.get(u.visit_id);
                return {
                  id: `v-${u.visit_id}`,
                  name: v ? visitLabel(v) : u.visit_id.slice(0, 8),
                  score: v?.priority ?? null,
                  why: tMaybe(`console.plan.unscheduled.${u.reason}`) ?? u.reason,
                  code: u.reason,
                };
              }),
            ]}
            columns={[
              { key: "name", label: t("console.plan.col.name"), value: (r) => r.name },
              { key: "score", label: t("console.plan.col.score"), value: (r) => r.score, numeric: true },
              { key: "why", label: t("console.plan.col.why"), value: (r) => r.why, wrap: true },
            ]}
            rowKey={(r) => r.id}
            rowAttrs={(r) => ({ "data-testid": "left-out-row", "data-code": r.code })}
            filename={`left-out-${plan.plan_date}`}
          />
        </section>
      )}
      {moving && (
        <MoveDialog
          visit={moving}
          label={visitLabel(moving)}
          routes={routes}
          onClose={() => setMoving(null)}
          onDone={() => {
            setMoving(null);
            void reload();
          }}
        />
      )}
      {cancelling && (
        <ConfirmDialog
          title={t("console.plan.cancelVisit")}
          text={t("console.plan.cancelConfirm", { name: visitLabel(cancelling) })}
          yes={t("console.plan.cancelVisit")}
          danger
          reason={{ label: t("console.reason"), required: true }}
          busy={action.busy}
          error={action.error}
          onNo={() => setCancelling(null)}
          onYes={(reason) =>
            void action.run(() => consoleApi.cancelVisit(cancelling.id, reason)).then((ok) => {
              if (ok) {
                setCancelling(null);
                void reload();
              }
            })
          }
        />
      )}
      {confirmPublish && (
        <ConfirmDialog
          title={t("console.plan.publish")}
          text={t("console.plan.publishConfirm", { date: formatDate(plan.plan_date, tz), n: routes.length })}
          yes={t("console.plan.publish")}
          busy={action.busy}
          error={action.error}
          onNo={() => setConfirmPublish(false)}
          onYes={() => void publish()}
        />
      )}
    </div>
  );
}

// ---- The screen ------------------------------------------------------------------------------

export function PlanScreen({ params }: { params: URLSearchParams }) {
  const branch = useBranch();
  const users = useUsers();
  const tz = branch?.timezone ?? DEFAULT_TZ;
  const [date, setDate] = useState(() => params.get("date") ?? addDays(todayIn(DEFAULT_TZ), 1));
  const [planId, setPlanId] = useState<string | null>(params.get("plan"));
  const [plan, setPlan] = useState<PlanPublic | null>(null);
  const [tab, setTab] = useState<"targets" | "plan">(params.get("plan") ? "plan" : "targets");
  const [selected, setSelected] = useState<Map<string, Candidate>>(new Map());
  const plans = useLoad(() => consoleApi.plans(date), [date]);
  const officers = (users ?? []).filter((u) => u.role === "officer");

  // The newest plan of the date, unless one was chosen.
  useEffect(() => {
    if (!plans.data) return;
    const chosen = plans.data.find((p) => p.id === planId) ?? plans.data[0] ?? null;
    setPlanId(chosen?.id ?? null);
    if (!chosen) {
      setPlan(null);
      setTab("targets");
    }
  }, [plans.data]);

  useEffect(() => {
    if (!planId) return;
    let alive = true;
    void consoleApi.plan(planId).then(
      (p) => alive && setPlan(p),
      () => alive && setPlan(null),
    );
    return () => {
      alive = false;
    };
  }, [planId]);

  useEffect(() => {
    replaceParams("plan", { date, plan: planId ?? undefined });
  }, [date, planId]);

  const today = todayIn(tz);
  return (
    <div class="c-screen" data-testid="plan-screen">
      <header class="c-head">
        <h1>{t("console.nav.plan")}</h1>
        <label class="c-field c-inline">
          <span>{t("console.plan.date")}</span>
          <input
            type="date"
            name="plan_date"
            min={today}
            value={date}
            onChange={(e) => {
              const v = e.currentTarget.value;
              if (v) {
                setDate(v);
                setPlanId(null);
                setPlan(null);
              }
            }}
          />
        </label>
        {plans.data && plans.data.length > 1 && (
          <label class="c-field c-inline">
            <span>{t("console.plan.which")}</span>
            <select value={planId ?? ""} onChange={(e) => setPlanId(e.currentTarget.value)}>
              {plans.data.map((p) => (
                <option key={p.id} value={p.id}>
                  {formatTime(p.created_at, tz)} · {t(`console.plan.status.${p.status}`)}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      <div class="c-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "targets"} onClick={() => setTab("targets")} data-testid="tab-targets">
          {t("console.plan.tabTargets")}
          {selected.size > 0 && <span class="c-badge c-badge-soft">{selected.size}</span>}
        </button>
        <button type="button" role="tab" aria-selected={tab === "plan"} disabled={!plan} onClick={() => setTab("plan")} data-testid="tab-plan">
          {t("console.plan.tabPlan")}
        </button>
      </div>
      {tab === "targets" && (
        <div class="c-targets">
          <Candidates officers={officers} selected={selected} setSelected={setSelected} />
          <NewPlan
            date={date}
            officers={officers}
            selected={selected}
            onCreated={(p) => {
              setPlan(p);
              setPlanId(p.id);
              setSelected(new Map());
              setTab("plan");
              toast(t("console.plan.created"));
              void plans.reload();
            }}
          />
        </div>
      )}
      {tab === "plan" && plan && <PlanView plan={plan} setPlan={setPlan} tz={tz} />}
    </div>
  );
}
