// Devices and people: every officer with their phones, the last sync, revoke (lost or
// stolen: the phone erases itself and the officer may not sign in on a new phone until a
// manager re-enables it here) and retire (replaced: the phone erases itself, the officer
// signs in on the new one). Each asks once, in plain words.
import { useMemo, useState } from "preact/hooks";
import { formatDateTime, t } from "../../i18n";
import { toast } from "../../ui/toast";
import { consoleApi } from "../api";
import { DataTable } from "../components/DataTable";
import { ConfirmDialog } from "../components/Dialog";
import { blockedPeople, deviceRows, type DeviceRow } from "../devices";
import { useAction, useLoad } from "../hooks";

type Kind = "revoke" | "retire" | "enable";

export function DevicesScreen() {
  // Read live (not the console's cached user list): a revoke sets the owner's block.
  const users = useLoad(() => consoleApi.users(), []);
  const devices = useLoad(() => consoleApi.devices(), []);
  const [pending, setPending] = useState<{ kind: Kind; row: DeviceRow } | null>(null);
  const [showOld, setShowOld] = useState(false);
  const action = useAction();

  const rows = useMemo(() => deviceRows(users.data ?? [], devices.data ?? [], showOld), [users.data, devices.data, showOld]);

  const blocked = useMemo(() => blockedPeople(rows), [rows]);
  const blockText = (r: DeviceRow) =>
    r.block?.since ? t("console.devices.blockedSince", { since: formatDateTime(r.block.since) }) : t("console.devices.blockedNoDate");
  const enableButton = (r: DeviceRow) => (
    <button type="button" class="c-btn c-small c-primary" onClick={() => setPending({ kind: "enable", row: r })} data-testid="enable-phone">
      {t("console.devices.enable")}
    </button>
  );

  const reload = () => Promise.all([users.reload(), devices.reload()]);

  const call = (kind: Kind, row: DeviceRow): (() => Promise<unknown>) | null => {
    const block = row.block;
    if (kind === "enable") return block ? () => consoleApi.enablePhone(block.userId) : null;
    const id = row.device?.device_id;
    if (!id) return null;
    return kind === "revoke" ? () => consoleApi.revoke(id) : () => consoleApi.retire(id);
  };

  const confirm = async () => {
    if (!pending) return;
    const fn = call(pending.kind, pending.row);
    if (!fn) return;
    const ok = await action.run(fn);
    if (ok) {
      toast(t(`console.devices.done.${pending.kind}`, { name: who(pending.row) }));
      setPending(null);
      await reload();
    }
  };

  const who = (r: DeviceRow) => r.user?.full_name ?? r.username;

  return (
    <div class="c-screen" data-testid="devices-screen">
      <header class="c-head">
        <h1>{t("console.nav.devices")}</h1>
        <label class="c-check-line">
          <input type="checkbox" checked={showOld} onChange={(e) => setShowOld(e.currentTarget.checked)} />
          {t("console.devices.showOld")}
        </label>
        <span class="c-spacer" />
        <button type="button" class="c-btn" onClick={() => void reload()}>
          {t("console.refresh")}
        </button>
      </header>
      {users.error && <p class="c-error">{users.error}</p>}
      {devices.error && <p class="c-error">{devices.error}</p>}
      {blocked.length > 0 && (
        <div class="c-warn-box" role="status" data-testid="phone-blocks">
          <strong>{t("console.devices.blockedTitle")}</strong>
          <ul class="c-blocked-list">
            {blocked.map((r) => (
              <li key={r.block?.userId} data-username={r.username}>
                <strong>{who(r)}</strong> <span class="c-muted">{r.username}</span> · {blockText(r)} {enableButton(r)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <section class="c-card">
        <p class="c-muted c-small-text">{t("console.devices.explain")}</p>
        <DataTable
          rows={rows}
          rowKey={(r) => r.key}
          filename="devices"
          testId="devices"
          rowClass={(r) => (r.block ? "c-row-warn" : "")}
          rowAttrs={(r) => ({
            "data-testid": "device-row",
            "data-username": r.username,
            "data-status": r.device?.status ?? "none",
            "data-device-id": r.device?.device_id,
            "data-phone-blocked": r.block ? "yes" : undefined,
          })}
          columns={[
            {
              key: "person",
              label: t("console.devices.person"),
              value: who,
              render: (r) => (
                <span>
                  {who(r)} <span class="c-muted">{r.username}</span>
                  {r.block && (
                    <span class="c-blocked" data-testid="phone-blocked">
                      <span class="c-chip-status revoked">{t("console.devices.blocked")}</span>
                      <span class="c-warn-text c-small-text">{blockText(r)}</span>
                    </span>
                  )}
                </span>
              ),
            },
            { key: "role", label: t("console.devices.role"), value: (r) => t(`console.role.${r.user?.role === "officer" ? "officer" : "manager"}`) },
            { key: "phone", label: t("borrower.phone"), value: (r) => r.user?.phone ?? "" },
            { key: "device", label: t("console.devices.device"), value: (r) => (r.device ? `${r.device.name} (${r.device.platform})` : ""), render: (r) => (r.device ? `${r.device.name} · ${r.device.platform}` : <span class="c-muted">{t("console.devices.none")}</span>) },
            {
              key: "status",
              label: t("console.today.status"),
              value: (r) => (r.device ? t(`console.devices.status.${r.device.status}`) : ""),
              render: (r) => (r.device ? <span class={`c-chip-status ${r.device.status}`}>{t(`console.devices.status.${r.device.status}`)}</span> : "—"),
            },
            { key: "seen", label: t("console.devices.lastSeen"), value: (r) => r.device?.last_seen_at ?? "", render: (r) => (r.device?.last_seen_at ? formatDateTime(r.device.last_seen_at) : "—") },
            { key: "sync", label: t("console.devices.lastSync"), value: (r) => r.device?.last_pull_at ?? "", render: (r) => (r.device?.last_pull_at ? formatDateTime(r.device.last_pull_at) : t("sync.never")) },
            { key: "entries", label: t("console.devices.entries"), value: (r) => r.device?.last_mutation_id ?? null, numeric: true },
            { key: "since", label: t("console.devices.since"), value: (r) => r.device?.created_at ?? "", render: (r) => (r.device ? formatDateTime(r.device.created_at) : "—") },
            {
              key: "act",
              label: "",
              value: () => "",
              noExport: true,
              sortable: false,
              render: (r) =>
                r.device?.status === "active" || r.block ? (
                  <span class="c-row c-nowrap">
                    {r.device?.status === "active" && (
                      <>
                        <button type="button" class="c-btn c-small" onClick={() => setPending({ kind: "retire", row: r })} data-testid="retire">
                          {t("console.devices.retire")}
                        </button>
                        <button type="button" class="c-btn c-small c-danger" onClick={() => setPending({ kind: "revoke", row: r })} data-testid="revoke">
                          {t("console.devices.revoke")}
                        </button>
                      </>
                    )}
                    {r.block && enableButton(r)}
                  </span>
                ) : null,
            },
          ]}
        />
      </section>
      {pending && (
        <ConfirmDialog
          title={t(`console.devices.ask.${pending.kind}`)}
          text={t(`console.devices.askText.${pending.kind}`, { name: who(pending.row), device: pending.row.device?.name ?? "" })}
          yes={t(`console.devices.${pending.kind}`)}
          danger={pending.kind === "revoke"}
          busy={action.busy}
          error={action.error}
          onNo={() => {
            action.clear();
            setPending(null);
          }}
          onYes={() => void confirm()}
        />
      )}
    </div>
  );
}
