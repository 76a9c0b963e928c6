"""The demo material is dated from the day ``load_demo`` runs (issue 17, item 3), so that it stays
ahead whenever the demo or the test database is built; the real reference data keeps its dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kenes.meetings.models import Meeting
from kenes.people.demo import DEMO_EXTRA_MEETING, DEMO_MEETING, demo_day
from tests.conftest import demo_meeting_day

pytestmark = pytest.mark.clock


def test_demo_day_is_a_midweek_day_that_many_days_ahead() -> None:
    assert demo_day(100, today=dt.date(2026, 12, 2)) == dt.date(2027, 3, 16)  # Wed + 100 = Fri 12, on to Tue
    assert demo_day(0, today=dt.date(2026, 12, 2)) == dt.date(2026, 12, 2)  # a Wednesday stays
    for start in (dt.date(2030, 1, 1) + dt.timedelta(days=n) for n in range(7)):
        day = demo_day(180, today=start)
        assert day.weekday() in (1, 2, 3) and 180 <= (day - start).days <= 185


@pytest.mark.django_db
def test_the_demo_meetings_lie_ahead_of_today() -> None:
    today = timezone.localdate()
    fm, extra = demo_meeting_day(DEMO_MEETING), demo_meeting_day(DEMO_EXTRA_MEETING)
    # the test database was built when this session started: a day or so ago at most
    assert 95 <= (fm - today).days <= 106 and 175 <= (extra - today).days <= 186
    assert fm.weekday() in (1, 2, 3) and extra.weekday() in (1, 2, 3)
    assert Meeting.objects.get(code=DEMO_MEETING).end_text == fm.isoformat()


@pytest.mark.django_db
def test_the_real_data_keeps_its_dates() -> None:
    assert Meeting.objects.get(code="ca_heads_of_state-IV").start_text == "2022-07-21"


@pytest.mark.django_db
def test_nothing_in_the_demo_is_adopted_or_decided_before_its_meeting() -> None:
    from kenes.decisions.models import Decision
    from kenes.texts.models import Text

    adopted = Text.objects.filter(is_demo=True, adopted_at__isnull=False).select_related("meeting")
    assert adopted.exists()
    for text in adopted:
        if text.meeting is not None:
            start = text.meeting.start_date
            assert start is not None and start <= timezone.localtime(text.adopted_at).date(), text.code
    for decision in Decision.objects.filter(text__is_demo=True).select_related("text__meeting"):
        meeting = decision.text.meeting
        assert meeting is None or (meeting.start_date or decision.adopted_on) <= decision.adopted_on
