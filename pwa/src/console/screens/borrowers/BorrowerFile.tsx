// The borrower file (档案): who (masked ID, phone, address and how the location is known), the
// loans, what holds them now (open promise or agreement), the next step and the timeline,
// newest first, with "load more" following the server's cursor.
import { useEffect, useState } from "preact/hooks";
import type { HistoryItem } from "../../../data";
import { currentArrangement, mergeHistory, nextStep } from "../../../data/history";
import { dpdBucket } from "../../../domain/dpd";
import { formatDate, formatMoney, getLang, t } from "../../../i18n";
import { HistoryList } from "../../../ui/screens/Borrower";
import { consoleApi, errorMessage } from "../../api";
import { Dialog } from "../../components/Dialog";
import { useLoad } from "../../hooks";
import type { BorrowerPublic } from "../../types";
import { LocationBadge } from "./LocationBadge";

function Header({ b }: { b: BorrowerPublic }) {
  return (
    <dl class="c-kv" data-testid="file-header">
      <dt>{t("borrower.id")}</dt>
      <dd>{b.national_id_masked}</dd>
      <dt>{t("borrower.phone")}</dt>
      <dd>{b.phone}</dd>
      <dt>{t("borrower.address")}</dt>
      <dd>
        {b.village} {b.address} <LocationBadge b={b} />
      </dd>
    </dl>
  );
}

function Loans({ b, tz }: { b: BorrowerPublic; tz: string }) {
  return (
    <table class="c-table" data-testid="file-loans">
      <thead>
        <tr>
          <th>{t("console.file.account")}</th>
          <th>{t("borrower.overdue")}</th>
          <th>DPD</th>
          <th>{t("console.file.status")}</th>
          <th>{t("console.file.lastPayment")}</th>
        </tr>
      </thead>
      <tbody>
        {b.loans.map((l) => (
          <tr key={l.id}>
            <td>{l.account_number}</td>
            <td class="c-num">{formatMoney(l.overdue_fen)}</td>
            <td class="c-num">
              {l.dpd} <span class="c-muted">{dpdBucket(l.dpd)}</span>
            </td>
            <td>{t(`console.file.loan.${l.status}`)}</td>
            <td>{l.last_payment_date ? formatDate(l.last_payment_date, tz) : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Now({ items, tz }: { items: HistoryItem[]; tz: string }) {
  const arrangement = currentArrangement(items);
  const step = nextStep(items, getLang());
  let held = t("console.file.noArrangement");
  if (arrangement?.kind === "promise") {
    held = t("console.file.promiseOpen", { amount: formatMoney(arrangement.amount_fen), date: formatDate(arrangement.due_date, tz) });
  } else if (arrangement?.kind === "agreement") {
    held = arrangement.next
      ? t("console.file.agreementNext", { seq: arrangement.next.seq, amount: formatMoney(arrangement.next.amount_fen), date: formatDate(arrangement.next.due_date, tz) })
      : t("console.file.agreementDone");
  }
  return (
    <dl class="c-kv">
      <dt>{t("console.file.arrangement")}</dt>
      <dd data-testid="file-arrangement">{held}</dd>
      <dt>{t("console.file.nextStep")}</dt>
      <dd data-testid="file-next-step">
        {step ? (step.on ? t("console.file.followUp", { action: step.action, date: formatDate(step.on, tz) }) : step.action) : t("console.file.noNextStep")}
      </dd>
    </dl>
  );
}

export function BorrowerFile({ id, tz, onClose, onEdit }: { id: string; tz: string; onClose: () => void; onEdit: () => void }) {
  const borrower = useLoad(() => consoleApi.borrowerFile(id), [id]);
  const first = useLoad(() => consoleApi.borrowerHistory(id), [id]);
  const [items, setItems] = useState<HistoryItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [more, setMore] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  useEffect(() => {
    setItems(first.data?.items ?? []);
    setNext(first.data?.next ?? null);
  }, [first.data]);

  const loadMore = async () => {
    if (!next) return;
    setMore({ busy: true, error: null });
    try {
      const page = await consoleApi.borrowerHistory(id, next);
      setItems((shown) => mergeHistory(shown, page.items));
      setNext(page.next);
      setMore({ busy: false, error: null });
    } catch (err) {
      setMore({ busy: false, error: errorMessage(err) });
    }
  };

  const b = borrower.data;
  const error = borrower.error ?? first.error;
  return (
    <Dialog title={b?.name ?? t("console.file.title")} onClose={onClose} wide testId="borrower-file">
      {error && (
        <p class="c-error" role="alert">
          {error}
        </p>
      )}
      {b && (
        <div class="c-stack">
          <Header b={b} />
          <Loans b={b} tz={tz} />
          <Now items={items} tz={tz} />
          <div class="c-row">
            <h3 class="c-grow">{t("history.title")}</h3>
            <button type="button" class="c-btn c-small" onClick={onEdit} data-testid="file-edit">
              {t("console.borrowers.open")}
            </button>
          </div>
          {items.length === 0 && !first.loading ? <p class="c-muted">{t("console.file.empty")}</p> : <HistoryList items={items} tz={tz} />}
          {more.error && (
            <p class="c-error" role="alert">
              {more.error}
            </p>
          )}
          {next && (
            <button type="button" class="c-btn" disabled={more.busy} onClick={() => void loadMore()} data-testid="file-more">
              {t("console.file.loadMore")}
            </button>
          )}
        </div>
      )}
    </Dialog>
  );
}
