"""The access policy refuses a question it cannot answer instead of answering it wrongly: an
object that is not protected, or a verb it does not know, is an error, never "visible"."""

from __future__ import annotations

from typing import Any

import pytest

from kenes.access.policy import can, visible, visible_after_reauth
from kenes.meetings.models import Document
from kenes.people.models import Account
from tests.conftest import verified


@pytest.mark.django_db
def test_only_protected_models_are_filtered(accounts: dict[str, Any]) -> None:
    kz = verified(accounts["kz"])
    with pytest.raises(TypeError, match=r"^Account is not a protected model$"):
        visible(kz, Account.objects.all())
    with pytest.raises(TypeError, match=r"^Account is not a protected model$"):
        visible_after_reauth(kz, Account.objects.all())
    with pytest.raises(TypeError, match=r"^Account is not a protected model$"):
        can(kz, "view", accounts["uz"])


@pytest.mark.django_db
def test_an_unknown_verb_is_an_error_not_a_permission(accounts: dict[str, Any]) -> None:
    secretariat = verified(accounts["secretariat"])
    document = Document.objects.get(code="demo-fm-2027-agenda")
    assert can(secretariat, "edit", document)  # the secretariat may do anything to it that exists
    for verb in ("delete", "EDIT", ""):
        with pytest.raises(ValueError, match=r"^unknown verb "):
            can(secretariat, verb, document)
