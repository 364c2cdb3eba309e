// HTTP to the same-origin API (/api/v1). Every error body is {"error", "detail", ...}.
import type { components } from "../api/schema";
import type { FieldDb } from "./db";
import { deleteMeta, getMeta, getMetaMany, setMeta } from "./meta";
import type { PullResponse, PushResponse } from "./types";

export const PROTOCOL = 1;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly body: Record<string, unknown>,
    readonly retryAfterMs: number | null,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = "ApiError";
  }
}

/** No answer at all: no signal, DNS, a dropped connection. */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super("Network unavailable", { cause });
    this.name = "NetworkError";
  }
}

/** The server refused this phone for good (lost or stolen): local data were erased. */
export class DeviceRevokedError extends Error {
  constructor() {
    super("Device revoked");
    this.name = "DeviceRevokedError";
  }
}

/** The refresh token no longer works: the officer has to sign in again (data kept). */
export class SignInRequiredError extends Error {
  constructor() {
    super("Sign in again");
    this.name = "SignInRequiredError";
  }
}

export type TokenResponse = components["schemas"]["TokenResponse"];
type DevicePublic = components["schemas"]["DevicePublic"];

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];

export interface RequestOptions {
  method?: string;
  /** Query parameters; null, undefined and "" are left out, arrays repeat the key. */
  query?: Record<string, QueryValue>;
  json?: unknown;
  form?: FormData;
  accept?: string;
}

export function toQuery(params: Record<string, QueryValue>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "") continue;
    if (Array.isArray(value)) for (const v of value) q.append(key, String(v));
    else q.set(key, String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiOptions {
  db: FieldDb;
  fetch?: FetchFn;
  base?: string;
  /** Called on 401 DeviceRevoked, before the error is thrown: erase the phone at once. */
  onRevoked: () => Promise<void>;
}

export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await res.json();
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // a proxy's HTML error page: keep the status only
  }
  const code = typeof body.error === "string" ? body.error : `Http${res.status}`;
  const detail = typeof body.detail === "string" ? body.detail : res.statusText;
  return new ApiError(res.status, code, detail, body, parseRetryAfter(res.headers.get("Retry-After")));
}

function isRevoked(err: ApiError): boolean {
  return err.status === 401 && (err.code === "DeviceRevoked" || err.body.wipe === true);
}

export class Api {
  private readonly db: FieldDb;
  private readonly fetchFn: FetchFn;
  private readonly base: string;
  private readonly onRevoked: () => Promise<void>;
  private refreshing: Promise<void> | null = null;

  constructor(opts: ApiOptions) {
    this.db = opts.db;
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.base = opts.base ?? "/api/v1";
    this.onRevoked = opts.onRevoked;
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, { ...init, cache: "no-store" });
    } catch (err) {
      throw new NetworkError(err);
    }
    if (res.ok) return res;
    const err = await toApiError(res);
    if (isRevoked(err)) {
      await this.onRevoked();
      throw new DeviceRevokedError();
    }
    throw err;
  }

  /** OAuth2 password form; `clientId` binds the token to this phone's device id. */
  async token(username: string, password: string, clientId?: string): Promise<TokenResponse> {
    const form = new URLSearchParams({ grant_type: "password", username, password });
    if (clientId) form.set("client_id", clientId);
    const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
    if (clientId) headers["X-Device-Id"] = clientId;
    const res = await this.send("/auth/token", { method: "POST", headers, body: form.toString() });
    return (await res.json()) as TokenResponse;
  }

  async registerDevice(accessToken: string, name: string, platform: string): Promise<string> {
    const res = await this.send("/devices", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ name, platform }),
    });
    const body = (await res.json()) as DevicePublic;
    return body.device_id;
  }

  async storeTokens(t: TokenResponse): Promise<void> {
    await this.db.transaction("rw", this.db.meta, async () => {
      await setMeta(this.db, "accessToken", t.access_token);
      await setMeta(this.db, "refreshToken", t.refresh_token);
      await setMeta(this.db, "user", t.user);
    });
  }

  /**
   * End the server's session of this refresh token (sign-out). Best effort: offline, the
   * token is dropped locally anyway and ends at the session's absolute lifetime.
   */
  async signOut(refreshToken: string): Promise<void> {
    await this.send("/auth/sign-out", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
  }

  /**
   * One refresh at a time, whoever asks, across tabs too (Web Locks where available): a
   * refresh token is spent when used, and presenting a spent one ends the session.
   */
  refresh(): Promise<void> {
    const before = this.accessTokenSeen;
    const run = (): Promise<void> => this.doRefresh(before);
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    if (this.refreshing) return this.refreshing;
    const locked: Promise<void> = locks ? locks.request("fieldvisit-refresh", run).then(() => undefined) : run();
    const refreshing = locked.finally(() => {
      this.refreshing = null;
    });
    this.refreshing = refreshing;
    return refreshing;
  }

  /** The access token the last failed request used; another tab may have refreshed since. */
  private accessTokenSeen: string | undefined;

  private async doRefresh(failedWith?: string): Promise<void> {
    const { refreshToken, accessToken } = await getMetaMany(this.db, ["refreshToken", "accessToken"] as const);
    if (!refreshToken) throw new SignInRequiredError();
    // Another tab refreshed while this one waited for the lock: use its tokens.
    if (failedWith !== undefined && accessToken && accessToken !== failedWith) return;
    const deviceId = await getMeta(this.db, "deviceId");
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (deviceId) headers["X-Device-Id"] = deviceId;
    try {
      const res = await this.send("/auth/refresh", {
        method: "POST",
        headers,
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      await this.storeTokens((await res.json()) as TokenResponse);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        await deleteMeta(this.db, "accessToken", "refreshToken");
        await setMeta(this.db, "notice", "session_expired");
        throw new SignInRequiredError();
      }
      throw err;
    }
  }

  /** POST JSON with the bearer token and X-Device-Id; on 401 NotAuthenticated refresh once. */
  async postJson<T>(path: string, body: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { accessToken, deviceId } = await getMetaMany(this.db, ["accessToken", "deviceId"] as const);
      if (!accessToken) throw new SignInRequiredError();
      const headers: Record<string, string> = {
        "Content-Type": "application/json",
        Authorization: `Bearer ${accessToken}`,
      };
      if (deviceId) headers["X-Device-Id"] = deviceId;
      try {
        const res = await this.send(path, { method: "POST", headers, body: JSON.stringify(body) });
        return (await res.json()) as T;
      } catch (err) {
        if (attempt === 0 && err instanceof ApiError && err.status === 401) {
          this.accessTokenSeen = accessToken;
          await this.refresh();
          continue;
        }
        if (err instanceof ApiError && err.status === 401) throw new SignInRequiredError();
        throw err;
      }
    }
  }

  /**
   * Any request with the bearer token and X-Device-Id (the manager's console uses it for its
   * REST calls). On 401 NotAuthenticated the token is refreshed once and the call repeated.
   * Returns the response when it is 2xx; throws ApiError otherwise.
   */
  async request(path: string, opts: RequestOptions = {}): Promise<Response> {
    const query = opts.query ? toQuery(opts.query) : "";
    for (let attempt = 0; ; attempt++) {
      const { accessToken, deviceId } = await getMetaMany(this.db, ["accessToken", "deviceId"] as const);
      if (!accessToken) throw new SignInRequiredError();
      const headers: Record<string, string> = { Authorization: `Bearer ${accessToken}` };
      if (deviceId) headers["X-Device-Id"] = deviceId;
      if (opts.accept) headers.Accept = opts.accept;
      let body: BodyInit | undefined;
      if (opts.form) body = opts.form;
      else if (opts.json !== undefined) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(opts.json);
      }
      try {
        return await this.send(path + query, { method: opts.method ?? (body ? "POST" : "GET"), headers, body });
      } catch (err) {
        if (attempt === 0 && err instanceof ApiError && err.status === 401) {
          this.accessTokenSeen = accessToken;
          await this.refresh();
          continue;
        }
        if (err instanceof ApiError && err.status === 401) throw new SignInRequiredError();
        throw err;
      }
    }
  }

  async pull(deviceId: string, cookie: string | null): Promise<PullResponse> {
    return this.postJson<PullResponse>("/sync/pull", { protocol: PROTOCOL, device_id: deviceId, cookie });
  }

  async push(deviceId: string, mutations: readonly unknown[]): Promise<PushResponse> {
    return this.postJson<PushResponse>("/sync/push", { protocol: PROTOCOL, device_id: deviceId, mutations });
  }
}
