"""What a resident has answered in the pledge dialog so far: dialog_states.data, by name.

The dict keys are the ones stored before this class existed, so dialog rows already in a
database keep working: from_dict reads them, to_dict writes them back. A key is written only
once its step is answered; "name" and "phone" may then hold None (anonymous, no phone).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from storage.status import PledgeStep


@dataclass
class PledgeDraft:
    amount: int | None = None       # "amount"
    suggestion: int | None = None   # "suggestion": the amount "Did you mean …?" asks about
    name: str | None = None         # "name": None when anonymous
    anonymous: bool | None = None   # "anonymous": None until the name step is answered
    phone: str | None = None        # "phone": None when skipped (or not asked yet)
    phone_answered: bool = False    # the "phone" key is there
    editing: bool = False           # "editing": changing one answer from the summary, then back to it

    @classmethod
    def from_dict(cls, data: dict) -> PledgeDraft:
        return cls(amount=data.get("amount"), suggestion=data.get("suggestion"), name=data.get("name"),
                   anonymous=data.get("anonymous"), phone=data.get("phone"), phone_answered="phone" in data,
                   editing=bool(data.get("editing")))

    def to_dict(self) -> dict:
        data: dict = {}
        if self.suggestion is not None:
            data["suggestion"] = self.suggestion
        if self.amount is not None:
            data["amount"] = self.amount
        if self.anonymous is not None:
            data.update(name=self.name, anonymous=self.anonymous)
        if self.phone_answered:
            data["phone"] = self.phone
        if self.editing:
            data["editing"] = True
        return data

    def answered(self) -> set[PledgeStep]:
        """The steps whose answers the draft holds."""
        done = {PledgeStep.AMOUNT} if self.amount is not None else set()
        if self.anonymous is not None:
            done.add(PledgeStep.NAME)
        if self.phone_answered:
            done.add(PledgeStep.PHONE)
        return done

    def set_name(self, name: str | None) -> None:
        """None: anonymous."""
        self.name, self.anonymous = name, name is None

    def set_phone(self, phone: str | None) -> None:
        """None: no phone given."""
        self.phone, self.phone_answered = phone, True

    def summary_version(self) -> str:
        """Names the summary a Confirm button was shown under, so that an older one confirms nothing.
        The button's payload carries it and may be stored (residents.shown_buttons): keep the recipe."""
        seen = f"{self.amount}|{self.name}|{self.anonymous}|{self.phone}"
        return hashlib.sha256(seen.encode()).hexdigest()[:8]
