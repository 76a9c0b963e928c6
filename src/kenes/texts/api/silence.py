"""API: the end of a negotiation: silence procedure, its break, adoption by consensus, signatures."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Status

from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Key, Str, StrictSchema
from kenes.texts import actions, queries
from kenes.texts.api.outputs import fresh_text, room_out, signature_out
from kenes.texts.api.schemas import ACT_ERRORS, WRITE_ERRORS, RoomOut, SignatureOut

router = Router(tags=["texts"])


class SilenceIn(StrictSchema):
    deadline: dt.datetime = Field(description="Local date and time at the deadline, e.g. `2031-05-12T18:00`.")
    timezone: Key = Field(description="The IANA time zone the deadline is in, e.g. `Asia/Almaty`.")


@router.post("/texts/{code}/silence", response={200: RoomOut, **WRITE_ERRORS}, auth=RequiredAuth())
def circulate_for_silence(request: HttpRequest, code: Key, payload: SilenceIn) -> RoomOut:
    """The chair circulates a clean text under silence procedure until the deadline."""
    account = account_of(request)
    text = queries.text_for(account, code)
    actions.circulate_for_silence(account, text, deadline=payload.deadline, timezone_name=payload.timezone.strip())
    return room_out(account, fresh_text(account, code))


class SilenceBreakIn(StrictSchema):
    reason: Str = Field(min_length=1, max_length=actions.MAX_REASON)


@router.post("/texts/{code}/silence/break", response={200: RoomOut, **WRITE_ERRORS}, auth=RequiredAuth())
def break_silence(request: HttpRequest, code: Key, payload: SilenceBreakIn) -> RoomOut:
    """A member delegation objects in writing before the deadline; after it, this is refused."""
    account = account_of(request)
    text = queries.text_for(account, code)
    actions.break_silence(account, text, reason=payload.reason)
    return room_out(account, fresh_text(account, code))


@router.post("/texts/{code}/adopt", response={200: RoomOut, **ACT_ERRORS}, auth=RequiredAuth())
def adopt(request: HttpRequest, code: Key) -> RoomOut:
    """Adoption by consensus at a meeting (the chair): only a clean text."""
    account = account_of(request)
    text = queries.text_for(account, code)
    actions.adopt_by_consensus(account, text)
    return room_out(account, fresh_text(account, code))


@router.post("/texts/{code}/signatures", response={201: SignatureOut, **ACT_ERRORS}, auth=RequiredAuth())
def sign(request: HttpRequest, code: Key) -> Status[SignatureOut]:
    """The caller's member delegation signs the adopted text: the hashes it signed are recorded."""
    account = account_of(request)
    text = queries.text_for(account, code)
    signature = actions.sign(account, text)
    return Status(201, signature_out(text, signature))
