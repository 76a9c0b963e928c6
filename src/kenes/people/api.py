"""API: who am I; the member states' focal points."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kenes.access.policy import effective_clearance
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import errors
from kenes.people.directory import directory_for

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


@router.get("/me", response={200: MeOut, **errors()}, auth=RequiredAuth())
def me(request: HttpRequest) -> MeOut:
    account = account_of(request)
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
