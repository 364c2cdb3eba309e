export type DpdBucket = "M0" | "M1" | "M2" | "M3" | "M3+";

/** Days past due to bucket: M1 1-30, M2 31-60, M3 61-90, M3+ over 90. */
export function dpdBucket(dpd: number): DpdBucket {
  if (dpd <= 0) return "M0";
  if (dpd <= 30) return "M1";
  if (dpd <= 60) return "M2";
  if (dpd <= 90) return "M3";
  return "M3+";
}
