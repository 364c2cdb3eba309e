// The console's hash routes: #/plan, #/today?date=..., #/review, #/agreements, #/reports,
// #/borrowers?filter=..., #/feedback, #/devices, #/imports, #/settings.
import { useEffect, useState } from "preact/hooks";

export const SECTIONS = ["plan", "today", "review", "borrowers", "agreements", "reports", "feedback", "devices", "imports", "settings"] as const;
export type Section = (typeof SECTIONS)[number];

export interface ConsoleRoute {
  section: Section;
  params: URLSearchParams;
}

export function parseConsoleRoute(hash: string): ConsoleRoute {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?");
  const first = path.split("/").filter(Boolean)[0] ?? "";
  const section = (SECTIONS as readonly string[]).includes(first) ? (first as Section) : "today";
  return { section, params: new URLSearchParams(query) };
}

export function consoleHref(section: Section, params?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v) q.set(k, v);
  const text = q.toString();
  return `#/${section}${text ? `?${text}` : ""}`;
}

/** Change the query of the current section without a new history entry. */
export function replaceParams(section: Section, params: Record<string, string | undefined>): void {
  const next = consoleHref(section, params);
  if (location.hash !== next) history.replaceState(null, "", next);
}

export function useConsoleRoute(): ConsoleRoute {
  const [route, setRoute] = useState(() => parseConsoleRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseConsoleRoute(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
