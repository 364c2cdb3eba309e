import { StorageFullError, type Context } from "../data";
import { label, t, tMaybe } from "../i18n";

/** Contact codes: the server's reference list if present, else the catalogue. */
export function contactLabel(ctx: Context | undefined, code: string): string {
  const item = ctx?.contactCodes.find((c) => c.code === code);
  return item ? label(item) : (tMaybe(`contact.${code}`) ?? code);
}

export const CONTACT_CODES = ["borrower", "family", "guarantor", "third_party", "nobody", "refused"] as const;

export function contactOptions(ctx: Context | undefined): { value: string; label: string }[] {
  const codes = ctx?.contactCodes.length ? ctx.contactCodes.map((c) => c.code) : [...CONTACT_CODES];
  return codes.map((code) => ({ value: code, label: contactLabel(ctx, code) }));
}

export function hardshipLabel(ctx: Context | undefined, code: string): string {
  const item = ctx?.hardshipReasons.find((r) => r.code === code);
  return item ? label(item) : code;
}

export function safetyLabel(code: string): string {
  return tMaybe(`safety.${code}`) ?? code;
}

export function statusLabel(kind: "promise" | "agreement", status: string): string {
  return tMaybe(`${kind}.status.${status}`) ?? status;
}

/** Server reasons may be codes ("date_in_past"); render them in words when we know them. */
export function reasonText(reason: string): string {
  return tMaybe(`reason.${reason}`) ?? (reason || t("common.none"));
}

/** Why a save on this phone failed, in words: a full phone, or anything else. */
export function saveError(err: unknown): string {
  return err instanceof StorageFullError ? t("error.storageFull") : t("error.generic");
}
