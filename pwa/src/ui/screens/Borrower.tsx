import { useState } from "preact/hooks";
import { observe, type Context, type HistoryItem, type RecentContact } from "../../data";
import { historyDetails, historySummary } from "../../data/history";
import { amapLink, baiduLink, geoLink } from "../../domain/maps";
import { dpdBucket } from "../../domain/dpd";
import { DEFAULT_TZ } from "../../domain/time";
import { formatDate, formatDateTime, formatMoney, getLang, joinList, t } from "../../i18n";
import { ComplaintSheet } from "../components/ComplaintSheet";
import { ContactButtons } from "../components/ContactSheets";
import { Layout } from "../components/Layout";
import { HouseHereSheet, ProposeFactsSheet } from "../components/ProposeSheets";
import { formatPreferredList, provenance } from "../borrowerFacts";
import { Sheet } from "../components/Sheet";
import { useLive } from "../hooks";
import { href } from "../router";
import { contactLabel, hardshipLabel, safetyLabel, statusLabel } from "../labels";

function contactTitle(c: RecentContact, ctx: Context | undefined): string {
  if (c.kind === "note") return t("borrower.note");
  // Issue 15: a call or a message, with who answered when known.
  if (c.kind === "call" || c.kind === "sms") {
    const what = t(`contact.kind.${c.kind}`);
    return c.contact ? `${what} · ${contactLabel(ctx, c.contact)}` : what;
  }
  return c.contact ? contactLabel(ctx, c.contact) : t("borrower.visitRecord");
}

export function ContactItem({ c, ctx, tz }: { c: RecentContact; ctx: Context | undefined; tz: string }) {
  return (
    <li>
      <div class="spread">
        <strong>{contactTitle(c, ctx)}</strong>
        <span class="muted small">{formatDateTime(c.at, tz)}</span>
      </div>
      {c.hardship_reasons.length > 0 && <div class="small">{joinList(c.hardship_reasons.map((r) => hardshipLabel(ctx, r)))}</div>}
      {c.text && <div class="small">{c.text}</div>}
      <div class="muted small row">
        {c.officer_name}
        {c.pending && <span class="pending-tag">{t("borrower.notSent")}</span>}
      </div>
    </li>
  );
}

/** The borrower's file, newest first (the phone's 90 days, or the console's pages). */
export function HistoryList({ items, tz }: { items: HistoryItem[]; tz: string }) {
  const lang = getLang();
  return (
    <ul class="list" data-testid="history">
      {items.map((item) => (
        <li key={item.id} data-kind={item.kind}>
          <div class="spread">
            <strong>{historySummary(item, lang)}</strong>
            <span class="muted small">{formatDateTime(item.at, tz)}</span>
          </div>
          {historyDetails(item, lang).map((line, i) => (
            <div key={i} class="small">
              {line}
            </div>
          ))}
          {item.officer_name && <div class="muted small">{item.officer_name}</div>}
        </li>
      ))}
    </ul>
  );
}

export function NavigateSheet({ lat, lon, name, onClose }: { lat: number; lon: number; name: string; onClose: () => void }) {
  return (
    <Sheet onClose={onClose} label={t("borrower.navigate")}>
      <a class="btn primary" href={geoLink(lat, lon, name)} data-testid="nav-geo">
        {t("borrower.mapApp")}
      </a>
      <a class="btn" href={amapLink(lat, lon, name)} target="_blank" rel="noopener" data-testid="nav-amap">
        {t("borrower.amap")}
      </a>
      <a class="btn" href={baiduLink(lat, lon, name)} target="_blank" rel="noopener" data-testid="nav-baidu">
        {t("borrower.baidu")}
      </a>
      <button type="button" class="btn plain" onClick={onClose}>
        {t("common.cancel")}
      </button>
    </Sheet>
  );
}

export function Borrower({ id }: { id: string }) {
  const detail = useLive(() => observe.borrower(id), [id]);
  const ctx = useLive(() => observe.context(), []);
  const [nav, setNav] = useState(false);
  const [propose, setPropose] = useState<"house" | "facts" | null>(null);
  const [complaint, setComplaint] = useState(false);
  const tz = ctx?.branch?.timezone ?? DEFAULT_TZ;
  const b = detail?.borrower;

  return (
    <Layout
      title={b?.name ?? t("borrower.title")}
      back="/"
      tz={tz}
      testId="borrower"
      actions={
        b && (
          <>
            <ContactButtons borrower={b} branch={ctx?.branch} visitId={null} primary />
            <button type="button" class="btn primary" disabled={b.lat === null || b.lon === null} onClick={() => setNav(true)}>
              {t("borrower.navigate")}
            </button>
            <button type="button" class="btn wide" onClick={() => setPropose("house")} data-testid="house-here">
              {t("borrower.houseHere")}
            </button>
          </>
        )
      }
    >
      {detail === null && <p class="empty">{t("borrower.notFound")}</p>}
      {b && (
        <>
          <section class="card">
            <div class="spread">
              <span class="big">{b.name}</span>
              <span class="muted">{t(`segment.${b.segment}`)}</span>
            </div>
            <dl class="kv small">
              <dt>{t("borrower.id")}</dt>
              <dd>{b.national_id_masked}</dd>
              <dt>{t("borrower.phone")}</dt>
              <dd>{b.phone}</dd>
              <dt>{t("borrower.address")}</dt>
              <dd>{b.address}</dd>
              <dt>{t("borrower.location")}</dt>
              <dd data-testid="location-provenance" class={provenance(b).located ? "" : "warning-text"}>
                {provenance(b).line}
              </dd>
              {b.preferred_times.length > 0 && (
                <>
                  <dt>{t("borrower.preferred")}</dt>
                  <dd>{formatPreferredList(b.preferred_times.map((p) => ({ weekdays: p.weekdays ?? null, start: p.start, end: p.end })))}</dd>
                </>
              )}
            </dl>
          </section>
          {b.agreement_requested && (
            <p class="notice" role="status" data-testid="agreement-requested">
              {t("borrower.agreementRequested", { kind: t(`kind.${b.agreement_requested.kind}`), date: b.agreement_requested.proposed_date ?? "—" })}
            </p>
          )}
          {b.safety_flags.length > 0 && (
            <p class="safety" role="alert" data-testid="safety">
              ⚠ {t("safety.line", { flags: joinList(b.safety_flags.map(safetyLabel)) })}
            </p>
          )}
          <section class="card">
            <h2>{t("borrower.loans")}</h2>
            <ul class="list">
              {b.loans.map((l) => (
                <li key={l.id}>
                  <div class="spread">
                    <span>{l.product}</span>
                    <span class="bucket">{dpdBucket(l.dpd)}</span>
                  </div>
                  <div class="muted small">{l.account_number}</div>
                  <div class="spread">
                    <span>{t("borrower.overdue")}</span>
                    <span class="money">{formatMoney(l.overdue_fen)}</span>
                  </div>
                  <div class="spread small">
                    <span>{t("borrower.dpd", { n: l.dpd })}</span>
                    <span class="muted">
                      {t("borrower.outstanding")} {formatMoney(l.outstanding_fen)}
                    </span>
                  </div>
                  {l.last_payment_date && <div class="muted small">{t("borrower.lastPayment", { date: formatDate(l.last_payment_date, tz) })}</div>}
                </li>
              ))}
            </ul>
          </section>
          {(detail.promises.length > 0 || detail.agreements.length > 0) && (
            <section class="card">
              {detail.promises.length > 0 && (
                <>
                  <h2>{t("borrower.promises")}</h2>
                  <ul class="list">
                    {detail.promises.map((p) => (
                      <li key={p.id} class="spread">
                        <span>{t("promise.line", { amount: formatMoney(p.amount_fen), date: formatDate(p.due_date, tz) })}</span>
                        <span class="muted small">{statusLabel("promise", p.status)}</span>
                      </li>
                    ))}
                  </ul>
                </>
              )}
              {detail.agreements.length > 0 && (
                <>
                  <h2>{t("borrower.agreements")}</h2>
                  <ul class="list">
                    {detail.agreements.map((a) => (
                      <li key={a.id}>
                        <a class="spread" href={href(`/agreement/${a.id}`)}>
                          <span class="money">{formatMoney(a.principal_fen)}</span>
                          <span class="small">{statusLabel("agreement", a.status)}</span>
                        </a>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
          )}
          <section class="card">
            <h2>{t("borrower.contacts")}</h2>
            {b.recent_contacts.length === 0 ? (
              <p class="muted">{t("borrower.noContacts")}</p>
            ) : (
              <ul class="list">
                {[...b.recent_contacts]
                  .sort((x, y) => y.at.localeCompare(x.at))
                  .slice(0, 8)
                  .map((c, i) => (
                    <ContactItem key={c.id ?? `${c.at}-${i}`} c={c} ctx={ctx} tz={tz} />
                  ))}
              </ul>
            )}
          </section>
          <section class="card" data-testid="history-section">
            <h2>{t("history.title")}</h2>
            {detail.history.length === 0 ? <p class="muted">{t("history.empty")}</p> : <HistoryList items={detail.history} tz={tz} />}
          </section>
          <button type="button" class="btn small wide-block" onClick={() => setPropose("facts")} data-testid="suggest-facts">
            {t("borrower.suggest")}
          </button>
          <button type="button" class="btn small wide-block" onClick={() => setComplaint(true)} data-testid="record-complaint">
            {t("complaint.button")}
          </button>
          {complaint && <ComplaintSheet borrowerId={id} visitId={null} onClose={() => setComplaint(false)} />}
          {propose === "house" && <HouseHereSheet borrowerId={id} visitId={null} onClose={() => setPropose(null)} />}
          {propose === "facts" && (
            <ProposeFactsSheet
              borrowerId={id}
              visitId={null}
              times={b.preferred_times.map((p) => ({ weekdays: p.weekdays ?? null, start: p.start, end: p.end }))}
              flags={b.safety_flags}
              onClose={() => setPropose(null)}
            />
          )}
          {nav && b.lat !== null && b.lon !== null && <NavigateSheet lat={b.lat} lon={b.lon} name={b.name} onClose={() => setNav(false)} />}
        </>
      )}
    </Layout>
  );
}
