// Hash routes (#/visit/<id>): they work from any URL the server falls back to index.html.
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "today"; date?: string }
  | { name: "visit"; id: string }
  | { name: "outcome"; id: string }
  | { name: "promise"; id: string }
  | { name: "change"; id: string }
  | { name: "note"; id: string }
  | { name: "agreementNew"; id: string }
  | { name: "agreement"; id: string }
  | { name: "borrower"; id: string }
  | { name: "sos"; visitId?: string }
  | { name: "settings" }
  | { name: "rejected" }
  | { name: "signin" };

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  const [a, b, c] = parts;
  if (a === "visit" && b) {
    if (c === "outcome") return { name: "outcome", id: b };
    if (c === "promise") return { name: "promise", id: b };
    if (c === "change") return { name: "change", id: b };
    if (c === "note") return { name: "note", id: b };
    if (c === "agreement") return { name: "agreementNew", id: b };
    return { name: "visit", id: b };
  }
  if (a === "agreement" && b) return { name: "agreement", id: b };
  if (a === "borrower" && b) return { name: "borrower", id: b };
  if (a === "sos") {
    const visitId = params.get("visit");
    return visitId ? { name: "sos", visitId } : { name: "sos" };
  }
  if (a === "settings") return { name: "settings" };
  if (a === "rejected") return { name: "rejected" };
  if (a === "signin") return { name: "signin" };
  const date = params.get("date");
  return date ? { name: "today", date } : { name: "today" };
}

export function href(path: string): string {
  return `#${path}`;
}

export function navigate(path: string, replace = false): void {
  if (replace) location.replace(href(path));
  else location.hash = path;
}

export function goBack(fallback: string): void {
  if (history.length > 1) history.back();
  else navigate(fallback, true);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => {
      setRoute(parseRoute(location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
