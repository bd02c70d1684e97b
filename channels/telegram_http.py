"""python-telegram-bot's requests through aiohttp instead of httpx.

Sending is most of the bot's work during a fan-out, and PTB's default client (httpx over anyio)
costs about 3.5 ms of CPU a request; aiohttp costs about 0.5 ms. On a shared machine that CPU is
what caps the sending rate, well below Telegram's limit. PTB still builds the request and reads
Telegram's answer (status codes -> RetryAfter, Forbidden...); only the HTTP round trip is here.
"""
from __future__ import annotations

import asyncio

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# aiohttp's failures before the request left: sending again cannot make a double.
NEVER_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
# Its failures once the request may have left.
LEFT = (aiohttp.ClientError, asyncio.TimeoutError)


class AiohttpRequest(BaseRequest):
    """At most `connections` requests at once; one more waits up to `pool_timeout` seconds for a
    connection, and is then refused unsent (as httpx's PoolTimeout)."""

    def __init__(self, connections: int, *, read_timeout: float | None = 5.0, connect_timeout: float = 5.0,
                 pool_timeout: float = 1.0, media_timeout: float = 20.0) -> None:
        self.connections = connections
        self._read_timeout, self.connect_timeout, self.pool_timeout = read_timeout, connect_timeout, pool_timeout
        self.media_timeout = media_timeout  # an upload's whole request: aiohttp has no write timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        data = _form(request_data.json_parameters, files) if request_data else None
        pool, connect = _given(pool_timeout, self.pool_timeout), _given(connect_timeout, self.connect_timeout)
        timeout = aiohttp.ClientTimeout(
            total=self.media_timeout if files else None,
            # aiohttp's `connect` includes the wait for a free connection.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect, sock_read=_given(read_timeout, self._read_timeout))
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut("Pool or connect timeout: the request was not sent") from exc
        except asyncio.TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc


def _given(value, default):
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def _form(fields: dict[str, str], files) -> dict[str, str] | aiohttp.FormData:
    """Form-encoded fields, or multipart with the files (as PTB sends them through httpx)."""
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
