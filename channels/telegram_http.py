"""python-telegram-bot's requests through aiohttp instead of httpx.

Sending is most of the bot's work during a fan-out, and PTB's default client (httpx over anyio)
costs about 3.5 ms of CPU a request; aiohttp costs about 0.5 ms. On a shared machine that CPU is
what caps the sending rate, well below Telegram's limit. PTB still builds the request and reads
Telegram's answer (status codes -> RetryAfter, Forbidden...); only the HTTP round trip is here.
Messages the bot sends skip PTB's objects both ways (see `send`).
"""
from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp.payload import BytesPayload
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

    async def send(self, url: str, params: dict[str, Any], files: dict | None = None) -> None:
        """POST a Bot API method whose answer nobody reads. `params` as PTB's api_kwargs (JSON
        values); `files` as InputFile.field_tuple. Without files the body is JSON, which the Bot
        API reads as it reads a form, and which costs a tenth of urlencoding Vietnamese text;
        with files, the multipart form PTB would make. A failure raises what PTB raises
        (RetryAfter, Forbidden, BadRequest, NetworkError...), from PTB's own reading of the
        status; a success is not parsed at all (PTB would build a telegram.Message from it)."""
        if files:
            fields = {name: value if isinstance(value, str) else json.dumps(value) for name, value in params.items()}
            body = Body(_form(fields, files), upload=True)
        else:
            body = Body(BytesPayload(json.dumps(params).encode(), content_type="application/json"), upload=False)
        # PTB's own (private) status reading; tests/channel/test_telegram_sends.py holds it to the outbox's terms.
        await self._request_wrapper(url, "POST", request_data=body)  # type: ignore[arg-type]

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        if isinstance(request_data, Body):  # made by send()
            data, upload = request_data.payload, request_data.upload
        else:
            files = request_data.multipart_data if request_data else None
            data, upload = _form(request_data.json_parameters, files) if request_data else None, bool(files)
        pool, connect = _given(pool_timeout, self.pool_timeout), _given(connect_timeout, self.connect_timeout)
        timeout = aiohttp.ClientTimeout(
            total=self.media_timeout if upload else None,
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


class Body:
    """A request body made by `send`, where PTB would pass its RequestData to do_request."""
    __slots__ = ("payload", "upload")

    def __init__(self, payload: aiohttp.payload.Payload, upload: bool) -> None:
        self.payload, self.upload = payload, upload


def _form(fields: dict[str, str], files) -> BytesPayload | aiohttp.FormData:
    """Form-encoded fields, or multipart with the files (as PTB sends them through httpx)."""
    if not files:  # the bytes aiohttp.FormData would make, without building one
        return BytesPayload(urlencode(fields).encode(), content_type="application/x-www-form-urlencoded")
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
