// The follow-up call form (回访), pure: the answers as the console holds them, and the body
// the server accepts (`POST /feedback-calls/{id}`), or null while an answer is missing.
import type { FeedbackForm } from "./types";

export interface FeedbackAnswers {
  courteous: boolean | null;
  lawful: boolean | null;
  explained: boolean | null;
  satisfied: number | null;
  note: string;
}

export const NO_ANSWERS: FeedbackAnswers = { courteous: null, lawful: null, explained: null, satisfied: null, note: "" };
export const MAX_FEEDBACK_NOTE = 500;

/** A done call: all four answers (satisfaction 1-5), the note within its bound. */
export function doneForm(a: FeedbackAnswers): FeedbackForm | null {
  const { courteous, lawful, explained, satisfied } = a;
  if (courteous === null || lawful === null || explained === null || satisfied === null) return null;
  if (!Number.isInteger(satisfied) || satisfied < 1 || satisfied > 5) return null;
  const note = a.note.trim();
  if (note.length > MAX_FEEDBACK_NOTE) return null;
  return { status: "done", courteous, lawful, explained, satisfied, note };
}

/** The borrower could not be reached: no answers, only the note. */
export function unreachableForm(a: FeedbackAnswers): FeedbackForm {
  return { status: "unreachable", note: a.note.trim().slice(0, MAX_FEEDBACK_NOTE) };
}

/** "10%" from the branch's share (0-1). */
export function sharePercent(share: number): string {
  return String(Math.round(share * 1000) / 10);
}
