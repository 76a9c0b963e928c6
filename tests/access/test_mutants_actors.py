"""Who is acting, rule by rule, as ``./dev mutate`` found them untested (docs/mutation.md): strong
authentication, the second factor every change needs, and roles that count only in their format."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from kenes.access.actors import (
    has_role,
    holds_role,
    is_operator,
    is_strongly_authenticated,
    lacks_second_factor,
    require_strong_auth,
)
from kenes.meetings.models import Format
from kenes.people.actions import create_account
from kenes.people.models import Account, Affiliation, Role
from kenes.states.models import State
from tests.conftest import verified

pytestmark = pytest.mark.django_db

FM, HOS = "ca_foreign_ministers", "ca_heads_of_state"


def _fresh(account: Account) -> Account:
    """The account as loaded for a new request: no second factor, no token."""
    return Account.objects.get(pk=account.pk)


def _delegate(roles: list[tuple[str | None, str]], *, clearance: str = "members") -> Account:
    return create_account(
        "test", email=f"scoped.{len(roles)}.{clearance}@test.kenes.invalid", full_name="Test scoped (fictional)",
        password=None, affiliation=Affiliation.STATE, state=State.objects.get(iso2="KZ"), clearance=clearance,
        roles=[(Format.objects.get(code=f) if f else None, r) for f, r in roles],
    )  # fmt: skip


def test_an_operator_is_a_command_name_not_an_account(accounts: dict[str, Any]) -> None:
    assert is_operator("load_demo")
    assert not is_operator(accounts["secretariat"])
    assert not is_operator(AnonymousUser())


def test_strong_authentication_is_a_passed_totp_or_an_api_token(accounts: dict[str, Any]) -> None:
    kz = _fresh(accounts["kz"])
    assert not is_strongly_authenticated(kz)  # django-otp's is_verified is not there before the middleware
    assert not is_strongly_authenticated(AnonymousUser())
    kz.is_verified = lambda: False  # type: ignore[method-assign]
    assert not is_strongly_authenticated(kz)
    kz.is_verified = True  # type: ignore[assignment,method-assign]  # not django-otp's method: does not count
    assert not is_strongly_authenticated(kz)
    assert is_strongly_authenticated(verified(_fresh(accounts["kz"])))
    token = _fresh(accounts["kz"])
    token.kenes_token_auth = True  # type: ignore[attr-defined]
    token.is_verified = lambda: False  # type: ignore[method-assign]
    assert is_strongly_authenticated(token)


def test_only_an_account_that_must_use_two_factors_can_lack_the_second(accounts: dict[str, Any]) -> None:
    assert not lacks_second_factor(AnonymousUser())
    assert not lacks_second_factor("load_demo")
    assert not lacks_second_factor(_fresh(accounts["ru"]))  # cleared participants: a password suffices
    assert lacks_second_factor(_fresh(accounts["kz"]))
    assert not lacks_second_factor(verified(_fresh(accounts["kz"])))
    token = _fresh(accounts["kz"])
    token.kenes_token_auth = True  # type: ignore[attr-defined]
    assert not lacks_second_factor(token)


def test_a_change_without_the_second_factor_is_refused_with_what_to_do(accounts: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied, match=r"^Enter your two-factor code before making changes\.$"):
        require_strong_auth(_fresh(accounts["kz"]))
    require_strong_auth(verified(_fresh(accounts["kz"])))
    require_strong_auth(_fresh(accounts["ru"]))
    require_strong_auth("load_demo")


def test_a_role_counts_in_its_format_and_a_global_one_everywhere() -> None:
    fm, hos = Format.objects.get(code=FM), Format.objects.get(code=HOS)
    scoped = _delegate([(FM, Role.DELEGATE)])
    assert has_role(scoped, [Role.DELEGATE], fm)
    assert has_role(scoped, [Role.DELEGATE], fm.pk)  # a format by its id
    assert has_role(scoped, [Role.FOCAL_POINT, Role.DELEGATE], hos, fm)  # one of several formats
    assert not has_role(scoped, [Role.DELEGATE], hos)
    assert not has_role(scoped, [Role.DELEGATE], hos.pk)
    assert not has_role(scoped, [Role.DELEGATE])  # with no format, only a global role counts
    assert not has_role(scoped, [Role.FOCAL_POINT], fm)  # another role
    everywhere = _delegate([(None, Role.FOCAL_POINT), (HOS, Role.OBSERVER)])
    assert has_role(everywhere, [Role.FOCAL_POINT], fm)
    assert has_role(everywhere, [Role.FOCAL_POINT])
    assert has_role(everywhere, [Role.OBSERVER], hos)
    assert not has_role(everywhere, [Role.OBSERVER], fm)
    assert not has_role(everywhere, [Role.OBSERVER])


def test_no_role_for_an_operator_the_anonymous_or_an_inactive_account() -> None:
    fm = Format.objects.get(code=FM)
    assert not has_role("load_demo", [Role.SECRETARIAT], fm)
    assert not has_role(AnonymousUser(), [Role.DELEGATE], fm)
    account = _delegate([(None, Role.DELEGATE)])
    assert has_role(account, [Role.DELEGATE], fm)
    account.is_active = False
    assert not has_role(account, [Role.DELEGATE], fm)


def test_the_acting_account_holds_its_roles_only_after_the_second_factor() -> None:
    fm, hos = Format.objects.get(code=FM), Format.objects.get(code=HOS)
    account = _delegate([(FM, Role.DELEGATE)])
    assert has_role(account, [Role.DELEGATE], fm)
    assert not holds_role(account, [Role.DELEGATE], fm)
    acting = verified(account)
    assert holds_role(acting, [Role.DELEGATE], fm)
    assert not holds_role(acting, [Role.DELEGATE], hos)
    assert not holds_role(acting, [Role.OBSERVER], fm)
    assert not holds_role(acting, [Role.DELEGATE])
    no_factor_needed = _delegate([(None, Role.OBSERVER)], clearance="participants")
    assert holds_role(no_factor_needed, [Role.OBSERVER], fm)
