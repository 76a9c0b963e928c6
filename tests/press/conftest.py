"""Fixtures of the press service: the demo accounts as after 2FA, and a public and a members-only
adopted text at a public meeting."""

from __future__ import annotations

from typing import Any

import pytest

from kenes.meetings.models import Meeting
from tests.conftest import verified
from tests.decisions.conftest import adopt
from tests.decisions.conftest import people as people

HELD = "ca_heads_of_state-IV"
SECRET = "Instruct the ministers to study the confidential water allocation figures (members only, test)."
OPEN = "Instruct the ministers to publish the joint transport timetable on the mechanism's site (test)."


@pytest.fixture
def sec(accounts: dict[str, Any]) -> Any:
    return verified(accounts["secretariat"])


@pytest.fixture
def held_meeting(db: Any) -> Meeting:
    return Meeting.objects.select_related("format").get(code=HELD)


@pytest.fixture
def adopted_pair(people: dict[str, Any]) -> dict[str, Any]:
    """At the demo foreign ministers' meeting (moved to public for the test): one public and one
    members-only adopted text."""
    meeting = Meeting.objects.get(code="demo-fm-2027")
    Meeting.objects.filter(pk=meeting.pk).update(classification="public")
    public = adopt(people, code="press-open", classification="public", units=[OPEN])
    secret = adopt(people, code="press-secret", classification="members", units=[SECRET])
    return {"meeting": Meeting.objects.get(pk=meeting.pk), "public": public, "secret": secret}
