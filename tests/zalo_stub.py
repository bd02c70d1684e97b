"""In-process stand-in for the Zalo OA Open API v3 (send, upload, token refresh), served on 127.0.0.1.

Strict: it accepts only the shapes Zalo's references send, and refuses the rest as the real API
would (HTTP 200, {"error": <negative code>, "message": ...}), recording each refusal in
`refused` so that a test can assert none happened. References:
- send: zaloplatform/zalo-java-sdk src/test/java/v3/SendTextCSMessage.java (recipient.user_id,
  message.text), v3/SendImageCSMessage.java (attachment template "media" with elements),
  chatwoot/chatwoot app/services/zalo_oa/message_sender.rb (media by attachment_id, files by
  token, message.quote_message_id, the error codes and what they mean);
- upload: zalo-java-sdk src/test/java/UploadImage.java and v3/UploadFile.java (multipart "file",
  answer data.attachment_id / data.token);
- token: zalo-java-sdk src/test/java/GetAccessTokenByRefreshToken.java (form refresh_token,
  app_id, grant_type; header secret_key).
The retired v2 shapes are refused: `recipient.message_id` and the /v2.0/oa/message endpoint.
Buttons on /message/cs are refused unless `accept_buttons` (no v3 reference shows them there).

It keeps Zalo's rules that the bot must live with: the access token can expire (-216) or be
removed (-220), a refresh token works once and the answer carries the next one, a resident who
has not written for 7 days cannot be messaged (-230)."""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = "1234567890"
APP_SECRET = "app-secret-test"
OA_SECRET_KEY = "oa-secret-key-test"


@dataclass
class ZaloCall:
    path: str
    body: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    access_token: str | None
    at: float


@dataclass
class ZaloStub:
    access_token: str = "access-0"
    refresh_token: str = "refresh-0"
    expires_in: int = 90000
    calls: list[ZaloCall] = field(default_factory=list)
    unreachable_users: set[str] = field(default_factory=set)  # answer -230 for these
    accept_buttons: bool = False
    refused: list[tuple[str, str]] = field(default_factory=list)  # (path, why): shapes Zalo would refuse

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._ids = itertools.count(1)
        self._failures: list[dict] = []
        self._changed = asyncio.Event()
        self.refreshes = 0
        self._revoked: set[str] = set()  # tokens that answer -220

    async def __aenter__(self) -> "ZaloStub":
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v2.0/oa/upload/image", self._upload)
        app.router.add_post("/v2.0/oa/upload/file", self._upload)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        app.router.add_post("/v2.0/oa/message", self._retired)  # v2 send: shut down
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc) -> None:
        await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def expire_token(self) -> None:
        """The access token stops working, as it does after 25 hours."""
        self.access_token = f"expired-{next(self._ids)}"

    def revoke_token(self) -> None:
        """The access token is removed (the OA revoked the app, say): -220, not -216."""
        self._revoked.add(self.access_token)

    def fail_next(self, error: int, message: str = "error", status: int = 200) -> None:
        self._failures.append({"error": error, "message": message, "status": status})

    def messages(self, user_id: str | None = None) -> list[ZaloCall]:
        out = [c for c in self.calls if c.path == "/v3.0/oa/message/cs" and c.body.get("ok")]
        if user_id is not None:
            out = [c for c in out if c.body.get("to_user") == user_id]
        return out

    async def wait_messages(self, user_id: str, count: int, timeout: float = 20.0) -> list[ZaloCall]:
        deadline = time.monotonic() + timeout
        while len(self.messages(user_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} Zalo messages to {user_id}, got {self.messages(user_id)}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), 0.05)
            except TimeoutError:
                pass
        return self.messages(user_id)

    def _record(self, request: web.Request, body: dict, files: dict) -> ZaloCall:
        call = ZaloCall(request.path, body, files, request.headers.get("access_token"), time.monotonic())
        self.calls.append(call)
        self._changed.set()
        return call

    def _reply(self, payload: dict, status: int = 200) -> web.Response:
        return web.json_response(payload, status=status)

    def _token_error(self, request: web.Request) -> web.Response | None:
        token = request.headers.get("access_token")
        if token in self._revoked:
            return self._reply({"error": -220, "message": "Access token has expired or been removed"})
        if token != self.access_token:
            return self._reply({"error": -216, "message": "Access token is invalid"})
        return None

    def _refuse(self, request: web.Request, why: str) -> web.Response:
        self.refused.append((request.path, why))
        return self._reply({"error": -201, "message": f"Parameters are invalid: {why}"})

    async def _retired(self, request: web.Request) -> web.Response:
        self._record(request, {}, {})
        return self._refuse(request, "v2 /v2.0/oa/message is shut down")

    def _shape_error(self, body: object) -> str | None:
        """Why Zalo would refuse this /v3.0/oa/message/cs body, or None."""
        if not isinstance(body, dict) or set(body) != {"recipient", "message"}:
            got = sorted(body) if isinstance(body, dict) else body
            return f"top-level fields must be recipient and message, got {got!r}"
        recipient, message = body["recipient"], body["message"]
        if not (isinstance(recipient, dict) and set(recipient) == {"user_id"} and isinstance(recipient["user_id"], str)):
            return f"recipient must be {{user_id}} (message_id is v2), got {recipient!r}"
        if not isinstance(message, dict) or not message or set(message) - {"text", "attachment", "quote_message_id"}:
            return f"unknown message fields {message!r}"
        text = message.get("text")
        if text is not None and (not isinstance(text, str) or not 0 < len(text) <= 2000):
            return f"text must be 1 to 2,000 characters, got {len(text) if isinstance(text, str) else text!r}"
        if "attachment" in message:
            return self._attachment_error(message["attachment"])
        if text is None:
            return "a message needs text or an attachment"
        return None

    def _attachment_error(self, attachment: object) -> str | None:
        if not isinstance(attachment, dict):
            return "attachment must be an object"
        payload = attachment.get("payload")
        if attachment.get("type") == "file":
            has_token = isinstance(payload, dict) and isinstance(payload.get("token"), str)
            return None if has_token else "file needs payload.token"
        if attachment.get("type") != "template" or not isinstance(payload, dict):
            return f"unknown attachment {attachment!r}"
        if payload.get("template_type") == "media":
            elements = payload.get("elements")
            ok = (isinstance(elements, list) and len(elements) == 1 and isinstance(elements[0], dict)
                  and elements[0].get("media_type") == "image"
                  and isinstance(elements[0].get("attachment_id") or elements[0].get("url"), str))
            return None if ok else f"bad media elements {elements!r}"
        if "buttons" in payload and self.accept_buttons:
            return None
        return f"template not accepted on /message/cs: {payload!r}"

    async def _send(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        self._record(request, body if isinstance(body, dict) else {}, {})
        error = self._token_error(request)
        if error is not None:
            return error
        why = self._shape_error(body)
        if why is not None:
            return self._refuse(request, why)
        if self._failures:
            failure = self._failures.pop(0)
            return self._reply({"error": failure["error"], "message": failure["message"]}, failure["status"])
        user_id = body["recipient"]["user_id"]
        if user_id in self.unreachable_users:
            return self._reply({"error": -230, "message": "User has not interacted with the OA in the last 7 days"})
        body["ok"], body["to_user"] = True, user_id
        return self._reply({"error": 0, "message": "Success", "data": {"message_id": f"m{next(self._ids)}",
                                                                         "user_id": user_id}})

    async def _upload(self, request: web.Request) -> web.Response:
        files = {}
        async for part in await request.multipart():
            files[part.name] = (part.filename, await part.read())
        self._record(request, {}, files)
        error = self._token_error(request)
        if error is not None:
            return error
        if set(files) != {"file"}:
            return self._refuse(request, f"upload needs one multipart field 'file', got {sorted(files)}")
        key = "attachment_id" if request.path.endswith("/image") else "token"
        return self._reply({"error": 0, "message": "Success", "data": {key: f"up{next(self._ids)}"}})

    async def _refresh(self, request: web.Request) -> web.Response:
        form = await request.post()
        self._record(request, dict(form), {})
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return self._reply({"error": -14002, "message": "Invalid app"})
        if form.get("refresh_token") != self.refresh_token:
            return self._reply({"error": -14014, "message": "Invalid refresh token"})
        self.refreshes += 1
        self.access_token, self.refresh_token = f"access-{self.refreshes}", f"refresh-{self.refreshes}"
        return self._reply({"access_token": self.access_token, "refresh_token": self.refresh_token,
                            "expires_in": str(self.expires_in)})

    def user_event(self, user_id: str, text: str | None = None, *, event_name: str = "user_send_text",
                   msg_id: str | None = None) -> dict:
        """A webhook event as Zalo posts it."""
        msg_id = msg_id or f"zmsg{next(self._ids)}"
        event: dict[str, Any] = {"app_id": APP_ID, "sender": {"id": user_id}, "recipient": {"id": "oa1"},
                                 "event_name": event_name, "timestamp": str(int(time.time() * 1000))}
        if event_name in ("follow", "unfollow"):  # the same shape for both in Zalo's webhook docs
            event = {"app_id": APP_ID, "oa_id": "oa1", "follower": {"id": user_id}, "event_name": event_name,
                     "source": "oa_profile", "timestamp": event["timestamp"]}
        elif text is not None:
            event["message"] = {"text": text, "msg_id": msg_id}
        else:
            event["message"] = {"msg_id": msg_id, "attachments": [{"type": "sticker", "payload": {"id": "1"}}]}
        return event


def signed(event: dict, key: str = OA_SECRET_KEY) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers Zalo would post for `event`."""
    from channels.zalo import signature

    body = json.dumps(event, ensure_ascii=False).encode()
    return body, {"X-ZEvent-Signature": signature(event["app_id"], body, event["timestamp"], key),
                  "Content-Type": "application/json"}
