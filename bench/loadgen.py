"""A lean HTTP/1.1 keep-alive load generator on asyncio streams.

Hand-built requests and a minimal response parser (status line, Content-Length body) keep
the generator's CPU cost far below the server's, which matters on a 2-core machine; httpx
costs several times more per request. Responses without Content-Length are refused.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ClosedLoopResult", "Connection", "closed_loop"]

_MAX_HEAD = 64 * 1024


class Connection:
    """One keep-alive connection; one request at a time."""

    def __init__(self, host: str, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self._host = host
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port, limit=_MAX_HEAD)
        return cls(f"{host}:{port}", reader, writer)

    def close(self) -> None:
        self._writer.close()

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}"]
        if body or method in ("POST", "PUT", "PATCH"):
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return await self._response()

    async def _response(self) -> tuple[int, bytes]:
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length = None
        for line in header_lines:
            name, _, value = line.partition(":")
            lname = name.strip().lower()
            if lname == "content-length":
                length = int(value.strip())
            elif lname == "transfer-encoding":
                raise RuntimeError("chunked responses are not supported by this generator")
        if length is None:
            raise RuntimeError("response without Content-Length")
        body = await self._reader.readexactly(length) if length else b""
        return status, body


RequestFactory = Callable[[int], tuple[str, str, bytes, dict[str, str]]]


@dataclass
class ClosedLoopResult:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def ok(self, expected: int) -> int:
        return self.statuses[expected]


async def closed_loop(host: str, port: int, make: RequestFactory, *, concurrency: int,
                      duration: float, warmup: float = 0.0) -> ClosedLoopResult:
    """`concurrency` connections each sending request after request for `duration` seconds.

    Requests finishing during the first `warmup` seconds are not counted.
    """
    result = ClosedLoopResult()
    start = time.perf_counter()
    count_from = start + warmup
    stop_at = count_from + duration
    counter = iter(range(1 << 62))

    async def worker() -> None:
        conn = await Connection.open(host, port)
        try:
            while True:
                method, path, body, headers = make(next(counter))
                sent = time.perf_counter()
                if sent >= stop_at:
                    return
                status, _ = await conn.request(method, path, body, headers)
                done = time.perf_counter()
                if sent >= count_from:
                    result.requests += 1
                    result.statuses[status] += 1
                    result.latencies.append(done - sent)
        finally:
            conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - count_from
    return result
