"""Who may follow a live stream, and which of its events reach whom: the access policy, applied.

A stream is a meeting's or a text's channel (``meeting:<pk>``, ``text:<pk>``). It is opened through
the same queries as the page (``meetings.queries.meeting_detail``, ``texts.queries.text_for``), so an
account that may not read the object gets the page's 404, and the check is made again on every
resume and, while connected, at most every ``live.sse.RECHECK_SECONDS`` before a batch of events
(``still_readable``): a guest whose invitation is revoked, or a text made members-only, stops
receiving within seconds, and its page's re-fetch is the page's 404 at once.

Events carry ids and verbs only (decision 0014). ``admits`` lets an event through when every id it
carries names something the account may read, as the page would show it; an event with an id this
module does not know is dropped. So on a meeting open to guests a members-only agenda item's event
goes to members' connections only, and a guest never learns of a pending or revoked invitation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Model

Kind = Literal["meeting", "text"]

# What an event may carry besides its verb, per kind of stream; any other key drops the event.
_TEXT_KEYS = frozenset({"verb", "text", "unit", "amendment", "state", "decision"})
_MEETING_KEYS = frozenset({"verb", "meeting", "item", "invitation", "delegation"})


@dataclass(frozen=True)
class Stream:
    kind: Kind
    obj: Model
    channel: str


def open_stream(account: Any, kind: Kind, code: str) -> Stream:
    """The stream of the meeting or text ``code``; ``Http404`` when the account may not read it."""
    if kind == "meeting":
        from kenes.meetings.queries import meeting_detail

        meeting = meeting_detail(account, code)
        return Stream("meeting", meeting, f"meeting:{meeting.pk}")
    from kenes.texts.queries import text_for

    text = text_for(account, code)
    return Stream("text", text, f"text:{text.pk}")


def still_readable(account: Any, stream: Stream) -> bool:
    """May the account still read the stream's object (the policy asked again, now)?"""
    from kenes.access.policy import can

    return can(account, "view", stream.obj)


def admits(account: Any, stream: Stream, payload: dict[str, Any]) -> bool:
    """Does this event (ids and a verb) go to this account's connection?"""
    if stream.kind == "text":
        return _text_admits(account, stream, payload)
    return _meeting_admits(account, stream, payload)


def reads_database(stream: Stream, payload: dict[str, Any]) -> bool:
    """Does ``admits`` need the database for this event (an agenda item's or an invitation's)?"""
    return stream.kind == "meeting" and ("item" in payload or str(payload.get("verb", "")).startswith("invitation."))


def _text_admits(account: Any, stream: Stream, payload: dict[str, Any]) -> bool:
    # Paragraphs, amendments, positions, comments, versions and signatures are read with the text;
    # a delegation's private notes publish no event. A decision is read with its adopted text.
    return set(payload) <= _TEXT_KEYS and payload.get("text") in (None, stream.obj.pk)


def _meeting_admits(account: Any, stream: Stream, payload: dict[str, Any]) -> bool:
    from kenes.access.policy import visible
    from kenes.meetings.models import AgendaItem
    from kenes.meetings.queries import invitations_for

    meeting = stream.obj
    if not set(payload) <= _MEETING_KEYS or payload.get("meeting") not in (None, meeting.pk):
        return False
    verb = str(payload.get("verb", ""))
    if "item" in payload:
        items = AgendaItem.objects.filter(pk=payload["item"], meeting_id=meeting.pk)
        return visible(account, items).exists()
    if verb.startswith("invitation."):
        # Only the invitations the meeting page lists to this account (a guest: accepted ones and
        # its own); an event without an id is told to those who see every invitation.
        listed = {invitation.pk for invitation in invitations_for(account, meeting)}  # type: ignore[arg-type]
        if "invitation" in payload:
            return payload["invitation"] in listed
        return len(listed) == meeting.invitations.count()  # type: ignore[attr-defined]
    if "delegation" in payload:
        return bool(getattr(account, "is_authenticated", False))  # the page lists delegations when signed in
    return True
