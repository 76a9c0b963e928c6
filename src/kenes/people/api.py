"""API: who am I."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from kenes.access.policy import effective_clearance
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import errors

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
