// Issue 15: "投诉 / Complaint" on the borrower: the officer records what the borrower
// complains about; it goes through the outbox (`complaint.record`) to the manager's Review.
import { useState } from "preact/hooks";
import { recordComplaint, type ComplaintCategory } from "../../data";
import { t } from "../../i18n";
import { saveError } from "../labels";
import { toast } from "../toast";
import { ChipChoice } from "./Chips";
import { COMPLAINT_CATEGORIES, MAX_COMPLAINT_TEXT, complaintReady } from "./complaint";
import { Sheet } from "./Sheet";

export function ComplaintSheet({ borrowerId, visitId, onClose }: { borrowerId: string; visitId: string | null; onClose: () => void }) {
  const [category, setCategory] = useState<ComplaintCategory | null>(null);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const ready = complaintReady(category, text);
  const submit = async () => {
    if (!category || !ready) return;
    setBusy(true);
    try {
      await recordComplaint(borrowerId, visitId, category, text);
      toast(t("complaint.saved"));
      onClose();
    } catch (err) {
      toast(saveError(err), 8_000);
      setBusy(false);
    }
  };
  return (
    <Sheet onClose={onClose} label={t("complaint.title")}>
      <h2>{t("complaint.title")}</h2>
      <p class="small">{t("complaint.hint")}</p>
      <ChipChoice
        name={t("complaint.category")}
        value={category}
        onChange={(v) => setCategory(v as ComplaintCategory)}
        options={COMPLAINT_CATEGORIES.map((code) => ({ value: code, label: t(`complaint.category.${code}`) }))}
      />
      <label class="field">
        <span class="small">{t("complaint.text")}</span>
        <textarea name="complaint" rows={4} maxLength={MAX_COMPLAINT_TEXT} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <div class="btn-row">
        <button type="button" class="btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button type="button" class="btn primary" data-testid="complaint-save" disabled={!ready || busy} onClick={() => void submit()}>
          {t("complaint.save")}
        </button>
      </div>
    </Sheet>
  );
}
