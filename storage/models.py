"""Tables. Alembic owns the schema (storage/migrations); these classes mirror it."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from storage.status import PledgeStatus


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to the database")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


# Integer on SQLite so the primary key is its rowid (autoincrement); BIGINT elsewhere.
BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime}


NAME_MAX = 128  # a chat name as the platform gives it: longer ones are clipped before they are stored
EXTERNAL_ID_MAX = 64  # a resident's id on their channel: an update with a longer one is not read


class Resident(Base):
    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_residents_channel_external"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX))
    name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    subscribed_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]  # the resident blocked the bot (Telegram 403)
    erased_at: Mapped[datetime | None]   # asked to delete their data: their chat name is not kept again
    # Payloads of the buttons that act (not menu entries) last shown, on channels where a button
    # sends text anyone could type (Zalo): only these may be pressed.
    shown_buttons: Mapped[list | None] = mapped_column(JSON)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class DialogState(Base):
    """Where a resident is in a multi-step conversation; survives restarts."""

    __tablename__ = "dialog_states"

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


# What is kept of an unanswered question: its folded text (the key repeats are counted under; the
# column is 512) and the sample staff read.
FOLDED_KEPT = 500
SAMPLE_KEPT = 2000


class UnansweredQuestion(Base):
    """Questions the bot could not answer, counted per resident and folded text, for staff. When
    the resident deletes their data the text goes (it may hold their name) and the count stays,
    anonymous: resident, folded and sample are then NULL."""

    __tablename__ = "unanswered_questions"
    __table_args__ = (UniqueConstraint("resident_id", "folded", name="uq_unanswered_questions_resident_folded"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    folded: Mapped[str | None] = mapped_column(String(512))
    sample: Mapped[str | None] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_asked: Mapped[datetime]
    last_asked: Mapped[datetime]
    # Set when staff taught the bot this question (faq_id says to which entry) or dismissed it.
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(80))
    faq_id: Mapped[str | None] = mapped_column(String(64))


class TaughtAsk(Base):
    """A resident's wording staff attached to an FAQ entry: the matcher knows it at once, and
    `bot.py export-asks` writes it back into the content file."""

    __tablename__ = "taught_asks"
    __table_args__ = (UniqueConstraint("faq_id", "text", name="uq_taught_asks_faq_text"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    faq_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(500))
    question_id: Mapped[int | None] = mapped_column(BigInteger)  # the unanswered question it came from
    staff: Mapped[str] = mapped_column(String(80))  # "telegram:12345", "web:lan"
    created_at: Mapped[datetime]


class Pledge(Base):
    """A donation a resident confirmed. The reference residents quote (KH-0042) is derived from id."""

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_pledges_amount_positive"),
        CheckConstraint("status IN ('pledged', 'paid', 'cancelled')", name="ck_pledges_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # đồng
    display_name: Mapped[str | None] = mapped_column(String(128))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=PledgeStatus.PLEDGED, index=True)
    # The channel's id of the message that confirmed it: the same update delivered twice
    # records one pledge.
    confirm_key: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class Delivery(Base):
    """One bulk message to one resident: a day's reminder or a broadcast. Claimed before it is
    sent and marked after, so each goes out once even across restarts and processes."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("key", "resident_id", name="uq_deliveries_key_resident"),
                      Index("ix_deliveries_status_claimed_at", "status", "claimed_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(40))  # "reminder:2023-10-03", "broadcast:7"
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))  # storage.status.DeliveryStatus
    reason: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str] = mapped_column(String(40))
    claimed_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # "retry": the message never left (the platform down); sent again from retry_at.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    retry_at: Mapped[datetime | None]


class Broadcast(Base):
    """A staff notice to all subscribers; stored so that a restart finishes sending it."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    staff_channel: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))  # sending / done / expired
    runner: Mapped[str | None] = mapped_column(String(40))  # the process sending it
    runner_seen_at: Mapped[datetime | None]  # its heartbeat: a silent runner died, another takes over
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class Sender(Base):
    """A process sending on a channel, with its heartbeat: processes sharing a database share
    the channel's rate limit between the live ones (channels/rateshare.py)."""

    __tablename__ = "senders"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    instance: Mapped[str] = mapped_column(String(40), primary_key=True)
    seen_at: Mapped[datetime]


class ChannelToken(Base):
    """A platform's rotating credentials (Zalo: each refresh returns a new refresh token, and the
    old one stops working), kept in the database so that a restart does not lose them."""

    __tablename__ = "channel_tokens"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]  # unknown for tokens taken from the settings
    seed: Mapped[str] = mapped_column(String(16))  # which settings token the chain started from
    updated_at: Mapped[datetime]


class InboundEvent(Base):
    """Events already taken from a webhook, so that a retried delivery is processed once."""

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("channel", "event_id", name="uq_inbound_events_channel_event"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime]


class StaffLink(Base):
    """A one-time sign-in link for the staff web pages, made by /web on any channel. Only a hash
    of its secret is kept: the database alone does not let anyone sign in."""

    __tablename__ = "staff_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff: Mapped[str] = mapped_column(String(90), index=True)  # "telegram:123456"
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class StaffSession(Base):
    """A signed-in browser: its cookie's hash, whose it is, and the CSRF token of its forms."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff: Mapped[str] = mapped_column(String(90))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # "Đăng xuất"


class StaffAction(Base):
    """The audit log: what a staff member did, on the web pages or in chat."""

    __tablename__ = "staff_actions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    staff: Mapped[str] = mapped_column(String(90))
    via: Mapped[str] = mapped_column(String(8))  # "web" or "chat"
    action: Mapped[str] = mapped_column(String(24))  # paid / cancel / broadcast / teach / dismiss / sign_in
    target: Mapped[str] = mapped_column(String(64))  # "KH-0042", "broadcast:7", "question:3"
    detail: Mapped[str] = mapped_column(Text, default="")


class StaffNoticeFailure(Base):
    """Notices for a staff member (a new pledge, say) that could not reach them, counted per staff
    member for /thongke: on Telegram, someone who never pressed Start cannot be written to."""

    __tablename__ = "staff_notice_failures"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)  # the last failure, as the platform said it
    last_at: Mapped[datetime]
