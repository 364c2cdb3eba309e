import { useEffect, useState } from "preact/hooks";
import { checkIn, checkOut, observe, type Context, type GeoPoint, type Visit as VisitData, type WithId } from "../../data";
import { DEFAULT_TZ, isHoliday, withinHours } from "../../domain/time";
import { formatDate, formatMoney, formatTime, joinList, t, tMaybe } from "../../i18n";
import { getLocation } from "../../platform/geo";
import { ChipMulti } from "../components/Chips";
import { Layout } from "../components/Layout";
import { HouseHereSheet } from "../components/ProposeSheets";
import { isLocated, provenance } from "../borrowerFacts";
import { Confirm, Sheet } from "../components/Sheet";
import { useLive, useNow } from "../hooks";
import { contactLabel, safetyLabel, saveError, statusLabel } from "../labels";
import { href, navigate } from "../router";
import { toast } from "../toast";
import { overdueOf, visitLoans, worstBucket } from "../view";
import { NavigateSheet } from "./Borrower";
import { ContactButtons, SkipSheet } from "../components/ContactSheets";

function CheckInSheet({ visit, ctx, me, onClose }: { visit: WithId<VisitData>; ctx: Context | undefined; me: string; onClose: () => void }) {
  const [loc, setLoc] = useState<GeoPoint | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const colleagues = visit.officer_ids.filter((id) => id !== me);
  const [withColleague, setWithColleague] = useState<string[]>(colleagues.length ? ["yes"] : []);
  useEffect(() => {
    let live = true;
    void getLocation().then((p) => live && setLoc(p));
    return () => {
      live = false;
    };
  }, []);
  const tz = ctx?.branch?.timezone ?? DEFAULT_TZ;
  const now = new Date();
  const hours = ctx?.policy?.visiting_hours;
  const outside = !!hours && !withinHours(now, tz, hours);
  const holiday = !!ctx?.policy && isHoliday(now, tz, ctx.policy.holidays);

  const submit = async () => {
    setBusy(true);
    try {
      await checkIn(visit.id, loc ?? null, withColleague.length ? colleagues : []);
      toast(t("visit.saved"));
      onClose();
    } catch (err) {
      toast(saveError(err), 8_000);
      setBusy(false);
    }
  };
  const label = outside || holiday ? t("visit.checkInAnyway") : loc ? t("visit.checkIn") : t("visit.checkInNoLocation");
  return (
    <Sheet onClose={onClose} label={t("visit.checkIn")}>
      <h2>{t("visit.checkIn")}</h2>
      <p class="small" data-testid="checkin-location">
        {loc === undefined ? t("visit.locating") : loc ? t("visit.accuracy", { m: loc.accuracy_m ?? "?" }) : t("visit.noLocation")}
      </p>
      {outside && hours && (
        <p class="warning" role="alert" data-testid="hours-warning">
          {t("visit.outsideHours", { time: formatTime(now, tz), start: hours.start, end: hours.end })}
        </p>
      )}
      {holiday && <p class="warning">{t("visit.holiday")}</p>}
      {colleagues.length > 0 && (
        <ChipMulti name={t("visit.withColleague")} values={withColleague} onChange={setWithColleague} options={[{ value: "yes", label: t("visit.withColleague") }]} />
      )}
      <div class="btn-row">
        <button type="button" class="btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button type="button" class="btn primary" data-testid="checkin-confirm" disabled={busy} onClick={() => void submit()}>
          {label}
        </button>
      </div>
    </Sheet>
  );
}

export function Visit({ id }: { id: string }) {
  const detail = useLive(() => observe.visit(id), [id]);
  const ctx = useLive(() => observe.context(), []);
  const session = useLive(() => observe.session(), []);
  const [sheet, setSheet] = useState<"checkin" | "checkout" | "nav" | "house" | "skip" | null>(null);
  const now = useNow();
  const tz = ctx?.branch?.timezone ?? DEFAULT_TZ;
  const visit = detail?.visit;
  const borrower = detail?.borrower ?? null;

  const doCheckOut = async () => {
    setSheet(null);
    toast(t("visit.locating"));
    try {
      const loc = await getLocation(8_000);
      await checkOut(id, loc);
      toast(t("visit.saved"));
      navigate("/", true);
    } catch (err) {
      toast(saveError(err), 8_000);
    }
  };

  // Issue 14: the address is to be found (assigned by hand, unlocated): the officer marks the house.
  const findAddress = !!visit?.reasons.some((r) => r.code === "find_address");
  const needsHouse = findAddress || (!!borrower && !isLocated(borrower));
  const houseButton = (
    <button type="button" class="btn wide" data-testid="house-here" onClick={() => setSheet("house")}>
      {t("borrower.houseHere")}
    </button>
  );

  let actions = null;
  if (visit?.status === "planned") {
    actions = (
      <>
        {needsHouse && houseButton}
        <button type="button" class="btn primary huge wide" data-testid="check-in" onClick={() => setSheet("checkin")}>
          {t("visit.checkIn")}
        </button>
        <a class="btn" href={href(`/visit/${id}/change`)} data-testid="request-change">{t("visit.requestChange")}</a>
        <a class="btn" href={href(`/visit/${id}/note`)} data-testid="add-note">{t("visit.addNote")}</a>
        <button type="button" class="btn" data-testid="skip-visit" onClick={() => setSheet("skip")}>
          {t("skip.button")}
        </button>
      </>
    );
  } else if (visit?.status === "checked_in") {
    actions = (
      <>
        {needsHouse && houseButton}
        <a class="btn primary" href={href(`/visit/${id}/outcome`)} data-testid="record-outcome">{t("visit.recordOutcome")}</a>
        <a class="btn primary" href={href(`/visit/${id}/promise`)} data-testid="promise">{t("visit.promise")}</a>
        <a class="btn primary" href={href(`/visit/${id}/agreement`)} data-testid="sign-agreement">{t("visit.signAgreement")}</a>
        <a class="btn" href={href(`/visit/${id}/change`)} data-testid="request-change">{t("visit.requestChange")}</a>
        <a class="btn" href={href(`/visit/${id}/note`)}>{t("visit.addNote")}</a>
        <button type="button" class="btn" data-testid="check-out" onClick={() => setSheet("checkout")}>
          {t("visit.checkOut")}
        </button>
        <button type="button" class="btn" data-testid="skip-visit" onClick={() => setSheet("skip")}>
          {t("skip.button")}
        </button>
      </>
    );
  } else if (visit) {
    actions = (
      <a class="btn wide" href={href(`/visit/${id}/note`)}>{t("visit.addNote")}</a>
    );
  }

  const loans = visit ? visitLoans(visit, borrower) : [];
  const missed = visit?.status === "planned" && !!visit.window_end && Date.parse(visit.window_end) < now.getTime();
  const bucket = worstBucket(loans);
  const visitPromises = detail?.promises.filter((p) => p.visit_id === id) ?? [];
  const visitAgreements = detail?.agreements.filter((a) => a.visit_id === id) ?? [];
  // DPD and overdue amount are shown above in the officer's language; other reasons as sent.
  const reasons = visit?.reasons.filter((r) => r.code !== "dpd" && r.code !== "overdue" && r.code !== "find_address") ?? [];
  // Change requests: open ones by kind; the manager's decisions (with the reason) one by one.
  const requests = visit?.change_requests ?? [];
  const openRequests = requests.filter((r) => !r.status || r.status === "open");
  const decided = requests.filter((r) => r.status === "approved" || r.status === "declined");

  return (
    <Layout title={borrower?.name ?? t("visit.title")} back="/" sos={id} tz={tz} actions={actions} testId="visit">
      {detail === null && <p class="empty">{t("visit.notFound")}</p>}
      {visit && (
        <>
          {findAddress && (
            <p class="warning" role="alert" data-testid="find-address">
              {t("visit.findAddress")}
            </p>
          )}
          <section class="card">
            <div class="spread">
              <span class="big">{borrower?.name}</span>
              <span class={`status ${visit.status}`} data-testid="visit-status">{t(`status.${visit.status}`)}</span>
            </div>
            <div class="muted">{borrower?.village}</div>
            {borrower && (
              <div class="small" data-testid="location-provenance">
                {provenance(borrower).line}
              </div>
            )}
            {visit.window_start && visit.window_end && (
              <div class={missed ? "missed" : ""}>
                {t("visit.window", { start: formatTime(visit.window_start, tz), end: formatTime(visit.window_end, tz) })}
                {missed && ` · ${t("today.missed")}`}
              </div>
            )}
            <div class="row">
              <span class="money big">{formatMoney(overdueOf(loans))}</span>
              {bucket && <span class="bucket">{bucket}</span>}
              {loans[0] && <span class="muted">{t("borrower.dpd", { n: Math.max(...loans.map((l) => l.dpd)) })}</span>}
            </div>
            {visit.checked_in_at && <div class="small">{t("visit.checkedInAt", { time: formatTime(visit.checked_in_at, tz) })}</div>}
            {visit.checked_out_at && <div class="small">{t("visit.checkedOutAt", { time: formatTime(visit.checked_out_at, tz) })}</div>}
            {visit.last_outcome && (
              <div class="small" data-testid="last-outcome">
                {t("visit.lastOutcome", { contact: contactLabel(ctx, visit.last_outcome.contact), time: formatTime(visit.last_outcome.at, tz) })}
              </div>
            )}
            {openRequests.length > 0 && (
              <div class="small">{t("visit.changeRequested", { kinds: joinList(openRequests.map((r) => t(`kind.${r.kind}`))) })}</div>
            )}
            {decided.map((r, i) => (
              <div key={r.id ?? i} class={r.status === "declined" ? "small warning" : "small"} data-testid="change-decision" data-status={r.status}>
                {r.status === "approved"
                  ? t("visit.changeApproved", { kind: t(`kind.${r.kind}`) })
                  : t("visit.changeDeclined", { kind: t(`kind.${r.kind}`), reason: r.decision_reason || t("common.none") })}
              </div>
            ))}
          </section>
          {borrower?.agreement_requested && (
            <p class="notice" role="status" data-testid="agreement-requested">
              {t("borrower.agreementRequested", { kind: t(`kind.${borrower.agreement_requested.kind}`), date: borrower.agreement_requested.proposed_date ?? "—" })}
            </p>
          )}
          {borrower && borrower.safety_flags.length > 0 && (
            <p class="safety" role="alert">
              ⚠ {t("safety.line", { flags: joinList(borrower.safety_flags.map(safetyLabel)) })}
            </p>
          )}
          {(visitPromises.length > 0 || visitAgreements.length > 0) && (
            <section class="card">
              <ul class="list">
                {visitPromises.map((p) => (
                  <li key={p.id} class="spread" data-testid="visit-promise">
                    <span>{t("promise.line", { amount: formatMoney(p.amount_fen), date: formatDate(p.due_date, tz) })}</span>
                    <span class="muted small">{statusLabel("promise", p.status)}</span>
                  </li>
                ))}
                {visitAgreements.map((a) => (
                  <li key={a.id}>
                    <a class="spread" href={href(`/agreement/${a.id}`)} data-testid="visit-agreement">
                      <span>
                        {t("agreement.title")} <span class="money">{formatMoney(a.principal_fen)}</span>
                      </span>
                      <span class="small">{statusLabel("agreement", a.status)}</span>
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {reasons.length > 0 && (
            <section class="card small">
              <h2>{t("visit.reasons")}</h2>
              <ul class="list">
                {reasons.map((r, i) => (
                  <li key={i}>{r.text}</li>
                ))}
              </ul>
            </section>
          )}
          <div class="btn-row">
            <a class="btn small" href={href(`/borrower/${visit.borrower_id}`)} data-testid="borrower-details">
              {t("visit.borrowerDetails")}
            </a>
            {borrower && <ContactButtons borrower={borrower} branch={ctx?.branch} visitId={id} />}
            {borrower && borrower.lat !== null && (
              <button type="button" class="btn small" onClick={() => setSheet("nav")}>
                {t("borrower.navigate")}
              </button>
            )}
          </div>
          {!needsHouse && (visit.status === "planned" || visit.status === "checked_in") && (
            <button type="button" class="btn small plain" data-testid="house-here-small" onClick={() => setSheet("house")}>
              {t("borrower.houseHere")}
            </button>
          )}
          {visit.status === "planned" && <p class="muted small">{t("visit.planned")}</p>}
          {visit.status === "done" && <p class="muted small">{t("visit.doneHint")}</p>}
          {visit.status === "skipped" && (
            <p class="muted small" data-testid="skipped-reason">
              {t("skip.line", { reason: (visit.skip_reason && tMaybe(`skip.${visit.skip_reason}`)) || t("skip.other") })}
            </p>
          )}
        </>
      )}
      {sheet === "checkin" && visit && <CheckInSheet visit={visit} ctx={ctx} me={session?.user?.id ?? ""} onClose={() => setSheet(null)} />}
      {sheet === "skip" && visit && <SkipSheet visitId={visit.id} onClose={() => setSheet(null)} />}
      {sheet === "house" && visit && <HouseHereSheet borrowerId={visit.borrower_id} visitId={visit.id} onClose={() => setSheet(null)} />}
      {sheet === "checkout" && (
        <Confirm text={t("visit.confirmCheckOut")} yes={t("visit.confirmCheckOutYes")} onYes={() => void doCheckOut()} onNo={() => setSheet(null)} />
      )}
      {sheet === "nav" && borrower && borrower.lat !== null && borrower.lon !== null && (
        <NavigateSheet lat={borrower.lat} lon={borrower.lon} name={borrower.name} onClose={() => setSheet(null)} />
      )}
    </Layout>
  );
}
