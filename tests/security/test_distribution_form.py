"""The distribution checkboxes: each box inside its own state's label, the officer's own state
ticked and disabled (it is always on the list), the states in the reader's alphabetical order."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db
LABEL = re.compile(r'<label><input type="checkbox" name="distribution" value="([A-Z]{2})" ([^>]*)> ([^<]+)</label>')


@pytest.mark.parametrize("language", ["ru", "en"])
def test_own_state_ticked_and_states_sorted(client: Any, accounts: dict[str, Any], language: str) -> None:
    login(client, accounts["kg"])
    client.cookies["django_language"] = language
    page = client.get("/security/new/").content.decode()
    (fieldset,) = [
        f for f in page.split('<fieldset class="checks">')[1:] if 'name="distribution"' in f.split("</fieldset>")[0]
    ]
    fieldset = fieldset.split("</fieldset>", 1)[0]
    boxes = LABEL.findall(fieldset)
    assert len(boxes) == fieldset.count('type="checkbox"') >= 5
    names = [name.strip() for _iso2, _attrs, name in boxes]
    assert names == sorted(names)
    own = {iso2: attrs for iso2, attrs, _name in boxes}["KG"]
    assert "checked" in own and "disabled" in own
    assert all("disabled" not in attrs for iso2, attrs, _name in boxes if iso2 != "KG")
    if language == "ru":
        assert "Кыргызстан" in names
