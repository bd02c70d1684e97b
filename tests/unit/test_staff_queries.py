"""Queries behind the staff pages, on SQLite and (with TEST_POSTGRES_URL) PostgreSQL."""
from datetime import datetime, timezone

from storage import staff as staff_store
from storage.models import Delivery, Resident
from storage.status import DeliveryStatus

NOW = datetime(2023, 10, 3, 1, 0, tzinfo=timezone.utc)


async def test_still_to_reach_counts_subscribers_without_a_settled_message(any_storage):
    """A notice under way to five subscribers: one reached, one blocked the bot (and so is no longer
    a subscriber), one claimed, one to retry, one not started, one on a channel not running here.
    Still to go: the claimed, the retry and the unstarted one (subscribers minus outcomes said 2)."""
    async with any_storage.session() as s, s.begin():
        people = {}
        for name, channel, subscribed in (("sent", "telegram", True), ("blocked", "telegram", False),
                                          ("claimed", "telegram", True), ("retry", "telegram", True),
                                          ("waiting", "telegram", True), ("elsewhere", "zalo", True)):
            people[name] = Resident(channel=channel, external_id=name, language="vi", subscribed=subscribed,
                                    first_seen=NOW, last_seen=NOW)
            s.add(people[name])
        await s.flush()
        for name, status in (("sent", DeliveryStatus.SENT), ("blocked", DeliveryStatus.BLOCKED),
                             ("claimed", DeliveryStatus.CLAIMED), ("retry", DeliveryStatus.RETRY)):
            s.add(Delivery(key="broadcast:1", resident_id=people[name].id, status=status, claimed_by="test",
                           claimed_at=NOW, updated_at=NOW))
        s.add(Delivery(key="broadcast:2", resident_id=people["waiting"].id, status=DeliveryStatus.SENT,
                       claimed_by="test", claimed_at=NOW, updated_at=NOW))  # another notice: not this one's
    async with any_storage.session() as s:
        assert await staff_store.count_not_yet_reached(s, "broadcast:1", ["telegram"]) == 3
        assert await staff_store.count_not_yet_reached(s, "broadcast:1", ["telegram", "zalo"]) == 4
