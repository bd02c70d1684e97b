"""Queries of the staff web pages: sign-in links, sessions, the audit log.

Links and sessions are in the database, so a link made by one process (the terminal chat, a
Telegram poller) signs in on another (`bot.py serve`). Secrets are stored as SHA-256 hashes.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.text import fold
from storage.models import Broadcast, Delivery, Pledge, Resident, StaffAction, StaffLink, StaffSession
from storage.status import DeliveryStatus


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def links_made_since(session: AsyncSession, staff: str, since: datetime) -> int:
    return (await session.execute(select(func.count()).select_from(StaffLink).where(
        StaffLink.staff == staff, StaffLink.created_at >= since))).scalar_one()


async def add_link(session: AsyncSession, token: str, staff: str, now: datetime, valid: timedelta) -> None:
    session.add(StaffLink(token_hash=token_hash(token), staff=staff, created_at=now, expires_at=now + valid))
    await session.flush()


async def peek_link(session: AsyncSession, token: str, now: datetime) -> str | None:
    """Whose the link is, if it can still be used (without using it)."""
    link = await session.get(StaffLink, token_hash(token))
    return link.staff if link and link.used_at is None and link.expires_at > now else None


async def use_link(session: AsyncSession, token: str, now: datetime) -> str | None:
    """Spend a link: its staff identity, or None when it is unknown, used or expired. One UPDATE
    checks and spends it, so two browsers racing with the same link cannot both get in."""
    result = await session.execute(
        update(StaffLink).where(StaffLink.token_hash == token_hash(token), StaffLink.used_at.is_(None),
                                StaffLink.expires_at > now)
        .values(used_at=now).returning(StaffLink.staff))
    row = result.first()
    return row[0] if row else None


async def add_session(session: AsyncSession, token: str, staff: str, csrf: str, now: datetime,
                      lasts: timedelta) -> None:
    session.add(StaffSession(token_hash=token_hash(token), staff=staff, csrf=csrf, created_at=now,
                             expires_at=now + lasts))
    await session.flush()


async def live_session(session: AsyncSession, token: str, now: datetime) -> StaffSession | None:
    found = await session.get(StaffSession, token_hash(token))
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return None
    return found


async def end_session(session: AsyncSession, token: str, now: datetime) -> None:
    await session.execute(update(StaffSession).where(StaffSession.token_hash == token_hash(token))
                          .values(ended_at=now))


async def forget_expired(session: AsyncSession, before: datetime) -> None:
    """Drop links and sessions that stopped working before then: they only took room."""
    await session.execute(delete(StaffLink).where(StaffLink.expires_at < before))
    await session.execute(delete(StaffSession).where(StaffSession.expires_at < before))


async def record_action(session: AsyncSession, staff: str, via: str, action: str, target: str, detail: str,
                        now: datetime) -> None:
    session.add(StaffAction(at=now, staff=staff[:90], via=via, action=action, target=target[:64],
                            detail=detail[:2000]))
    await session.flush()


async def recent_actions(session: AsyncSession, limit: int = 200) -> list[StaffAction]:
    rows = await session.execute(select(StaffAction).order_by(StaffAction.at.desc(), StaffAction.id.desc())
                                 .limit(limit))
    return list(rows.scalars())


# What the pages show -----------------------------------------------------------------------

PLEDGE_SORTS = {
    "new": (Pledge.id.desc(),), "old": (Pledge.id,), "amount": (Pledge.amount.desc(), Pledge.id),
    "name": (func.lower(func.coalesce(Pledge.display_name, "")), Pledge.id), "status": (Pledge.status, Pledge.id),
}


async def find_pledges(session: AsyncSession, *, status: str | None, search: str, pledge_id: int | None,
                       sort: str, limit: int) -> tuple[list[tuple[Pledge, Resident]], int]:
    """Pledges by status and a search of name or chat name (without diacritics or case: "lan"
    finds "Lân"), phone digits, or the reference's id; in one of PLEDGE_SORTS; at most `limit`
    rows, and how many matched in all. The search runs here, not in SQL, so that it folds
    Vietnamese the same on SQLite and PostgreSQL: one pass over a ward's few thousand pledges."""
    query = select(Pledge, Resident).join(Resident, Pledge.resident_id == Resident.id)
    if status:
        query = query.where(Pledge.status == status)
    rows = [(p, r) for p, r in await session.execute(query.order_by(*PLEDGE_SORTS.get(sort, PLEDGE_SORTS["new"])))]
    if search:
        words, digits = fold(search), "".join(c for c in search if c.isdigit())
        rows = [(p, r) for p, r in rows
                if words in fold(p.display_name or "") or words in fold(r.name or "")
                or (digits and p.phone and digits in p.phone) or p.id == pledge_id]
    return rows[:limit], len(rows)


async def pledge_days(session: AsyncSession) -> list[tuple[datetime, str, int]]:
    """(created_at, status, amount) of every pledge: the overview buckets them by local day."""
    rows = await session.execute(select(Pledge.created_at, Pledge.status, Pledge.amount))
    return [tuple(row) for row in rows]


async def subscribers_by_channel(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Resident.channel, func.count()).where(Resident.subscribed.is_(True))
                                 .group_by(Resident.channel))
    return {channel: count for channel, count in rows}


async def recent_broadcasts(session: AsyncSession, limit: int = 20) -> list[Broadcast]:
    rows = await session.execute(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))
    return list(rows.scalars())


async def same_broadcast_since(session: AsyncSession, text: str, staff_channel: str, staff_id: str,
                               since: datetime) -> int | None:
    """A notice with this text the same staff member sent since then: a second click on "Gửi"."""
    return (await session.execute(select(Broadcast.id).where(
        Broadcast.text == text, Broadcast.staff_channel == staff_channel, Broadcast.staff_id == staff_id,
        Broadcast.created_at >= since).order_by(Broadcast.id.desc()).limit(1))).scalar_one_or_none()


async def count_not_yet_reached(session: AsyncSession, key: str, channels: list[str]) -> int:
    """Subscribers on these channels whose bulk message `key` is still to go: no row for it, or
    one claimed or waiting to retry. (Subscribers minus outcomes is wrong both ways: a resident
    who blocked the bot is an outcome but no longer a subscriber.)"""
    settled = select(Delivery.id).where(
        Delivery.key == key, Delivery.resident_id == Resident.id,
        Delivery.status.not_in([DeliveryStatus.CLAIMED, DeliveryStatus.RETRY]))
    return (await session.execute(select(func.count()).select_from(Resident).where(
        Resident.subscribed.is_(True), Resident.channel.in_(channels), ~settled.exists()))).scalar_one()
