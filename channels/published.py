"""Files published at unguessable, expiring addresses, for platforms that take a URL rather
than bytes (the Zalo Bot's sendPhoto). Nothing is listable: a file is reached only by its
random token, and an unknown or expired token is a plain 404. Kept in memory and bounded, so
it serves only what this process published (the `serve` process that sent the message)."""
from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from aiohttp import web

from core.clock import Clock
from handlers.types import File

MAX_FILES = 2_000  # a QR code is about 1 KB; the oldest go first
CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".csv": "text/csv",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class _Published:
    file: File
    expires: datetime


class PublishedFiles:
    def __init__(self, base_url: str, prefix: str, clock: Clock, size: int = MAX_FILES) -> None:
        self.base_url, self.prefix, self.clock, self.size = base_url.rstrip("/"), prefix, clock, size
        self._files: OrderedDict[str, _Published] = OrderedDict()

    @property
    def route(self) -> str:
        return self.prefix + "/{token}/{name}"

    def publish(self, file: File, lifetime: timedelta) -> str:
        """The public URL of `file`, valid for `lifetime`."""
        token = secrets.token_urlsafe(24)  # 192 bits
        self._files[token] = _Published(file, self.clock.now() + lifetime)
        while len(self._files) > self.size:
            self._files.popitem(last=False)
        return f"{self.base_url}{self.prefix}/{token}/{quote(file.name)}"

    async def serve(self, request: web.Request) -> web.Response:
        published = self._files.get(request.match_info["token"])
        if published is None or published.file.name != request.match_info["name"]:
            raise web.HTTPNotFound()
        if self.clock.now() >= published.expires:
            del self._files[request.match_info["token"]]
            raise web.HTTPNotFound()
        suffix = "." + published.file.name.rsplit(".", 1)[-1].lower()
        return web.Response(body=published.file.data,
                            content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"), headers={"Cache-Control": "private, max-age=3600", "X-Robots-Tag": "noindex"})
