"""The API against its own contract (issue 10, item 3): schemathesis reads the published OpenAPI
document from the real application and sends what it describes, and what it forbids, to every
operation, as the public (no credentials), as a member delegate and as the secretariat (API tokens),
checking every answer with all of its checks: no server error, only documented status codes and
content types, bodies that match the declared schemas, schema-valid input accepted and
schema-invalid input refused, and the rest (``schemathesis.checks``).

The run is bounded and repeatable: a fixed seed, deterministic generation, ``MAX_EXAMPLES`` drawn
examples per operation and identity on top of the coverage phase's boundary and negative cases
(the stateful phase is off). The public's writes are all answered 401 before their input is read,
so they get the drawn examples only. Writes happen inside the test's transaction and are rolled back
after each operation: the suite's reference data and demo material stay as they were.

One deviation from schemathesis's defaults, on purpose: a schema-valid request may be refused with
a 400. The schema says what is well formed; the rules (a clean text only is adopted, the chair is a
member state on the meeting's dates, …) live in the actions and answer 400 with the field at fault.
A 422 for a schema-valid request is still a failure: the schema must be as strict as the validation.

In ``./dev test`` this is part of the suite; on its own::

    PYTHONPATH=src .venv/bin/python -m pytest tests/api/test_schemathesis.py -p no:cacheprovider -q
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from kenes.wsgi import application

SEED = 2026
MAX_EXAMPLES = 5
OPENAPI = "/api/v1/openapi.json"
WRITES = ["POST", "PUT", "PATCH", "DELETE"]


def _config(*, coverage: bool = True) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": coverage}},
            "checks": {
                # A rule of an action may refuse schema-valid input (400); the module docstring says why.
                "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]},
            },
        }
    )


schema = schemathesis.openapi.from_wsgi(OPENAPI, application, config=_config())
anonymous_writes = schemathesis.openapi.from_wsgi(OPENAPI, application, config=_config(coverage=False)).include(
    method=WRITES
)

# The client address the rate limits count by (the WSGI test client sends none).
ENVIRON = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture(autouse=True)
def _one_connection() -> Iterator[None]:
    """As Django's test client does: the request does not close the test's database connection
    (the real WSGI handler would, and on PostgreSQL take the test's transaction with it)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(accounts: dict[str, Any]) -> dict[str, dict[str, str]]:
    """``Authorization`` headers: a member delegate's token and the secretariat's."""
    from kenes.people.actions import create_token

    headers = {}
    for name in ("kz", "secretariat"):
        _token, raw = create_token("test", accounts[name], "x")
        headers[name] = {"Authorization": f"Bearer {raw}"}
    return headers


FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)


@schema.parametrize()
@FUZZ
@pytest.mark.parametrize("who", ["kz", "secretariat"])
def test_api_as_a_member_delegate_and_the_secretariat(case: Any, who: str, bearer: dict[str, dict[str, str]]) -> None:
    case.call_and_validate(headers=bearer[who], environ_base=ENVIRON)


@schema.include(method="GET").parametrize()
@FUZZ
def test_api_reads_as_the_public(case: Any, db: Any) -> None:
    case.call_and_validate(environ_base=ENVIRON)


@anonymous_writes.parametrize()
@FUZZ
def test_api_writes_as_the_public(case: Any, db: Any) -> None:
    response = case.call_and_validate(environ_base=ENVIRON)
    assert response.status_code in (401, 404, 405, 422), response.status_code
