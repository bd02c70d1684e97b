"""What flows between channels and handlers: channel-agnostic messages in and replies out."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    channel: str            # "telegram", "console", "zalo"
    user_id: str            # the channel's id for the resident
    name: str | None = None
    language: str | None = None   # the client's language code, e.g. "vi", "en-US"
    text: str | None = None
    payload: str | None = None    # a pressed button's payload
    message_id: str | None = None
    unsupported: bool = False     # a sticker, photo, voice note...: nothing to read


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True)
class File:
    """A file sent with a reply, kept in memory: exports hold personal data, so no channel
    that can send bytes should leave them on disk."""

    name: str
    data: bytes

    @property
    def is_image(self) -> bool:
        return self.name.lower().endswith((".png", ".jpg", ".jpeg"))


@dataclass
class Reply:
    text: str                      # HTML: <b>, <i> only; residents' text already escaped
    topic: str
    buttons: list[Button] = field(default_factory=list)
    files: list[File] = field(default_factory=list)

    def plain_text(self) -> str:
        """The text without markup, for channels that show plain text."""
        return html.unescape(_TAG.sub("", self.text))


@dataclass(frozen=True)
class Outgoing:
    """Replies for someone other than the sender (staff notices, a thank-you after /paid)."""

    channel: str
    user_id: str
    replies: list[Reply]


_TAG = re.compile(r"</?(?:b|i|u|s|code|pre)>")
