"""Queries. Functions take an AsyncSession so a handler runs all of one message in one transaction.

A session of a message's unit of work (storage/unit.py) is told what changed in the resident's
chat; there a dialog step is written behind (storage/dialogs.py), and a statement that reads or
changes a dialog first brings the row up to date."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, case, delete, exists, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.instrumentation import manager_of_class

from storage import dialogs
from storage.models import (FOLDED_KEPT, SAMPLE_KEPT, Broadcast, ChannelToken, Delivery, DialogState, InboundEvent,
                            Pledge, Resident, Sender, StaffNoticeFailure, TaughtAsk, UnansweredQuestion)
from storage.status import BroadcastStatus, DeliveryStatus, PledgeStatus
from storage.unit import unit_of


def _insert_of(dialect: str):
    """The INSERT construct with ON CONFLICT support for this database kind."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _insert(session: AsyncSession, table):
    return _insert_of(session.bind.dialect.name)(table)


# The statements messages run (a chat's first message, an unanswered question, a pledge's
# confirmation), built once per database kind: building one and its cache key cost more than
# running it. Plain table statements: the ORM's own path cost as much again.
_BUILT: dict[tuple[str, str], object] = {}


def _built(session: AsyncSession, name: str, build) -> object:
    dialect = session.bind.dialect.name
    stmt = _BUILT.get((name, dialect))
    if stmt is None:
        stmt = _BUILT[(name, dialect)] = build(_insert_of(dialect))
    return stmt


def _touch_statement(insert):
    table = Resident.__table__
    now = bindparam("now", type_=table.c.last_seen.type)
    stmt = insert(table).values(channel=bindparam("channel"), external_id=bindparam("external_id"),
                                name=bindparam("name"), language=bindparam("language"), subscribed=False,
                                first_seen=now, last_seen=now)
    keep_name = case((table.c.erased_at.is_(None) & stmt.excluded.name.is_not(None), stmt.excluded.name),
                     else_=table.c.name)  # after "delete my data" the chat name is not kept again
    stmt = stmt.on_conflict_do_update(index_elements=["channel", "external_id"],
                                      set_={"last_seen": stmt.excluded.last_seen, "name": keep_name})
    dialog = DialogState.__table__

    def of_dialog(column):
        # Written out: SQLAlchemy does not correlate a subquery of RETURNING with the upserted
        # row (it adds residents to the subquery's FROM, and SQLite then returns any dialog).
        return literal_column(f"(SELECT dialog_states.{column.key} FROM dialog_states "
                              f"WHERE dialog_states.resident_id = residents.id)", type_=column.type
                              ).label(f"dialog_{column.key}")
    return stmt.returning(*table.c, of_dialog(dialog.c.state), of_dialog(dialog.c.data), of_dialog(dialog.c.updated_at))


def _detached(cls, row):
    """An object of `cls` for a row read with a plain statement, as if the ORM had loaded it
    and its session closed (the objects a chat keeps are detached copies)."""
    return _copy(cls, row._mapping)


_CONFIGURED: set[type] = set()


def _copy(cls, values) -> object:
    """A detached object of `cls` holding `values`, filled as the ORM's loader fills one (the
    instrumented constructor cost 12 µs an object, more than a statement's own Python)."""
    if cls not in _CONFIGURED:  # what the constructor would have done first
        configure_mappers()
        _CONFIGURED.add(cls)
    obj = manager_of_class(cls).new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    return obj


async def touch_chat(session: AsyncSession, channel: str, external_id: str, name: str | None, language: str,
                     now: datetime) -> tuple[Resident, DialogState | None]:
    """The resident, created on first contact (name and last_seen kept current), and their
    dialog: for a chat not heard from for a while. One statement (an upsert returning the row
    and the dialog) unless the dialog writer wrote a group meanwhile."""
    unit = unit_of(session)
    writer = unit.storage.dialogs if unit is not None else None
    mark = writer.mark() if writer is not None else None
    row = (await session.execute(_built(session, "touch_chat", _touch_statement), {
        "channel": channel, "external_id": external_id, "name": name, "language": language, "now": now})).one()
    values = row._mapping
    resident = _copy(Resident, {column.key: values[column.key] for column in Resident.__table__.c})
    if writer is None or not writer.unchanged(mark):
        return resident, await get_dialog(session, resident.id)
    step = await unit.dialog_sql(resident.id)  # a step not written yet is the dialog now
    if step is not dialogs.ABSENT:
        dialog = None if step is None else {"state": step.state, "data": copy.deepcopy(step.data),
                                           "updated_at": step.updated_at}
    elif values["dialog_state"] is not None:
        dialog = {"state": values["dialog_state"], "data": values["dialog_data"],
                  "updated_at": values["dialog_updated_at"]}
    else:
        dialog = None
    return resident, None if dialog is None else _copy(DialogState, {"resident_id": resident.id, **dialog})


async def last_seen(session: AsyncSession, channel: str, external_id: str) -> datetime | None:
    """When the resident last wrote (kept to within storage.chats.REFRESH_EVERY)."""
    return (await session.execute(select(Resident.last_seen).where(
        Resident.channel == channel, Resident.external_id == external_id))).scalar_one_or_none()


async def erase_resident(session: AsyncSession, resident: Resident, now: datetime) -> int:
    """Delete a resident's personal data (Decree 13/2023/NĐ-CP): chat name, dialog, subscription,
    the names and phone numbers on their pledges, the questions they asked that the bot could not
    answer. Amounts stay, anonymous, as the fund's accounts need them, and so do the questions'
    counts. Returns the number of pledges anonymised."""
    await session.execute(update(Resident).where(Resident.id == resident.id)
                          .values(name=None, subscribed=False, subscribed_at=None, erased_at=now, shown_buttons=None))
    _loaded(resident, name=None, subscribed=False, subscribed_at=None, erased_at=now, shown_buttons=None)
    await _write_dialog_now(session, resident.id, None)  # now, not behind: it may hold their name and phone
    await session.execute(update(UnansweredQuestion).where(UnansweredQuestion.resident_id == resident.id)
                          .values(resident_id=None, folded=None, sample=None))
    result = await session.execute(update(Pledge).where(Pledge.resident_id == resident.id)
                                   .values(display_name=None, anonymous=True, phone=None, updated_at=now))
    unit = unit_of(session)
    if unit is not None:
        unit.resident_gone()
    return result.rowcount


async def refresh_subscription(session: AsyncSession, resident: Resident) -> None:
    """Read whether the resident is subscribed: a cached copy may predate another process's
    change (a fan-out that found they had blocked the bot)."""
    subscribed, subscribed_at = (await session.execute(
        select(Resident.subscribed, Resident.subscribed_at).where(Resident.id == resident.id))).one()
    _loaded(resident, subscribed=subscribed, subscribed_at=subscribed_at)


async def set_subscribed(session: AsyncSession, resident: Resident, subscribed: bool, now: datetime) -> None:
    subscribed_at = now if subscribed else None
    await session.execute(update(Resident).where(Resident.id == resident.id)
                          .values(subscribed=subscribed, subscribed_at=subscribed_at))
    _loaded(resident, subscribed=subscribed, subscribed_at=subscribed_at)


async def set_shown_buttons(session: AsyncSession, resident: Resident, payloads: list[str]) -> None:
    await session.execute(update(Resident).where(Resident.id == resident.id).values(shown_buttons=payloads))
    _loaded(resident, shown_buttons=payloads)


def _loaded(resident: Resident, **values: object) -> None:
    """Show on the object what a statement just wrote (it may be a cached, detached copy):
    as loaded from the database, so nothing is flushed again."""
    for name, value in values.items():
        set_committed_value(resident, name, value)


async def get_dialog(session: AsyncSession, resident_id: int) -> DialogState | None:
    """The resident's dialog as a detached copy, or None."""
    await _dialog_sql(session, resident_id)
    table = DialogState.__table__
    stmt = _built(session, "dialog", lambda _: select(table).where(table.c.resident_id == bindparam("resident_id")))
    row = (await session.execute(stmt, {"resident_id": resident_id})).first()
    return _detached(DialogState, row) if row is not None else None


async def set_dialog(session: AsyncSession, resident_id: int, state: str, data: dict, now: datetime) -> None:
    await _change_dialog(session, resident_id, _copy(DialogState, {
        "resident_id": resident_id, "state": state, "data": dict(data), "updated_at": now}))


async def clear_dialog(session: AsyncSession, resident_id: int) -> None:
    """The dialog ended (cancelled, done, forgotten): written at once, as a kill must not bring
    back a step the resident left (rare, so it costs little)."""
    await _write_dialog_now(session, resident_id, None)


async def _change_dialog(session: AsyncSession, resident_id: int, dialog: DialogState | None) -> None:
    unit = unit_of(session)
    if unit is not None and not unit.leaves_a_confirmation(resident_id):
        unit.dialog_set(resident_id, dialog)  # written behind, after the commit
    else:
        await _write_dialog_now(session, resident_id, dialog)


async def _write_dialog_now(session: AsyncSession, resident_id: int, dialog: DialogState | None) -> None:
    await _dialog_sql(session, resident_id)
    await dialogs.write(session, {resident_id: dialog})
    unit = unit_of(session)
    if unit is not None:
        unit.dialog_written(resident_id, dialog)


async def _dialog_sql(session: AsyncSession, resident_id: int) -> None:
    unit = unit_of(session)
    if unit is not None:
        await unit.dialog_sql(resident_id)


def _unanswered_statement(insert):
    table = UnansweredQuestion.__table__
    now = bindparam("now", type_=table.c.last_asked.type)
    stmt = insert(table).values(resident_id=bindparam("resident_id"), folded=bindparam("folded"),
                                sample=bindparam("sample"), count=1, first_asked=now, last_asked=now)
    return stmt.on_conflict_do_update(index_elements=["resident_id", "folded"],
                                      set_={"count": table.c.count + 1, "last_asked": stmt.excluded.last_asked})


async def record_unanswered(session: AsyncSession, resident_id: int, folded: str, sample: str,
                            now: datetime) -> None:
    """Count a question the bot could not answer; the same folded text from the same resident
    adds to one row (linked to them, so that deleting their data deletes it)."""
    await session.execute(_built(session, "unanswered", _unanswered_statement), {
        "resident_id": resident_id, "folded": folded[:FOLDED_KEPT], "sample": sample[:SAMPLE_KEPT], "now": now})


class Unanswered(NamedTuple):
    """An open question as staff see it: every asking of the same folded wording, by any resident."""

    id: int  # the number staff use (/day 12): the first row of the group
    folded: str
    sample: str
    count: int  # from all residents
    first_asked: datetime
    last_asked: datetime


async def top_unanswered(session: AsyncSession, limit: int = 10) -> list[Unanswered]:
    """The open questions (not yet taught or dismissed by staff) asked most, over all residents;
    erased ones are not among them."""
    q = UnansweredQuestion
    count = func.sum(q.count)
    rows = await session.execute(
        select(func.min(q.id), q.folded, func.min(q.sample), count, func.min(q.first_asked), func.max(q.last_asked))
        .where(q.folded.is_not(None), q.closed_at.is_(None)).group_by(q.folded)
        .order_by(count.desc(), func.max(q.last_asked).desc()).limit(limit))
    return [Unanswered(*row) for row in rows]


async def count_erased_questions(session: AsyncSession) -> int:
    """How many times residents who later deleted their data asked what the bot could not answer."""
    total = (await session.execute(select(func.sum(UnansweredQuestion.count))
                                   .where(UnansweredQuestion.folded.is_(None)))).scalar_one()
    return total or 0


async def get_unanswered(session: AsyncSession, question_id: int) -> UnansweredQuestion | None:
    """Question `question_id`, unless its text was erased with its resident's data."""
    question = await session.get(UnansweredQuestion, question_id)
    return question if question is not None and question.folded is not None else None


async def close_unanswered(session: AsyncSession, question_id: int, staff: str, faq_id: str | None,
                           now: datetime) -> None:
    """Close question `question_id` and every other asking of the same wording."""
    q = UnansweredQuestion
    folded = select(q.folded).where(q.id == question_id).scalar_subquery()
    await session.execute(update(q).where(q.folded == folded, q.closed_at.is_(None))
                          .values(closed_at=now, closed_by=staff[:80], faq_id=faq_id))


async def add_taught_ask(session: AsyncSession, faq_id: str, text: str, question_id: int | None, staff: str,
                         now: datetime) -> None:
    """Attach a wording to an FAQ entry; the same wording taught twice is kept once."""
    stmt = _insert(session, TaughtAsk).values(faq_id=faq_id, text=text[:500], question_id=question_id,
                                              staff=staff[:80], created_at=now)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["faq_id", "text"]))


async def taught_asks(session: AsyncSession, after_id: int = 0) -> list[TaughtAsk]:
    """Taught wordings in the order they were taught, those after `after_id` only."""
    rows = await session.execute(select(TaughtAsk).where(TaughtAsk.id > after_id).order_by(TaughtAsk.id))
    return list(rows.scalars())


async def count_residents(session: AsyncSession) -> tuple[int, int]:
    """(residents, subscribers)."""
    total, subscribed = (await session.execute(
        select(func.count(), func.count().filter(Resident.subscribed.is_(True))).select_from(Resident)
    )).one()
    return total, subscribed


def _claim_statement(unless_confirmed: bool):
    table = DialogState.__table__
    stmt = delete(table).where(table.c.resident_id == bindparam("resident_id"), table.c.state == bindparam("state"))
    if unless_confirmed:
        pledges = Pledge.__table__
        stmt = stmt.where(~exists().where(pledges.c.confirm_key == bindparam("key"),
                                          pledges.c.resident_id == bindparam("resident_id")))
    return stmt.returning(table.c.data)


async def claim_dialog(session: AsyncSession, resident_id: int, state: str,
                       unless_confirmed: str | None = None) -> dict | None:
    """Remove the resident's dialog if it is in `state` and return its data; None when it is not,
    or when the resident has a pledge with confirmation key `unless_confirmed` (that message was
    taken already: the same update delivered twice).

    One DELETE does check-and-remove, so two confirmations racing for the same dialog
    (two taps, two bot processes) cannot both get it.
    """
    await _dialog_sql(session, resident_id)
    values = {"resident_id": resident_id, "state": str(state)}
    if unless_confirmed is not None:
        values["key"] = unless_confirmed
    name = "claim_unless" if unless_confirmed is not None else "claim"
    result = await session.execute(_built(session, name, lambda _: _claim_statement(unless_confirmed is not None)),
                                   values)
    row = result.first()
    unit = unit_of(session)
    if row and unit is not None:
        unit.dialog_written(resident_id, None)
    return row[0] if row else None


def _pledge_statement(insert):
    table = Pledge.__table__
    now = bindparam("now", type_=table.c.created_at.type)
    return insert(table).values(
        resident_id=bindparam("resident_id"), amount=bindparam("amount"), display_name=bindparam("display_name"),
        anonymous=bindparam("anonymous"), phone=bindparam("phone"), status=PledgeStatus.PLEDGED.value,
        confirm_key=bindparam("confirm_key"), created_at=now, updated_at=now).returning(*table.c)


async def create_pledge(session: AsyncSession, resident_id: int, amount: int, display_name: str | None,
                        anonymous: bool, phone: str | None, confirm_key: str, now: datetime) -> Pledge:
    """The pledge recorded, as a detached copy of its row."""
    row = (await session.execute(_built(session, "pledge", _pledge_statement), {
        "resident_id": resident_id, "amount": amount, "display_name": display_name, "anonymous": anonymous,
        "phone": phone, "confirm_key": confirm_key, "now": now})).one()
    return _detached(Pledge, row)


async def pledge_by_confirm_key(session: AsyncSession, confirm_key: str) -> Pledge | None:
    return (await session.execute(select(Pledge).where(Pledge.confirm_key == confirm_key))).scalar_one_or_none()


async def get_pledge(session: AsyncSession, pledge_id: int) -> Pledge | None:
    return await session.get(Pledge, pledge_id)


async def pledges_of(session: AsyncSession, resident_id: int) -> list[Pledge]:
    rows = await session.execute(select(Pledge).where(Pledge.resident_id == resident_id).order_by(Pledge.id))
    return list(rows.scalars())


async def transition_pledge(session: AsyncSession, pledge_id: int, from_status: str, to_status: str,
                            now: datetime) -> bool:
    """Move a pledge from one status to another in one statement; False when it was not in
    `from_status` (a staff member marking it paid while the resident cancels it, say)."""
    stamps = {PledgeStatus.PAID: {"paid_at": now}, PledgeStatus.CANCELLED: {"cancelled_at": now}}.get(to_status, {})
    result = await session.execute(update(Pledge).where(Pledge.id == pledge_id, Pledge.status == from_status)
                                   .values(status=to_status, updated_at=now, **stamps).returning(Pledge.id))
    return result.first() is not None


async def pledge_totals(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """status -> (count, total đồng)."""
    rows = await session.execute(
        select(Pledge.status, func.count(), func.coalesce(func.sum(Pledge.amount), 0)).group_by(Pledge.status))
    return {status: (count, int(total)) for status, count, total in rows}


async def paid_pledges(session: AsyncSession) -> list[Pledge]:
    rows = await session.execute(select(Pledge).where(Pledge.status == PledgeStatus.PAID)
                                 .order_by(Pledge.paid_at, Pledge.id))
    return list(rows.scalars())


async def all_pledges(session: AsyncSession) -> list[tuple[Pledge, Resident]]:
    rows = await session.execute(select(Pledge, Resident).join(Resident, Pledge.resident_id == Resident.id)
                                 .order_by(Pledge.id))
    return [(p, r) for p, r in rows]


async def get_resident(session: AsyncSession, resident_id: int) -> Resident | None:
    return await session.get(Resident, resident_id)


# Bulk deliveries (jobs/) -----------------------------------------------------------------

class Recipient(NamedTuple):
    """What sending needs of a resident: tens of thousands of these stay small (not ORM objects)."""

    id: int
    channel: str
    external_id: str
    language: str
    attempts: int = 0  # earlier tries that never left (a retry)


async def recipients(session: AsyncSession, key: str, channels: list[str],
                     now: datetime | None = None) -> list[Recipient]:
    """Subscribers on these channels with no delivery recorded for `key` yet, and, given `now`,
    those whose earlier try never left and whose retry time has come."""
    due = Delivery.id.is_(None)
    if now is not None:
        due |= (Delivery.status == DeliveryStatus.RETRY) & (Delivery.retry_at <= now)
    rows = await session.execute(
        select(Resident.id, Resident.channel, Resident.external_id, Resident.language,
               func.coalesce(Delivery.attempts, 0))
        .outerjoin(Delivery, (Delivery.key == key) & (Delivery.resident_id == Resident.id))
        .where(Resident.subscribed.is_(True), Resident.channel.in_(channels), due).order_by(Resident.id))
    return [Recipient(*row) for row in rows]


async def claim_delivery(session: AsyncSession, key: str, resident_id: int, instance: str, now: datetime,
                         lease: timedelta) -> bool:
    """Take the right to send `key` to the resident. True for a new claim, for our own claim
    (a retry), or for a claim whose lease ran out (its process died before sending)."""
    inserted = await session.execute(
        _insert(session, Delivery).values(key=key, resident_id=resident_id, status=DeliveryStatus.CLAIMED,
                                          claimed_by=instance, claimed_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key", "resident_id"]).returning(Delivery.id))
    if inserted.first():
        return True
    taken = await session.execute(
        update(Delivery).where(Delivery.key == key, Delivery.resident_id == resident_id,
                               Delivery.status == DeliveryStatus.CLAIMED,
                               (Delivery.claimed_by == instance) | (Delivery.claimed_at < now - lease))
        .values(claimed_by=instance, claimed_at=now, updated_at=now).returning(Delivery.id))
    return taken.first() is not None


async def claim_deliveries(session: AsyncSession, key: str, resident_ids: list[int], instance: str,
                           now: datetime) -> set[int]:
    """Claim `key` for many residents at once; returns those claimed now (not already taken):
    new ones, and those waiting for a retry whose time has come."""
    retried = await session.execute(
        update(Delivery).where(Delivery.key == key, Delivery.resident_id.in_(resident_ids),
                               Delivery.status == DeliveryStatus.RETRY, Delivery.retry_at <= now)
        .values(status=DeliveryStatus.CLAIMED, claimed_by=instance, claimed_at=now, updated_at=now)
        .returning(Delivery.resident_id))
    rows = [dict(key=key, resident_id=r, status=DeliveryStatus.CLAIMED, claimed_by=instance, claimed_at=now,
                 updated_at=now)
            for r in resident_ids]
    result = await session.execute(_insert(session, Delivery).values(rows)
                                   .on_conflict_do_nothing(index_elements=["key", "resident_id"])
                                   .returning(Delivery.resident_id))
    return set(retried.scalars()) | set(result.scalars())


async def renew_claims(session: AsyncSession, key: str, resident_ids: list[int], instance: str,
                       now: datetime) -> None:
    await session.execute(update(Delivery).where(
        Delivery.key == key, Delivery.resident_id.in_(resident_ids), Delivery.status == DeliveryStatus.CLAIMED,
        Delivery.claimed_by == instance).values(claimed_at=now))


async def finish_deliveries(session: AsyncSession, key: str, resident_ids: list[int], status: str,
                            reason: str | None, now: datetime) -> None:
    await session.execute(update(Delivery).where(Delivery.key == key, Delivery.resident_id.in_(resident_ids))
                          .values(status=status, reason=reason, updated_at=now))


async def defer_deliveries(session: AsyncSession, key: str, resident_ids: list[int], reason: str | None,
                           attempts: int, retry_at: datetime, now: datetime) -> None:
    """The message never left: send it again from `retry_at` (after `attempts` tries)."""
    await session.execute(update(Delivery).where(Delivery.key == key, Delivery.resident_id.in_(resident_ids))
                          .values(status=DeliveryStatus.RETRY, reason=reason, attempts=attempts, retry_at=retry_at,
                                  updated_at=now))


async def retry_keys(session: AsyncSession) -> list[str]:
    """Keys with deliveries waiting for a retry."""
    rows = await session.execute(select(Delivery.key).where(Delivery.status == DeliveryStatus.RETRY).distinct())
    return list(rows.scalars())


async def count_retries(session: AsyncSession, key: str) -> int:
    return (await session.execute(select(func.count()).select_from(Delivery)
                                  .where(Delivery.key == key, Delivery.status == DeliveryStatus.RETRY))).scalar_one()


async def give_up_retries(session: AsyncSession, key: str, reason: str, now: datetime) -> None:
    """The message's time is over (the day ended, the notice expired): its retries count as failed."""
    await session.execute(update(Delivery).where(Delivery.key == key, Delivery.status == DeliveryStatus.RETRY)
                          .values(status=DeliveryStatus.FAILED, reason=reason, retry_at=None, updated_at=now))


async def release_claims(session: AsyncSession, key: str, resident_ids: list[int]) -> None:
    """Give back claims that were not used (nothing was sent)."""
    if resident_ids:
        await session.execute(delete(Delivery).where(Delivery.key == key, Delivery.resident_id.in_(resident_ids),
                                                     Delivery.status == DeliveryStatus.CLAIMED))


async def record_delivery(session: AsyncSession, key: str, resident_id: int, status: str, reason: str | None,
                          instance: str, now: datetime) -> None:
    """The outcome of a delivery (creating the row when nothing was claimed, e.g. sent inline)."""
    stmt = _insert(session, Delivery).values(key=key, resident_id=resident_id, status=status, reason=reason,
                                             claimed_by=instance, claimed_at=now, updated_at=now)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["key", "resident_id"], set_={"status": status, "reason": reason, "updated_at": now}))


async def stale_claims(session: AsyncSession, now: datetime, lease: timedelta) -> list[tuple[str, int, int]]:
    """(key, resident id, earlier tries that never left) of claims whose lease ran out."""
    rows = await session.execute(select(Delivery.key, Delivery.resident_id, Delivery.attempts).where(
        Delivery.status == DeliveryStatus.CLAIMED, Delivery.claimed_at < now - lease).order_by(Delivery.id))
    return [(k, r, a or 0) for k, r, a in rows]


async def mark_blocked(session: AsyncSession, resident_ids: list[int], now: datetime) -> None:
    """They blocked the bot: unsubscribe them, and remember when for the statistics."""
    await session.execute(update(Resident).where(Resident.id.in_(resident_ids))
                          .values(subscribed=False, subscribed_at=None, blocked_at=now))


async def delivery_counts(session: AsyncSession, prefix: str) -> dict[str, dict[str, int]]:
    """key -> status -> count, for keys starting with `prefix`."""
    rows = await session.execute(select(Delivery.key, Delivery.status, func.count())
                                 .where(Delivery.key.startswith(prefix)).group_by(Delivery.key, Delivery.status))
    counts: dict[str, dict[str, int]] = {}
    for key, status, count in rows:
        counts.setdefault(key, {})[status] = count
    return counts


async def unreachable_reasons(session: AsyncSession) -> dict[str, int]:
    """Bulk messages a platform rule kept from residents (a Zalo window, say), counted by reason."""
    rows = await session.execute(select(Delivery.reason, func.count())
                                 .where(Delivery.status == DeliveryStatus.UNREACHABLE)
                                 .group_by(Delivery.reason))
    return {reason or "": count for reason, count in rows}


async def count_blocked(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Resident)
                                  .where(Resident.blocked_at.is_not(None)))).scalar_one()


async def count_staff_notice_failure(session: AsyncSession, channel: str, staff_id: str, reason: str | None,
                                     now: datetime) -> None:
    stmt = _insert(session, StaffNoticeFailure).values(channel=channel, staff_id=staff_id, count=1, reason=reason,
                                                       last_at=now)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["channel", "staff_id"],
        set_={"count": StaffNoticeFailure.count + 1, "reason": reason, "last_at": now}))


async def staff_notice_failures(session: AsyncSession) -> list[StaffNoticeFailure]:
    rows = await session.execute(select(StaffNoticeFailure).order_by(StaffNoticeFailure.channel,
                                                                     StaffNoticeFailure.staff_id))
    return list(rows.scalars())


async def beat_sender(session: AsyncSession, channel: str, instance: str, now: datetime) -> None:
    """This process sends on `channel` and is alive."""
    stmt = _insert(session, Sender).values(channel=channel, instance=instance, seen_at=now)
    await session.execute(stmt.on_conflict_do_update(index_elements=["channel", "instance"], set_={"seen_at": now}))


async def live_senders(session: AsyncSession, channel: str, since: datetime) -> int:
    return (await session.execute(select(func.count()).select_from(Sender)
                                  .where(Sender.channel == channel, Sender.seen_at >= since))).scalar_one()


async def drop_sender(session: AsyncSession, channel: str, instance: str) -> None:
    """This process stops sending on `channel`."""
    await session.execute(delete(Sender).where(Sender.channel == channel, Sender.instance == instance))


async def create_broadcast(session: AsyncSession, text: str, staff_channel: str, staff_id: str,
                           now: datetime) -> Broadcast:
    broadcast = Broadcast(text=text, staff_channel=staff_channel, staff_id=staff_id, status=BroadcastStatus.SENDING,
                          created_at=now)
    session.add(broadcast)
    await session.flush()
    return broadcast


async def unfinished_broadcasts(session: AsyncSession) -> list[int]:
    rows = await session.execute(select(Broadcast.id).where(Broadcast.status == BroadcastStatus.SENDING)
                                 .order_by(Broadcast.id))
    return list(rows.scalars())


async def take_broadcast(session: AsyncSession, broadcast_id: int, instance: str, now: datetime,
                         lease: timedelta) -> bool:
    """Become the process sending a notice: when nobody is, its sender went silent, or it is
    this process (back for the retries)."""
    result = await session.execute(update(Broadcast).where(
        Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING,
        Broadcast.runner.is_(None) | (Broadcast.runner_seen_at < now - lease) | (Broadcast.runner == instance))
        .values(runner=instance, runner_seen_at=now).returning(Broadcast.id))
    return result.first() is not None


async def beat_broadcast(session: AsyncSession, broadcast_id: int, instance: str, now: datetime) -> None:
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.runner == instance)
                          .values(runner_seen_at=now))


async def release_broadcast(session: AsyncSession, broadcast_id: int, instance: str) -> None:
    """This process stops sending the notice: another, or the next start, takes it at once."""
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.runner == instance)
                          .values(runner=None, runner_seen_at=None))


async def finish_broadcast(session: AsyncSession, broadcast_id: int, status: str, now: datetime) -> None:
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                          .values(status=status, finished_at=now))


async def get_broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def count_subscribers(session: AsyncSession, channels: list[str]) -> int:
    return (await session.execute(select(func.count()).select_from(Resident).where(
        Resident.subscribed.is_(True), Resident.channel.in_(channels)))).scalar_one()


# Channels' own state -------------------------------------------------------------------

async def first_time_seen(session: AsyncSession, channel: str, event_id: str, now: datetime) -> bool:
    """Record an incoming event id; False when it was recorded before (a retried delivery)."""
    result = await session.execute(
        _insert(session, InboundEvent).values(channel=channel, event_id=event_id[:128], received_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "event_id"]).returning(InboundEvent.id))
    return result.first() is not None


async def forget_inbound_events(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(InboundEvent).where(InboundEvent.received_at < before))


async def get_token(session: AsyncSession, channel: str, for_update: bool = False) -> ChannelToken | None:
    """The stored token; `for_update` locks the row until the transaction ends (PostgreSQL;
    SQLite's write transactions are already exclusive)."""
    stmt = select(ChannelToken).where(ChannelToken.channel == channel).execution_options(populate_existing=True)
    return (await session.execute(stmt.with_for_update() if for_update else stmt)).scalar_one_or_none()


async def save_token(session: AsyncSession, channel: str, access_token: str, refresh_token: str,
                     expires_at: datetime | None, seed: str, now: datetime) -> None:
    values = dict(access_token=access_token, refresh_token=refresh_token, expires_at=expires_at, seed=seed,
                  updated_at=now)
    await session.execute(_insert(session, ChannelToken).values(channel=channel, **values)
                          .on_conflict_do_update(index_elements=["channel"], set_=values))
