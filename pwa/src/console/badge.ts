// The count on "Review": entries and change requests waiting (from /day) plus agreements
// waiting for approval (when the server has them); the count on "Borrowers": the field's
// proposals waiting (moved? / the house is here / times / safety flags). Refreshed by a
// poller in the shell and after every decision.
import { consoleApi, has } from "./api";

export interface BadgeCounts {
  review: number;
  agreements: number;
  proposals: number;
}

let counts: BadgeCounts = { review: 0, agreements: 0, proposals: 0 };
const listeners = new Set<(c: BadgeCounts) => void>();

export function getBadge(): BadgeCounts {
  return counts;
}

export function onBadge(listener: (c: BadgeCounts) => void): () => void {
  listeners.add(listener);
  listener(counts);
  return () => listeners.delete(listener);
}

export function setBadge(next: Partial<BadgeCounts>): void {
  counts = { ...counts, ...next };
  for (const l of listeners) l(counts);
}

export async function refreshBadge(): Promise<void> {
  const [day, pending, proposals] = await Promise.all([
    consoleApi.day(),
    has("GET", "/agreements").then((yes) => (yes ? consoleApi.agreements(["pending_approval"]).then((a) => a.length) : 0)),
    has("GET", "/borrower-proposals").then((yes) => (yes ? consoleApi.proposals().then((p) => p.length) : 0)),
  ]);
  setBadge({ review: day.review_waiting, agreements: pending, proposals });
}
