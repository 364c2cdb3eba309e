// Teams of a new plan: officers as chips per team; the first one chosen leads. An officer in
// one team cannot be chosen for another.
import { t } from "../../../i18n";
import { colourFor, routeColours } from "../../colours";
import type { UserPublic } from "../../types";
import { removeTeam, teamOf, toggleMember } from "./plan";

export function TeamBuilder({ officers, teams, setTeams }: { officers: UserPublic[]; teams: string[][]; setTeams: (t: string[][]) => void }) {
  const used = teamOf(teams);
  const colours = routeColours(teams.filter((tm) => tm.length));
  return (
    <div class="c-teams" data-testid="teams">
      {teams.map((team, i) => (
        <fieldset key={i} class="c-team" data-testid="team" data-team={i + 1}>
          <legend>
            <span class="c-swatch" style={{ background: team.length ? colourFor(colours, team) : "#c9d2db" }} aria-hidden="true" />
            {t("console.plan.team", { n: i + 1 })}
            {team.length > 0 && <span class="c-muted"> · {t("console.plan.leadIs", { name: officers.find((o) => o.id === team[0])?.full_name ?? "" })}</span>}
          </legend>
          <div class="c-chips">
            {officers.map((o) => (
              <button
                type="button"
                key={o.id}
                class="c-chip"
                aria-pressed={team.includes(o.id)}
                disabled={used.has(o.id) && used.get(o.id) !== i}
                data-username={o.username}
                onClick={() => setTeams(toggleMember(teams, i, o.id))}
              >
                {o.full_name}
                {team[0] === o.id && <span class="c-lead">{t("console.plan.lead")}</span>}
              </button>
            ))}
          </div>
          {teams.length > 1 && (
            <button type="button" class="c-btn c-plain c-small" onClick={() => setTeams(removeTeam(teams, i))}>
              {t("console.plan.removeTeam")}
            </button>
          )}
        </fieldset>
      ))}
      <button type="button" class="c-btn" onClick={() => setTeams([...teams, []])} data-testid="add-team">
        {t("console.plan.addTeam")}
      </button>
    </div>
  );
}
