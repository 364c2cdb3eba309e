// Small view helpers shared by screens (no data access here).
import type { Borrower, Loan, Visit } from "../data";
import { dpdBucket, type DpdBucket } from "../domain/dpd";

/** The loans a visit is about (all of the borrower's when the visit names none). */
export function visitLoans(visit: Visit, borrower: Borrower | null): Loan[] {
  const loans = borrower?.loans ?? [];
  if (!visit.loan_ids.length) return loans;
  const picked = loans.filter((l) => visit.loan_ids.includes(l.id));
  return picked.length ? picked : loans;
}

export function overdueOf(loans: readonly Loan[]): number {
  return loans.reduce((sum, l) => sum + l.overdue_fen, 0);
}

export function worstBucket(loans: readonly Loan[]): DpdBucket | null {
  if (!loans.length) return null;
  return dpdBucket(Math.max(...loans.map((l) => l.dpd)));
}
