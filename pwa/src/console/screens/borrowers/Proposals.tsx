// Open proposals from the field ("moved?" after a check-in, "the house is here", preferred
// times, safety flags): one sentence each, a small map for a location, accept or decline.
import { useEffect, useMemo, useState } from "preact/hooks";
import { getLang, t } from "../../../i18n";
import { toast } from "../../../ui/toast";
import { consoleApi } from "../../api";
import { refreshBadge } from "../../badge";
import { ConfirmDialog } from "../../components/Dialog";
import { PinMap } from "../../components/PinMap";
import type { PinMapModel, PinPoint } from "../../components/pinMap";
import { useAction, type Loaded } from "../../hooks";
import { proposalSentence, proposedPoint } from "../../borrowers";
import type { BorrowerItem, BorrowerProposal } from "../../types";

function ProposalMap({ p, known }: { p: BorrowerProposal; known: BorrowerItem | undefined }) {
  const point = proposedPoint(p);
  // The stored place: from the list when the borrower is on its page, else asked for.
  const [fetched, setFetched] = useState<BorrowerItem | undefined>(undefined);
  useEffect(() => {
    if (known || p.distance_m === null) return;
    let alive = true;
    consoleApi.borrower(p.borrower_id).then(
      (b) => alive && setFetched(b),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [p.borrower_id, known, p.distance_m]);
  const stored = known ?? fetched;
  const model = useMemo<PinMapModel | null>(() => {
    if (!point) return null;
    const points: PinPoint[] = [{ ...point, title: t("console.proposals.proposed"), kind: "proposed" }];
    if (stored && stored.lat !== null && stored.lon !== null) points.push({ lat: stored.lat, lon: stored.lon, title: t("console.proposals.stored"), kind: "stored" });
    return { points, centre: point, editable: false };
  }, [p.id, stored?.lat, stored?.lon]);
  if (!model) return null;
  return (
    <div class="c-proposal-map">
      <PinMap model={model} height={180} testId="proposal-map" />
      <p class="c-legend c-small-text">
        <span>
          <span class="m-pin proposed" aria-hidden="true" /> {t("console.proposals.proposed")}
          {point?.accuracy_m !== null && point?.accuracy_m !== undefined && ` (${t("console.proposals.accuracy", { m: point.accuracy_m })})`}
        </span>
        {model.points.length > 1 && (
          <span>
            <span class="m-pin stored" aria-hidden="true" /> {t("console.proposals.stored")}
          </span>
        )}
      </p>
    </div>
  );
}

export function Proposals({
  loaded,
  tz,
  borrowers,
  onDecided,
  onOpen,
}: {
  loaded: Loaded<BorrowerProposal[]>;
  tz: string;
  /** Borrowers already loaded, for the stored location on the small map. */
  borrowers: ReadonlyMap<string, BorrowerItem>;
  onDecided: () => void;
  onOpen: (borrowerId: string) => void;
}) {
  const [deciding, setDeciding] = useState<{ p: BorrowerProposal; decision: "accepted" | "declined" } | null>(null);
  const action = useAction();
  const lang = getLang();
  const decide = async (note: string) => {
    if (!deciding) return;
    const { p, decision } = deciding;
    const ok = await action.run(() => consoleApi.decideProposal(p.id, decision, note.slice(0, 500)));
    if (ok) {
      setDeciding(null);
      toast(t(decision === "accepted" ? "console.proposals.accepted" : "console.proposals.declined"));
      onDecided();
      void refreshBadge();
    }
  };
  const list = loaded.data ?? [];
  return (
    <section class="c-stack" data-testid="proposals">
      {loaded.error && (
        <p class="c-error" role="alert">
          {loaded.error}
        </p>
      )}
      {loaded.data && list.length === 0 && <p class="c-muted">{t("console.proposals.empty")}</p>}
      {list.map((p) => (
        <article key={p.id} class="c-card c-proposal" data-testid="proposal" data-kind={p.kind} data-source={p.source}>
          <p class="c-proposal-text">{proposalSentence(p, tz, lang)}</p>
          <p class="c-muted c-small-text">{p.address}</p>
          {p.kind === "location" && <ProposalMap p={p} known={borrowers.get(p.borrower_id)} />}
          <div class="c-row">
            <button type="button" class="c-btn c-primary" onClick={() => setDeciding({ p, decision: "accepted" })} data-testid="accept">
              {t("console.proposals.accept")}
            </button>
            <button type="button" class="c-btn" onClick={() => setDeciding({ p, decision: "declined" })} data-testid="decline">
              {t("console.proposals.decline")}
            </button>
            <button type="button" class="c-btn c-plain" onClick={() => onOpen(p.borrower_id)}>
              {t("console.borrowers.open")}
            </button>
          </div>
        </article>
      ))}
      {deciding && (
        <ConfirmDialog
          title={t(deciding.decision === "accepted" ? "console.proposals.acceptTitle" : "console.proposals.declineTitle")}
          text={proposalSentence(deciding.p, tz, lang)}
          yes={t(deciding.decision === "accepted" ? "console.proposals.accept" : "console.proposals.decline")}
          reason={{ label: t("console.proposals.note"), required: false }}
          busy={action.busy}
          error={action.error}
          onNo={() => {
            action.clear();
            setDeciding(null);
          }}
          onYes={(note) => void decide(note)}
        />
      )}
    </section>
  );
}
