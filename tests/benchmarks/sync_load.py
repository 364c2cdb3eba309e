"""Load generator for the sync benchmark, run as its own process so that its CPU time and
its GIL do not sit inside the latencies it measures.

    python tests/benchmarks/sync_load.py URL PHONES.json SECONDS

PHONES.json lists signed-in phones (`device_id`, `token`, `cookie`, `next_id`,
`borrowers`). Each phone, in a loop until SECONDS pass: queues 1-5 notes, waits 0.5-1.5 s,
pushes its outbox and pulls. Prints one JSON object: per-request latencies (seconds),
server times from `Server-Timing` (ms), errors and the wall time."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from typing import Any

import httpx


class LoadPhone:
    def __init__(self, state: dict[str, Any]) -> None:
        self.device_id: str = state["device_id"]
        self.cookie: str | None = state["cookie"]
        self.next_id: int = state["next_id"]
        self.borrowers: list[str] = state["borrowers"]
        self.headers = {"Authorization": f"Bearer {state['token']}", "X-Device-Id": self.device_id}
        self.outbox: list[dict[str, Any]] = []
        self.rng = random.Random(self.device_id)

    def queue_notes(self) -> None:
        for _ in range(self.rng.randint(1, 5)):
            self.outbox.append(
                {
                    "id": self.next_id,
                    "name": "note.add",
                    "args": {
                        "note_id": str(uuid.uuid4()),
                        "borrower_id": self.rng.choice(self.borrowers),
                        "text": "负载测试记录",
                        "at": "2026-11-23T02:00:00Z",
                    },
                    "client_time": "2026-11-23T02:00:00Z",
                }
            )
            self.next_id += 1

    def push_body(self) -> dict[str, Any]:
        return {"protocol": 1, "device_id": self.device_id, "mutations": self.outbox[:100]}

    def pushed(self, body: dict[str, Any]) -> None:
        self.outbox = [m for m in self.outbox if m["id"] > body["last_mutation_id"]]

    def pull_body(self) -> dict[str, Any]:
        return {"protocol": 1, "device_id": self.device_id, "cookie": self.cookie}

    def pulled(self, body: dict[str, Any]) -> None:
        self.cookie = body["cookie"]


class Recorder:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {"push": [], "pull": []}
        self.server_ms: dict[str, list[float]] = {"push": [], "pull": []}
        self.errors: list[str] = []
        self.changes_per_pull: list[int] = []

    async def call(
        self, client: httpx.AsyncClient, path: str, phone: LoadPhone, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        kind = path.rsplit("/", 1)[-1]
        started = time.perf_counter()
        try:
            response = await client.post(path, json=body, headers=phone.headers)
        except httpx.HTTPError as exc:
            self.latencies[kind].append(time.perf_counter() - started)
            self.errors.append(type(exc).__name__)
            return None
        self.latencies[kind].append(time.perf_counter() - started)
        timing = response.headers.get("server-timing", "")
        if "dur=" in timing:
            self.server_ms[kind].append(float(timing.split("dur=")[1].split(",")[0]))
        if response.status_code != 200:
            self.errors.append(str(response.status_code))
            return None
        return dict(response.json())


async def run_phone(
    phone: LoadPhone, client: httpx.AsyncClient, recorder: Recorder, deadline: float
) -> None:
    while time.monotonic() < deadline:
        phone.queue_notes()
        await asyncio.sleep(phone.rng.uniform(0.5, 1.5))
        pushed = await recorder.call(client, "/api/v1/sync/push", phone, phone.push_body())
        if pushed is not None:
            phone.pushed(pushed)
        pulled = await recorder.call(client, "/api/v1/sync/pull", phone, phone.pull_body())
        if pulled is not None:
            phone.pulled(pulled)
            recorder.changes_per_pull.append(len(pulled["changes"]))


async def main(url: str, phones_file: str, seconds: float) -> dict[str, Any]:
    with open(phones_file, encoding="utf-8") as handle:
        phones = [LoadPhone(state) for state in json.load(handle)]
    recorder = Recorder()
    # One keep-alive connection per phone, as each phone has its own; idle ones are dropped
    # before the server's 5 s keep-alive ends, so a request never races the server's close.
    limits = httpx.Limits(
        max_connections=len(phones), max_keepalive_connections=len(phones), keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(run_phone(p, client, recorder, deadline) for p in phones))
        wall = time.monotonic() - started
    return {
        "latencies": recorder.latencies,
        "server_ms": recorder.server_ms,
        "errors": recorder.errors,
        "changes_per_pull": recorder.changes_per_pull,
        "wall": wall,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))))
