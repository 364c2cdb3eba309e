// The complaint sheet's choices and rule, pure (tested without a browser).
import type { ComplaintCategory } from "../../data";

export const COMPLAINT_CATEGORIES: readonly ComplaintCategory[] = ["rude", "threat", "wrong_time", "privacy", "wrong_amount", "other"];
// The server's bound (api/complaints/labels.py MAX_TEXT).
export const MAX_COMPLAINT_TEXT = 2000;

/** Saving needs a category and some words from the borrower, within the bound. */
export function complaintReady(category: ComplaintCategory | null, text: string): boolean {
  const words = text.trim();
  return category !== null && words.length > 0 && words.length <= MAX_COMPLAINT_TEXT;
}
