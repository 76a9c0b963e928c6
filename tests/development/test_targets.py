"""Targets: progress computed against hand-computed cases; only the secretariat records one, linked
to a decision or an instruction, audited; refusals on page and API alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from kenes.audit.models import AuditEvent
from kenes.decisions.models import Decision
from kenes.development import actions
from kenes.development.charts import Point
from kenes.development.models import Indicator, Target
from kenes.development.progress import progress
from kenes.errors import ActionError
from tests.conftest import verified

pytestmark = pytest.mark.django_db


def _series(values: dict[int, float]) -> dict[int, Point]:
    return {y: Point("KAZ", y, v, str(v)) for y, v in values.items()}


def test_on_track_by_hand() -> None:
    # base 2015: 10, target 20 by 2025; 2020: 16. Half the time gone (5/10), 60 % of the gap closed (6/10).
    p = progress("KAZ", _series({2015: 10, 2018: 13, 2020: 16}), 2015, 2025, 20, "increase")
    assert p.status == "on_track"
    assert p.needed_share == pytest.approx(0.5) and p.achieved_share == pytest.approx(0.6)
    assert p.annual_achieved == pytest.approx(1.2) and p.annual_needed == pytest.approx(0.8)


def test_off_track_by_hand() -> None:
    # 2022: 12 of a gap 10 → 20; 70 % of the time gone (7/10), 20 % closed.
    p = progress("KAZ", _series({2015: 10, 2016: 11, 2022: 12}), 2015, 2025, 20, "increase")
    assert p.status == "off_track" and p.needed_share == pytest.approx(0.7) and p.achieved_share == pytest.approx(0.2)
    assert p.annual_needed == pytest.approx(8 / 3)


def test_a_falling_target_by_hand() -> None:
    # water stress 80 → 60 by 2030 from 2010; 2020: 72: half the time, 40 % closed → off track.
    p = progress("KAZ", _series({2010: 80, 2015: 76, 2020: 72}), 2010, 2030, 60, "decrease")
    assert p.status == "off_track" and p.achieved_share == pytest.approx(0.4)
    reached = progress("KAZ", _series({2010: 80, 2015: 70, 2020: 59}), 2010, 2030, 60, "decrease")
    assert reached.status == "achieved"


def test_insufficient_data() -> None:
    assert progress("KAZ", _series({2016: 1, 2017: 2, 2018: 3}), 2015, 2025, 5, "increase").status == "insufficient"
    assert progress("KAZ", _series({2015: 1, 2017: 2}), 2015, 2025, 5, "increase").status == "insufficient"
    assert progress("KAZ", {}, 2015, 2025, 5, "increase").label == "insufficient data"


def _form(chosen: Decision, **extra: Any) -> dict[str, Any]:
    data = {
        "entities": ["KAZ", "UZB"],
        "base_year": "2000",
        "year": "2030",
        "value": "85,5",
        "direction": "increase",
        "decision": str(chosen.pk),
        "instruction": "",
        "note": "test",
    }
    data.update(extra)
    return data


@pytest.fixture
def decision() -> Decision:
    return Decision.objects.filter(is_demo=True).first()  # type: ignore[return-value]


def test_the_secretariat_records_a_target_and_progress_is_computed(
    accounts: dict[str, Any], decision: Decision
) -> None:
    indicator = Indicator.objects.get(code="SP.DYN.LE00.IN")
    assert "at least (increase to)" not in Client().get("/development/").content.decode()  # fragment now cached
    target = actions.record_target(verified(accounts["secretariat"]), indicator, _form(decision))
    assert "at least (increase to) 85.5 (2030)" in Client().get("/development/").content.decode()
    assert target.value == 85.5 and target.entities == ["KAZ", "UZB"] and target.is_demo
    event = AuditEvent.objects.filter(verb="development.target_recorded").latest("seq")
    assert event.target_id == str(target.pk) and event.data["indicator"] == "SP.DYN.LE00.IN"
    body = Client().get("/api/v1/targets", {"indicator": "SP.DYN.LE00.IN"}).json()
    assert [p["entity"] for p in body[0]["progress"]] == ["KAZ", "UZB"]
    assert {p["status"] for p in body[0]["progress"]} <= {"on_track", "off_track", "achieved"}
    html = Client().get("/development/indicators/SP.DYN.LE00.IN/").content.decode()
    assert "at least (increase to) 85.5" in html  # the target in the chart's table
    # In the small multiples, the rule is drawn in the panels of the two states it is for, only.
    panels = Client().get("/development/charts/panels/SP.DYN.LE00.IN.json").json()
    rules = [row for row in panels["data"]["values"] if "target" in row]
    assert sorted(row["entity"] for row in rules) == ["KAZ", "UZB"]
    assert {row["target"] for row in rules} == {85.5}


@pytest.mark.parametrize("who", ["kz", "ru"])
def test_others_may_not_record_targets(accounts: dict[str, Any], decision: Decision, who: str) -> None:
    indicator = Indicator.objects.get(code="SP.DYN.LE00.IN")
    with pytest.raises(PermissionDenied):
        actions.record_target(verified(accounts[who]), indicator, _form(decision))
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"year": "1999"}, "year"),
        ({"value": "lots"}, "value"),
        ({"direction": "sideways"}, "direction"),
        ({"entities": ["RUS"]}, "entities"),
        ({"decision": ""}, "decision"),
        ({"decision": "999999"}, "decision"),
        ({"base_year": "20"}, "base_year"),
        ({"value": "nan"}, "value"),
        ({"value": "inf"}, "value"),
        ({"decision": "one"}, "decision"),
        ({"note": "x" * (actions.MAX_NOTE + 1)}, "note"),
    ],
)
def test_bad_targets_are_refused_on_both_surfaces(
    accounts: dict[str, Any], decision: Decision, extra: dict[str, Any], field: str
) -> None:
    indicator = Indicator.objects.get(code="SP.DYN.LE00.IN")
    with pytest.raises(ActionError) as refused:
        actions.record_target(verified(accounts["secretariat"]), indicator, _form(decision, **extra))
    assert refused.value.field == field
    from kenes.people.actions import create_token

    _token, raw = create_token("test", accounts["secretariat"], "test")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    body = {k: v for k, v in _form(decision, **extra).items() if v != ""}
    for key in ("base_year", "year", "decision"):
        if key in body and str(body[key]).isdigit():
            body[key] = int(body[key])
    body["indicator"] = "SP.DYN.LE00.IN"
    body["value"] = (
        body["value"].replace(",", ".") if isinstance(body["value"], str) and body["value"] != "lots" else body["value"]
    )
    response = api.post("/api/v1/targets", body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert not Target.objects.exists()


def test_the_page_form_is_for_the_secretariat_only(signed_in: Any, decision: Decision) -> None:
    secretariat = signed_in("secretariat")
    page = secretariat.get("/development/indicators/SP.DYN.LE00.IN/").content.decode()
    assert 'id="new-target"' in page
    refused = secretariat.post("/development/indicators/SP.DYN.LE00.IN/targets/", _form(decision, year="1990"))
    assert refused.status_code == 400 and 'id="target-error"' in refused.content.decode()
    response = secretariat.post("/development/indicators/SP.DYN.LE00.IN/targets/", _form(decision))
    assert response.status_code == 302 and Target.objects.count() == 1
    guest = signed_in("ru")
    assert 'id="new-target"' not in guest.get("/development/indicators/SP.DYN.LE00.IN/").content.decode()
    assert guest.post("/development/indicators/SP.DYN.LE00.IN/targets/", _form(decision)).status_code == 403
    assert Client().post("/development/indicators/SP.DYN.LE00.IN/targets/", _form(decision)).status_code == 302
    assert Target.objects.count() == 1
