"""A stand-in for AMap's geocoding service on 127.0.0.1 (an ephemeral port), answering in
AMap's documented JSON: for tests and the import benchmark."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

Answerer = Callable[[str], dict[str, object]]


def amap_found(
    lat: float, lon: float, level: str = "门牌号", formatted: str = ""
) -> dict[str, object]:
    return {
        "status": "1",
        "info": "OK",
        "infocode": "10000",
        "count": "1",
        "geocodes": [
            {
                "formatted_address": formatted or "山东省德州市陵城区",
                "country": "中国",
                "province": "山东省",
                "city": "德州市",
                "district": "陵城区",
                "township": [],
                "location": f"{lon:.6f},{lat:.6f}",
                "level": level,
            }
        ],
    }


AMAP_NOT_FOUND: dict[str, object] = {
    "status": "1",
    "info": "OK",
    "infocode": "10000",
    "count": "0",
    "geocodes": [],
}
AMAP_BAD_KEY: dict[str, object] = {"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}


@contextmanager
def amap_server(answer: Answerer) -> Iterator[tuple[str, list[str]]]:
    """(base URL, addresses asked) of a server answering `GET /v3/geocode/geo`."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path != "/v3/geocode/geo" or not query.get("key"):
                body, status = AMAP_BAD_KEY, 200
            else:
                address = query.get("address", [""])[0]
                asked.append(address)
                body, status = answer(address), 200
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()
