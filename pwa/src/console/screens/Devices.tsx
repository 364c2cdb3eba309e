// Devices and people: every officer with their phones, the last sync, revoke (lost or
// stolen: the phone erases itself) and retire (replaced: the phone erases itself, the
// officer signs in on the new one). Both ask once, in plain words.
import { useMemo, useState } from "preact/hooks";
import { formatDateTime, t } from "../../i18n";
import { toast } from "../../ui/toast";
import { consoleApi } from "../api";
import { DataTable } from "../components/DataTable";
import { ConfirmDialog } from "../components/Dialog";
import { useAction, useLoad, useUsers } from "../hooks";
import type { DevicePublic, UserPublic } from "../types";

interface Row {
  key: string;
  user: UserPublic | null;
  device: DevicePublic | null;
}

export function DevicesScreen() {
  const users = useUsers();
  const devices = useLoad(() => consoleApi.devices(), []);
  const [pending, setPending] = useState<{ kind: "revoke" | "retire"; row: Row } | null>(null);
  const [showOld, setShowOld] = useState(false);
  const action = useAction();

  const rows = useMemo(() => {
    const out: Row[] = [];
    const list = devices.data ?? [];
    for (const u of users ?? []) {
      const mine = list.filter((d) => d.user_id === u.id && (showOld || d.status === "active"));
      if (!mine.length) out.push({ key: `u-${u.id}`, user: u, device: null });
      for (const d of mine) out.push({ key: d.device_id, user: u, device: d });
    }
    for (const d of list) {
      if (!users?.some((u) => u.id === d.user_id) && (showOld || d.status === "active")) out.push({ key: d.device_id, user: null, device: d });
    }
    return out;
  }, [users, devices.data, showOld]);

  const confirm = async () => {
    if (!pending?.row.device) return;
    const id = pending.row.device.device_id;
    const ok = await action.run(() => (pending.kind === "revoke" ? consoleApi.revoke(id) : consoleApi.retire(id)));
    if (ok) {
      toast(t(`console.devices.done.${pending.kind}`));
      setPending(null);
      await devices.reload();
    }
  };

  const who = (r: Row) => r.user?.full_name ?? r.device?.username ?? "";

  return (
    <div class="c-screen" data-testid="devices-screen">
      <header class="c-head">
        <h1>{t("console.nav.devices")}</h1>
        <label class="c-check-line">
          <input type="checkbox" checked={showOld} onChange={(e) => setShowOld(e.currentTarget.checked)} />
          {t("console.devices.showOld")}
        </label>
        <span class="c-spacer" />
        <button type="button" class="c-btn" onClick={() => void devices.reload()}>
          {t("console.refresh")}
        </button>
      </header>
      {devices.error && <p class="c-error">{devices.error}</p>}
      <section class="c-card">
        <p class="c-muted c-small-text">{t("console.devices.explain")}</p>
        <DataTable
          rows={rows}
          rowKey={(r) => r.key}
          filename="devices"
          testId="devices"
          rowAttrs={(r) => ({ "data-testid": "device-row", "data-username": r.user?.username ?? r.device?.username, "data-status": r.device?.status ?? "none", "data-device-id": r.device?.device_id })}
          columns={[
            { key: "person", label: t("console.devices.person"), value: who, render: (r) => <span>{who(r)} <span class="c-muted">{r.user?.username ?? r.device?.username}</span></span> },
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
                r.device?.status === "active" ? (
                  <span class="c-row c-nowrap">
                    <button type="button" class="c-btn c-small" onClick={() => setPending({ kind: "retire", row: r })} data-testid="retire">
                      {t("console.devices.retire")}
                    </button>
                    <button type="button" class="c-btn c-small c-danger" onClick={() => setPending({ kind: "revoke", row: r })} data-testid="revoke">
                      {t("console.devices.revoke")}
                    </button>
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
          onNo={() => setPending(null)}
          onYes={() => void confirm()}
        />
      )}
    </div>
  );
}
