"""What each kind of object contributes to the search index, and keeping the index in step.

Each kind names its model, the rows it writes (per language: a title and a body), its filters
(format, year, classification) and its address. The rows are rewritten from ``post_save`` and
``post_delete`` of the object and of its parts (a text's paragraphs, a release's language
versions), which run inside the action's transaction: the index changes exactly when the object
does. ``rebuild`` writes every row again (after a bulk load; ``./dev manage rebuild_search``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kenes.search.models import Entry

LANGUAGES = ("ru", "en")
CONFIGS = {"ru": "russian", "en": "english"}

Row = tuple[str, str, str]  # language ("" for a row in no particular language), title, body


@dataclass(frozen=True)
class Kind:
    name: str
    label: Any  # a lazy translation
    model: Callable[[], type[Model]]
    rows: Callable[[Any], list[Row]]
    url: Callable[[Any], str]
    format_code: Callable[[Any], str]
    year: Callable[[Any], int | None]
    updated: Callable[[Any], dt.datetime | None]
    # The objects of this kind ``account`` may read: the access policy, or the press service's rule.
    readable: Callable[[Any, QuerySet[Any]], QuerySet[Any]]
    protected: bool = True


def _policy(account: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    from kenes.access.policy import visible

    return visible(account, qs)


def _everyone(account: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs


def _releases(account: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    from kenes.access.policy import visible_releases

    return visible_releases(account, qs)


def _per_language(title: Callable[[], str], body: Callable[[], str]) -> list[Row]:
    rows = []
    for language in LANGUAGES:
        with translation.override(language):
            rows.append((language, str(title()), str(body())))
    return rows


def _model(path: str) -> Callable[[], type[Model]]:
    def get() -> type[Model]:
        from django.apps import apps

        return apps.get_model(path)

    return get


def _meeting_year(meeting: Any) -> int | None:
    return meeting.start_sort.year if meeting is not None and meeting.start_sort else None


def _lines(*parts: Any) -> str:
    return "\n".join(str(p) for p in parts if p)


def _text_rows(text: Any) -> list[Row]:
    from kenes.texts.models import UnitVersion

    rows = []
    for language in text.language_list or ["ru"]:
        contents = UnitVersion.objects.filter(unit__text=text, unit__removed=False, language=language).order_by(
            "unit__order"
        )
        rows.append((language, text.title, "\n".join(contents.values_list("content", flat=True))))
    return rows


def _release_rows(release: Any) -> list[Row]:
    return [(v.language, v.headline, _lines(v.lead, v.body)) for v in release.versions.all()]


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in [
        Kind(
            "meeting", _("Meetings"), _model("meetings.Meeting"),
            rows=lambda m: _per_language(
                lambda: m.display_title, lambda: _lines(m.format.name, m.city_en, m.chair_person)
            ),
            url=lambda m: reverse("meeting_detail", args=[m.code]),
            format_code=lambda m: m.format.code, year=_meeting_year, updated=lambda m: None, readable=_policy,
        ),
        Kind(
            "agenda", _("Agenda items"), _model("meetings.AgendaItem"),
            rows=lambda a: [("", a.title, _lines(a.presenter, a.meeting.display_title))],
            url=lambda a: reverse("meeting_detail", args=[a.meeting.code]) + f"#agenda-{a.pk}",
            format_code=lambda a: a.meeting.format.code, year=lambda a: _meeting_year(a.meeting),
            updated=lambda a: None, readable=_policy,
        ),
        Kind(
            "text", _("Texts"), _model("texts.Text"), rows=_text_rows,
            url=lambda t: reverse("text_room", args=[t.code]),
            format_code=lambda t: t.format.code, year=lambda t: _meeting_year(t.meeting) or t.created_at.year,
            updated=lambda t: t.adopted_at or t.created_at, readable=_policy,
        ),
        Kind(
            "document", _("Documents"), _model("meetings.Document"),
            rows=lambda d: [("", d.title_en, d.body)],
            url=lambda d: reverse("document_detail", args=[d.code]),
            format_code=lambda d: d.format.code, year=lambda d: _meeting_year(d.meeting),
            updated=lambda d: d.updated_at, readable=_policy,
        ),
        Kind(
            "instruction", _("Instructions"), _model("decisions.Instruction"),
            rows=lambda i: [("", i.title, _lines(i.assignee_body, i.cancel_reason))],
            url=lambda i: reverse("instruction_detail", args=[i.pk]),
            format_code=lambda i: i.format.code, year=lambda i: i.basis_date.year,
            updated=lambda i: None, readable=_policy,
        ),
        Kind(
            "report", _("Reports"), _model("decisions.Report"),
            rows=lambda r: [("", r.instruction.title, _lines(r.body, r.review_comment))],
            url=lambda r: reverse("instruction_detail", args=[r.instruction_id]) + f"#report-{r.pk}",
            format_code=lambda r: r.instruction.format.code, year=lambda r: r.created_at.year,
            updated=lambda r: r.reviewed_at or r.created_at, readable=_policy,
        ),
        Kind(
            "release", _("Press releases"), _model("press.Release"), rows=_release_rows,
            url=lambda r: reverse("release_detail", args=[r.slug]),
            format_code=lambda r: r.format.code if r.format else "",
            year=lambda r: r.first_published_at.year if r.first_published_at else None,
            updated=lambda r: r.updated_at or r.first_published_at, readable=_releases, protected=False,
        ),
        Kind(
            "state", _("States"), _model("states.State"),
            rows=lambda s: _per_language(lambda: s.name, lambda: _lines(s.name_en, s.name_ru, s.capital_en, s.iso3)),
            url=lambda s: reverse("state_detail", args=[s.iso2]),
            format_code=lambda s: "", year=lambda s: None, updated=lambda s: None, readable=_everyone, protected=False,
        ),
        Kind(
            "format", _("Formats"), _model("meetings.Format"),
            rows=lambda f: _per_language(lambda: f.name, lambda: _lines(f.name_en, f.name_ru, f.cadence_text)),
            url=lambda f: reverse("format_detail", args=[f.code]),
            format_code=lambda f: f.code, year=lambda f: None, updated=lambda f: None, readable=_everyone,
            protected=False,
        ),
    ]
}  # fmt: skip

# Parts whose change rewrites their owner's rows: (model, the kind, the owner's id from the part).
PARTS: list[tuple[str, str, Callable[[Any], int | None]]] = [
    ("texts.Unit", "text", lambda unit: unit.text_id),
    ("texts.UnitVersion", "text", lambda version: _unit_text(version.unit_id)),
    ("press.ReleaseVersion", "release", lambda version: version.release_id),
]


def _unit_text(unit_id: int) -> int | None:
    from kenes.texts.models import Unit

    return Unit.objects.filter(pk=unit_id).values_list("text_id", flat=True).first()


def kind_of(model: type[Model]) -> Kind | None:
    for kind in KINDS.values():
        if kind.model() is model:
            return kind
    return None


def write(kind: Kind, obj: Any) -> None:
    """Replace ``obj``'s rows in the index."""
    rows = kind.rows(obj)
    classification = str(getattr(obj, "classification", "") or "public") if kind.protected else "public"
    if kind.name == "release" and not getattr(obj, "is_public", True):
        classification = "draft"
    updated = kind.updated(obj) or timezone.now()
    with transaction.atomic():
        Entry.objects.filter(kind=kind.name, object_id=obj.pk).exclude(language__in=[r[0] for r in rows]).delete()
        for language, title, body in rows:
            Entry.objects.update_or_create(
                kind=kind.name, object_id=obj.pk, language=language,
                defaults={
                    "config": CONFIGS.get(language, "simple"), "title": title[:400], "body": body, "url": kind.url(obj),
                    "format_code": kind.format_code(obj), "year": kind.year(obj),
                    "classification": classification, "updated_at": updated,
                },
            )  # fmt: skip


def remove(kind: Kind, pk: int) -> None:
    Entry.objects.filter(kind=kind.name, object_id=pk).delete()


def rewrite(kind_name: str, pk: int | None) -> None:
    if pk is None:
        return
    kind = KINDS[kind_name]
    obj = kind.model()._default_manager.filter(pk=pk).first()
    if obj is None:
        remove(kind, pk)
    else:
        write(kind, obj)


def rebuild(kinds: Iterable[str] | None = None) -> int:
    """Write every object's rows again; the number of objects."""
    count = 0
    for name in kinds or KINDS:
        kind = KINDS[name]
        Entry.objects.filter(kind=name).delete()
        for obj in kind.model()._default_manager.all().iterator(chunk_size=500):
            write(kind, obj)
            count += 1
    return count


def _saved(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures: rebuild afterwards
        return
    kind = kind_of(sender)
    if kind is not None:
        write(kind, instance)


def _deleted(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    kind = kind_of(sender)
    if kind is not None:
        remove(kind, instance.pk)


def _part_changed(kind_name: str, owner: Callable[[Any], int | None]) -> Callable[..., None]:
    def handler(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            rewrite(kind_name, owner(instance))

    return handler


_handlers: list[Callable[..., None]] = []  # signals keep weak references: these keep them alive


def connect() -> None:
    for kind in KINDS.values():
        model = kind.model()
        post_save.connect(_saved, sender=model, dispatch_uid=f"search-save-{kind.name}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search-delete-{kind.name}")
    for path, kind_name, owner in PARTS:
        handler = _part_changed(kind_name, owner)
        _handlers.append(handler)
        model = _model(path)()
        post_save.connect(handler, sender=model, dispatch_uid=f"search-part-save-{path}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"search-part-delete-{path}")
