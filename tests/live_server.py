"""A real `fieldvisit serve` process on a free loopback port, for tests that need one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parent.parent
CLI = str(PROJECT / ".venv" / "bin" / "fieldvisit")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(database_url: str, *args: str) -> None:
    env = {**os.environ, "FIELDVISIT_DATABASE_URL": database_url, "FIELDVISIT_ENV": "development"}
    subprocess.run([CLI, *args], env=env, check=True, capture_output=True, timeout=120)


class LiveServer:
    def __init__(self, database_url: str, port: int | None = None, workers: int = 1) -> None:
        self.database_url = database_url
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> LiveServer:
        env = {
            **os.environ,
            "FIELDVISIT_DATABASE_URL": self.database_url,
            "FIELDVISIT_ENV": "development",
        }
        command = [CLI, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("the server exited during start-up")
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("the server did not answer /api/v1/health in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no chance to finish the request in hand."""
        if self.process and self.process.poll() is None:
            # The whole process group: uvicorn's worker processes die with their parent.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
