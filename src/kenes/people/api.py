"""API: who am I; the member states' focal points."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kenes.access.policy import effective_clearance
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Key, StrictSchema, errors
from kenes.people import actions
from kenes.people.directory import directory_for
from kenes.people.notify import choices_of

router = Router(tags=["accounts"])


class RoleOut(Schema):
    format: str | None
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    affiliation: str
    state: str | None
    organisation: str | None
    clearance: str
    effective_clearance: str
    roles: list[RoleOut]
    language: str = Field(description="The language of the account's notifications and e-mails")


class MePatch(StrictSchema):
    language: Key = Field(description="One of the interface's languages: ru, en, kk, ky, tg, tk, uz")


@router.get("/me", response={200: MeOut, **errors()}, auth=RequiredAuth())
def me(request: HttpRequest) -> MeOut:
    return _me(account_of(request))


@router.patch("/me", response={200: MeOut, **errors(400, 403, 413, 422)}, auth=RequiredAuth())
def update_me(request: HttpRequest, payload: MePatch) -> MeOut:
    """Set the language of one's notifications and e-mails."""
    account = account_of(request)
    actions.set_language(account, payload.language)
    return _me(account)


def _me(account: Any) -> MeOut:
    from django.conf import settings

    return MeOut(
        email=account.email,
        full_name=account.full_name,
        affiliation=account.affiliation,
        state=account.state.iso2 if account.state else None,
        organisation=account.organisation.code if account.organisation else None,
        clearance=account.clearance,
        effective_clearance=effective_clearance(account),
        roles=[
            RoleOut(format=r.format.code if r.format else None, role=r.role)
            for r in account.roles.select_related("format")
        ],
        language=account.preferred_language or settings.LANGUAGE_CODE,
    )


class FocalPointOut(Schema):
    state: str
    full_name: str
    email: str
    formats: list[str] = Field(description="The formats it answers for; empty: every format")


@router.get("/focal-points", response={200: list[FocalPointOut], **errors()}, auth=RequiredAuth())
def focal_points(request: HttpRequest) -> list[FocalPointOut]:
    """The member states' focal points, for the secretariat and member delegations (404 for others)."""
    return [
        FocalPointOut(
            state=entry.state.iso2,
            full_name=person.full_name,
            email=person.email,
            formats=[f.code for f in formats if f is not None],
        )
        for entry in directory_for(account_of(request))
        for person, formats in entry.focal_points
    ]


Mode = Literal["now", "daily", "off"]


class NoticesIn(StrictSchema):
    """How each kind of notice reaches you by e-mail: at once, in a daily e-mail, or not (in Kenes
    only); a kind left out keeps its choice."""

    invitation: Mode | None = None
    text: Mode | None = None
    instruction: Mode | None = None
    cadence: Mode | None = None
    security: Mode | None = None
    other: Mode | None = None


class NoticesOut(Schema):
    choices: dict[str, str]


@router.get("/me/notices", response={200: NoticesOut, **errors()}, auth=RequiredAuth())
def notices(request: HttpRequest) -> NoticesOut:
    """How each kind of notice reaches you by e-mail."""
    return NoticesOut(choices=choices_of(account_of(request)))


@router.put("/me/notices", response={200: NoticesOut, **errors(400, 403, 413, 422)}, auth=RequiredAuth())
def update_notices(request: HttpRequest, payload: NoticesIn) -> NoticesOut:
    """Choose how kinds of notice reach you by e-mail: at once, in a daily e-mail, or not at all."""
    chosen = {kind: mode for kind, mode in payload.dict().items() if mode is not None}
    return NoticesOut(choices=actions.set_notice_choices(account_of(request), chosen))
