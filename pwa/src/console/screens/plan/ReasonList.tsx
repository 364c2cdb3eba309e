// Why a borrower is a candidate: each reason with the points it adds.
import { getLang } from "../../../i18n";
import type { Reason } from "../../types";
import { reasonText } from "./plan";

export function ReasonList({ reasons }: { reasons: Reason[] }) {
  const lang = getLang();
  return (
    <ul class="c-reasons">
      {reasons.map((r) => (
        <li key={r.code} data-code={r.code}>
          {reasonText(r, lang)}
          {r.points !== undefined && <span class="c-points"> {r.points < 0 ? r.points : `+${r.points}`}</span>}
        </li>
      ))}
    </ul>
  );
}
