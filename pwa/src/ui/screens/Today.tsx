import { observe, syncNow, type CallTask, type VisitCard, type WithId } from "../../data";
import { DEFAULT_TZ, todayIn } from "../../domain/time";
import { formatDate, formatKm, formatMoney, formatTime, t, tMaybe } from "../../i18n";
import { ChipChoice } from "../components/Chips";
import { Layout } from "../components/Layout";
import { useLive, useNow, useSyncState } from "../hooks";
import { href, navigate } from "../router";
import { overdueOf, visitLoans, worstBucket } from "../view";

function isOpen(c: VisitCard): boolean {
  return c.visit.status === "planned" || c.visit.status === "checked_in";
}

function Card({ card, next, tz, now }: { card: VisitCard; next: boolean; tz: string; now: Date }) {
  const { visit, borrower } = card;
  const loans = visitLoans(visit, borrower);
  const bucket = worstBucket(loans);
  const flags = borrower?.safety_flags ?? [];
  const missed = visit.status === "planned" && visit.window_end !== null && Date.parse(visit.window_end) < now.getTime();
  const finished = !isOpen(card);
  const findAddress = visit.reasons.some((r) => r.code === "find_address");
  return (
    <a
      class={`visit-card${next ? " next" : ""}${finished ? " finished" : ""}`}
      href={href(`/visit/${visit.id}`)}
      data-testid="visit-card"
      data-visit-id={visit.id}
      data-status={visit.status}
    >
      <span class="pos" aria-label="#">{visit.route_position ?? "–"}</span>
      <span class="name">
        {borrower?.name ?? "…"}
        {flags.length > 0 && (
          <span class="flag" role="img" aria-label={t("safety.title")} title={flags.map((f) => tMaybe(`safety.${f}`) ?? f).join(", ")}>
            ⚠
          </span>
        )}
        {next && <span class="next-tag">{t("today.next")}</span>}
      </span>
      <span class="line muted">
        <span>{borrower?.village ?? ""}</span>
        {visit.planned_arrival && (
          <span data-testid="planned-arrival">{t("today.arrival", { time: formatTime(visit.planned_arrival, tz) })}</span>
        )}
        {findAddress && <span class="missed">{t("today.findAddress")}</span>}
        {visit.window_start && visit.window_end && (
          <span class={missed ? "missed" : ""}>
            {formatTime(visit.window_start, tz)}–{formatTime(visit.window_end, tz)}
          </span>
        )}
      </span>
      <span class="line">
        <span class="money">{formatMoney(overdueOf(loans))}</span>
        {bucket && <span class="bucket">{bucket}</span>}
        {missed && <span class="missed">{t("today.missed")}</span>}
        <span class={`status ${visit.status}`}>{t(`status.${visit.status}`)}</span>
      </span>
    </a>
  );
}

/** Phone follow-ups due today (and tomorrow's, to plan ahead): tapping opens the borrower. */
function CallTasks({ tasks, today }: { tasks: WithId<CallTask>[]; today: string }) {
  if (tasks.length === 0) return null;
  return (
    <section class="call-tasks" data-testid="call-tasks">
      <h2>{t("today.callTasks")}</h2>
      {tasks.map((task) => (
        <a class="visit-card" key={task.id} href={href(`/borrower/${task.borrower_id}`)} data-testid="call-task" data-borrower-id={task.borrower_id}>
          <span class="name">{task.borrower_name}</span>
          <span class="line muted">
            <span>{task.village}</span>
            <span class={task.due_on <= today ? "missed" : ""}>{task.due_on <= today ? t("today.callDueToday") : t("today.callDueTomorrow")}</span>
          </span>
        </a>
      ))}
    </section>
  );
}

export function Today({ date }: { date?: string }) {
  const ctx = useLive(() => observe.context(), []);
  const cards = useLive(() => observe.visits(), []);
  const counts = useLive(() => observe.syncCounts(), []);
  const session = useLive(() => observe.session(), []);
  const sync = useSyncState();
  const now = useNow();
  const tz = ctx?.branch?.timezone ?? DEFAULT_TZ;
  const today = todayIn(tz, now);
  const day = date ?? today;
  const all = cards ?? [];
  const dates = [...new Set([today, ...all.map((c) => c.visit.plan_date)])].sort();
  const list = all.filter((c) => c.visit.plan_date === day);
  const current = list.find((c) => c.visit.status === "checked_in") ?? list.find((c) => c.visit.status === "planned");
  // The server's figure for the day's route (the way back included), never summed here.
  const routes = useLive(() => observe.dayRoutes(day), [day]);
  const distance = routes?.distance_m ?? null;
  const done = list.filter((c) => !isOpen(c)).length;
  // The server sends calls due today and tomorrow; the list shows those due by the shown day.
  const calls = useLive(() => observe.callTasks(day), [day]);

  return (
    <Layout
      title={`${t("today.title")} · ${formatDate(day, tz)}`}
      tz={tz}
      testId="today"
      actions={
        <>
          <button type="button" class="btn primary" data-testid="sync-now" disabled={sync.running} onClick={() => void syncNow()}>
            {t("sync.now")}
          </button>
          <button type="button" class="btn" onClick={() => navigate("/settings")}>
            {t("nav.settings")}
          </button>
        </>
      }
    >
      {(counts?.rejectedUnseen ?? 0) > 0 && (
        <a class="problem danger" href={href("/rejected")} data-testid="rejected-banner">
          {t("today.rejected", { n: counts?.rejectedUnseen ?? 0 })}
        </a>
      )}
      {dates.length > 1 && (
        <ChipChoice
          name="day"
          value={day}
          onChange={(d) => navigate(d === today ? "/" : `/?date=${d}`, true)}
          options={dates.map((d) => ({ value: d, label: d === today ? t("common.today") : formatDate(d, tz) }))}
        />
      )}
      {cards !== undefined && list.length > 0 && (
        <div class="summary">
          <span data-testid="today-count">{t("today.count", { n: list.length, done })}</span>
          {distance !== null && <span data-testid="today-distance">{t("today.distance", { km: formatKm(distance) })}</span>}
        </div>
      )}
      {cards === undefined && <p class="empty">{t("common.loading")}</p>}
      {cards !== undefined && all.length === 0 && (
        <p class="empty">{session?.notice === "expired" ? t("today.expired") : t("today.noPlan")}</p>
      )}
      {cards !== undefined && all.length > 0 && list.length === 0 && <p class="empty">{t("today.empty")}</p>}
      {list.map((c) => (
        <Card key={c.visit.id} card={c} next={c === current} tz={tz} now={now} />
      ))}
      <CallTasks tasks={calls ?? []} today={today} />
    </Layout>
  );
}
