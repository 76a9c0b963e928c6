"""The foundation's pages: what each shows, the edit form, and the error pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kenes.meetings.models import Document


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/", "Recent meetings"),
        ("/states/", "Azerbaijan"),
        ("/states/AZ/", "2025-11-16"),
        ("/formats/", "Central Asia + Japan summit"),
        ("/formats/ca_foreign_ministers/", "at least once every six months"),
        ("/meetings/", "Cholpon-Ata"),
        ("/meetings/?format=c5_cn_summit", "Xi&#x27;an"),
        ("/meetings/ca_heads_of_state-IV/", "Treaty on Friendship"),
        ("/documents/ca_heads_of_state-IV-treaty_friendship/", "Signed at the meeting by"),
        ("/login/", "Forgot your password?"),
    ],
)
def test_public_pages(url: str, text: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    assert text in response.content.decode()


@pytest.mark.django_db
def test_meeting_filter_narrows_the_list() -> None:
    page = Client().get("/meetings/?format=c5_cn_summit").content.decode()
    assert "Cholpon-Ata" not in page


@pytest.mark.django_db
def test_unknown_objects_are_404_pages() -> None:
    client = Client()
    for url in ("/states/XX/", "/formats/nope/", "/meetings/nope/", "/documents/nope/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "There is nothing here, or nothing you may see." in response.content.decode()


@pytest.mark.django_db
def test_edit_form_saves_through_the_action(signed_in: Any) -> None:
    client = signed_in("secretariat")
    form = client.get("/documents/demo-fm-2027-press/edit/")
    assert form.status_code == 200
    response = client.post(
        "/documents/demo-fm-2027-press/edit/",
        {"version": "1", "title_en": "DEMO press note, revised (fictional)", "classification": "public", "body": "b"},
    )
    assert response.status_code == 302
    assert Document.objects.get(code="demo-fm-2027-press").title_en == "DEMO press note, revised (fictional)"


@pytest.mark.django_db
def test_edit_form_refuses_a_stale_version_and_keeps_the_input(signed_in: Any) -> None:
    client = signed_in("secretariat")
    Document.objects.filter(code="demo-fm-2027-press").update(version=2, body="theirs")
    response = client.post(
        "/documents/demo-fm-2027-press/edit/",
        {"version": "1", "title_en": "Mine", "classification": "public", "body": "my text"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this document" in page
    assert "my text" in page  # the user's input is not lost
    assert Document.objects.get(code="demo-fm-2027-press").body == "theirs"


@pytest.mark.django_db
def test_edit_form_bad_input_is_explained(signed_in: Any) -> None:
    client = signed_in("secretariat")
    response = client.post(
        "/documents/demo-fm-2027-press/edit/",
        {"version": "1", "title_en": "", "classification": "public", "body": ""},
    )
    assert response.status_code == 400
    assert "The title cannot be empty." in response.content.decode()
    assert Document.objects.get(code="demo-fm-2027-press").version == 1
