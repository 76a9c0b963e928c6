"""The published contract (issue 10, item 3): the OpenAPI document says what the API does.

Every schema has one name (two ``ReportIn`` once published the threat report's body for instruction
reports too); every operation declares the error statuses it can answer, each with the error body
it sends; the limits and formats of the input are in the schema. ``test_schemathesis`` then checks
the running API against all of it.
"""

from __future__ import annotations

import enum
import typing
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from kenes.api.schemas import ANY_REQUEST


def _operations() -> list[tuple[str, str, Any]]:
    from kenes.api.urls import api

    found = []
    for router in api._get_bound_routers():
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    found.append((method, path, operation))
    return found


def _types(annotation: Any, seen: set[Any]) -> None:
    """Every model and enum ``annotation`` reaches, into ``seen``."""
    for arg in typing.get_args(annotation):
        _types(arg, seen)
    if isinstance(annotation, type) and annotation not in seen:
        if issubclass(annotation, BaseModel):
            seen.add(annotation)
            for field in annotation.model_fields.values():
                _types(field.annotation, seen)
        elif issubclass(annotation, enum.Enum):
            seen.add(annotation)


def test_every_schema_has_a_name_of_its_own() -> None:
    seen: set[Any] = set()
    for _method, _path, operation in _operations():
        for model in operation.models:
            _types(model, seen)
        for model in operation.response_models.values():
            if model is not None:
                _types(model, seen)
    by_name: dict[str, set[str]] = {}
    for cls in seen:
        if cls.__module__.startswith("kenes."):
            by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: places for name, places in by_name.items() if len(places) > 1} == {}


@pytest.mark.django_db
def test_each_report_body_is_published_under_its_own_name() -> None:
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"InstructionReportIn", "InstructionReportOut", "ThreatReportIn", "ThreatReportOut"} <= set(schemas)
    assert not {"ReportIn", "ReportOut", "ReportDetailOut"} & set(schemas)
    assert "MeasuresTextOut" in schemas  # the security channel's answer, not the texts' TextOut
    assert set(schemas["InstructionReportIn"]["properties"]) == {"body", "progress"}
    assert "severity" in schemas["ThreatReportIn"]["properties"]


# The writes that take the version the caller read: a stale one is a 409.
VERSIONED = {
    "PATCH /api/v1/formats/{code}/rules",
    "POST /api/v1/meetings/{code}/status",
    "POST /api/v1/meetings/{code}/reschedule",
    "PATCH /api/v1/agenda/{item_id}",
    "PUT /api/v1/meetings/{code}/delegation",
    "PATCH /api/v1/documents/{code}",
    "PUT /api/v1/texts/{code}/units/{uid}/{language}",
}


@pytest.mark.django_db
def test_every_operation_declares_the_errors_it_can_answer() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    missing: dict[str, set[int]] = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            declared = {int(code) for code in operation["responses"]}
            expected = set(ANY_REQUEST)
            parameters = operation.get("parameters", [])
            if parameters or "requestBody" in operation:
                expected.add(422)  # a parameter or a body that does not match the schema
            if any(p["in"] == "path" for p in parameters):
                expected.add(404)  # no such object, or one the caller may not see
            if "requestBody" in operation:
                expected |= {400, 413}  # a rule refuses the input; the body is too large
            if method != "get":
                expected |= {400, 403}  # a rule refuses the change; the caller may not make it
            if f"{method.upper()} {path}" in VERSIONED:
                expected.add(409)  # someone else changed it since the expected version
            if expected - declared:
                missing[f"{method.upper()} {path}"] = expected - declared
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    wanted = "ValidationErrorOut" if code == "422" else "ErrorOut"
                    assert ref.endswith(f"/{wanted}"), (method, path, code, ref)
    assert missing == {}


@pytest.mark.django_db
def test_the_error_bodies_are_what_the_api_sends(accounts: dict[str, Any]) -> None:
    from kenes.people.actions import create_token

    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schemas["ErrorOut"]["required"]) == {"detail"}
    assert set(schemas["ErrorOut"]["properties"]) == {"detail", "field"}
    _token, raw = create_token("test", accounts["secretariat"], "x")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    refused = client.post("/api/v1/texts", {"code": "okay", "title": "t", "kind": "joint_statement", "format": "none",
                                            "units": [{"content": "x"}]}, content_type="application/json")  # fmt: skip
    assert refused.status_code == 400 and refused.json() == {"detail": "Unknown format.", "field": "format"}
    invalid = client.post("/api/v1/texts", {}, content_type="application/json")
    assert invalid.status_code == 422
    assert all({"type", "loc", "msg"} <= set(issue) for issue in invalid.json()["detail"])


@pytest.mark.django_db
def test_limits_and_formats_are_in_the_schema() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    def parameter(path: str, name: str) -> dict[str, Any]:
        operation = document["paths"][path]["get"]
        return next(p["schema"] for p in operation["parameters"] if p["name"] == name)

    assert parameter("/api/v1/formats/{code}/date-suggestions", "days")["minimum"] == 1
    assert schemas["PositionIn"]["properties"]["bracket_index"]["anyOf"][0]["minimum"] == 0
    assert schemas["AmendmentIn"]["properties"]["option_index"]["anyOf"][0]["minimum"] == 0
    assert schemas["TextCreate"]["properties"]["units"]["minItems"] == 1
    assert schemas["ReturnIn"]["properties"]["comment"]["minLength"] == 1
    assert schemas["ConsultationIn"]["properties"]["within_days"]["minimum"] == 1
    start_time = schemas["MeetingCreate"]["properties"]["start_time"]["anyOf"][0]
    assert "pattern" in start_time and "format" not in start_time  # a local time, no UTC offset
    code = parameter("/api/v1/texts/{code}", "code")
    assert code["maxLength"] and code["pattern"]


def test_operation_ids_name_the_app_not_the_module_inside_its_api() -> None:
    """Clients generate code from the operation ids: an API split into modules by resource
    (``texts.api.units``) keeps ``kenes_texts_api_<function>``."""
    from kenes.api.urls import api

    ids = [op["operationId"] for ops in api.get_openapi_schema()["paths"].values() for op in ops.values()]
    assert "kenes_texts_api_propose_amendment" in ids
    assert "kenes_texts_api_circulate_for_silence" in ids
    assert len(ids) == len(set(ids))
