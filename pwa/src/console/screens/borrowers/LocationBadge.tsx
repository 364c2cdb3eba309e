// A borrower's location in a table cell: source and precision badges, or "未定位" with the note.
import { t } from "../../../i18n";
import { provenance, type LocationLike } from "../../../ui/borrowerFacts";

export function LocationBadge({ b }: { b: LocationLike }) {
  const p = provenance(b);
  if (!p.located) {
    return (
      <span class="c-loc unlocated" data-testid="loc-badge" data-located="0">
        <span class="c-chip-status c-unlocated">{t("loc.unlocated")}</span>
        {p.note && <span class="c-muted c-small-text"> {p.note}</span>}
      </span>
    );
  }
  return (
    <span class="c-loc" data-testid="loc-badge" data-located="1" data-source={p.sourceCode ?? ""} data-precision={p.precisionCode ?? ""}>
      <span class={`c-chip-status c-src-${p.sourceCode ?? "unknown"}`}>{p.source || t("loc.sourceUnknown")}</span>
      {p.precision && <span class={`c-chip-status c-prec-${p.precisionCode ?? ""}`}>{p.precision}</span>}
    </span>
  );
}
