// One colour per route (team), the same on the map, the legend and the lists. The palette is
// Okabe-Ito-like: distinguishable with the common colour-vision deficiencies, and dark enough
// for white numbers on the markers. Red is kept for danger (SOS), so no route is red.

export const ROUTE_COLOURS = ["#0b5cad", "#b35900", "#1c7c54", "#7b3fa0", "#00707a", "#8a6d00", "#4a5968", "#a3366f"] as const;

/** A route is known by its lead: one lead drives one route a day, whoever goes along. */
export function teamKey(officerIds: readonly string[]): string {
  return officerIds[0] ?? "";
}

/**
 * Colours for routes, stable across polls, moves and re-optimisations: routes are ordered
 * by their lead's id and take the palette in turn (wrapping after eight).
 */
export function routeColours(teams: readonly (readonly string[])[]): Map<string, string> {
  const keys = [...new Set(teams.map(teamKey))].sort();
  const out = new Map<string, string>();
  keys.forEach((key, i) => out.set(key, ROUTE_COLOURS[i % ROUTE_COLOURS.length] as string));
  return out;
}

export function colourFor(colours: Map<string, string>, officerIds: readonly string[]): string {
  return colours.get(teamKey(officerIds)) ?? ROUTE_COLOURS[6];
}

/** Stop markers by visit status: filled when done, ringed when checked in, pale when skipped. */
export function stopStyle(status: string): { fill: boolean; opacity: number; ring: boolean } {
  switch (status) {
    case "done":
      return { fill: true, opacity: 1, ring: false };
    case "checked_in":
      return { fill: true, opacity: 1, ring: true };
    case "skipped":
    case "cancelled":
      return { fill: false, opacity: 0.45, ring: false };
    default:
      return { fill: false, opacity: 1, ring: false };
  }
}
