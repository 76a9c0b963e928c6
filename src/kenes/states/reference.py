"""Import of the real mechanism facts from ``shared/data/mechanism/*.csv``.

Everything is read and validated first; errors name the file and line. Only a clean set is
written, in one transaction, as one audited action, so nothing is ever half-loaded. Loading the
same files twice changes nothing (rows are matched by their ids).
"""

from __future__ import annotations

import csv
import hashlib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from kenes.access.levels import Classification
from kenes.audit import log as audit
from kenes.states.dates import PartialDate
from kenes.states.models import Mechanism, Organisation, Participation, ParticipationStatus, Source, State

FILES = (
    "sources.csv",
    "states.csv",
    "participation.csv",
    "formats.csv",
    "meetings.csv",
    "documents.csv",
    "proposals_2022.csv",
)

REQUIRED_COLUMNS = {
    "sources.csv": ["source_id", "title_outlet", "url"],
    "states.csv": [
        "iso2",
        "iso3",
        "m49",
        "name_en",
        "name_ru",
        "capital_en",
        "state_languages",
        "timezone",
        "holidays_code",
        "source_ids",
    ],
    "participation.csv": ["mechanism", "state_iso2", "status", "from_date", "until_date", "note", "source_ids"],
    "formats.csv": ["format_id", "mechanism", "name_en", "name_ru", "level", "partner", "cadence_text", "source_ids"],
    "meetings.csv": [
        "meeting_id",
        "format_id",
        "ordinal",
        "start_date",
        "end_date",
        "city_en",
        "country_iso2",
        "chair_state_iso2",
        "chair_person",
        "status",
        "guests",
        "note",
        "source_ids",
    ],
    "documents.csv": ["document_id", "meeting_id", "title_en", "kind", "adopted", "signatories", "note", "source_ids"],
    "proposals_2022.csv": ["proposal_id", "text_en", "text_ru", "kind", "source_ids"],
}

MECHANISM_NAMES = {
    "ca_consultative_meetings": "Consultative Meetings of the Heads of State of Central Asia",
    "c5_plus_x": "C5+X (Central Asia + partner) formats",
}
# The IV meeting is where the 2022 proposals were made (proposals_2022.csv, README).
PROPOSALS_MEETING = "ca_heads_of_state-IV"


class ReferenceError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Row:
    file: str
    line: int
    data: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return (self.data.get(key) or "").strip()

    def where(self) -> str:
        return f"{self.file} line {self.line}"


@dataclass
class Bundle:
    rows: dict[str, list[Row]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)

    def error(self, row: Row | None, message: str, file: str = "") -> None:
        self.errors.append(f"{row.where() if row else file}: {message}")


def read(directory: Path) -> Bundle:
    bundle = Bundle()
    if not directory.is_dir():
        raise ReferenceError([f"{directory}: no such directory"])
    for name in FILES:
        path = directory / name
        if not path.exists():
            bundle.error(None, "file is missing", str(path))
            continue
        raw = path.read_bytes()
        bundle.digests[name] = hashlib.sha256(raw).hexdigest()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bundle.error(None, f"not UTF-8 ({exc})", name)
            continue
        reader = csv.DictReader(text.splitlines())
        missing = [c for c in REQUIRED_COLUMNS[name] if c not in (reader.fieldnames or [])]
        if missing:
            bundle.error(None, f"missing column(s): {', '.join(missing)}", name)
            continue
        rows = []
        for record in reader:
            row = Row(name, reader.line_num, {k: v for k, v in record.items() if k is not None})
            if None in record:
                bundle.error(row, "more cells than columns")
            rows.append(row)
        bundle.rows[name] = rows
    return bundle


def _date(bundle: Bundle, row: Row, column: str) -> PartialDate | None:
    value = row[column]
    if not value:
        return None
    try:
        return PartialDate.parse(value)
    except ValueError as exc:
        bundle.error(row, f"{column}: {exc}")
        return None


def _split(value: str) -> list[str]:
    return [item for item in value.split(";") if item]


def validate(bundle: Bundle) -> None:
    from kenes.meetings.models import Adopted, DocumentKind, FormatLevel, MeetingStatus, ProposalKind, Standing

    if bundle.errors:
        return
    sources = set()
    for row in bundle.rows["sources.csv"]:
        if not row["source_id"]:
            bundle.error(row, "source_id is empty")
        if row["source_id"] in sources:
            bundle.error(row, f"duplicate source_id {row['source_id']}")
        sources.add(row["source_id"])

    def check_sources(row: Row) -> None:
        for code in _split(row["source_ids"]):
            if code not in sources:
                bundle.error(row, f"source_ids: unknown source {code}")

    zones = zoneinfo.available_timezones()
    states = set()
    for row in bundle.rows["states.csv"]:
        iso2 = row["iso2"]
        if len(iso2) != 2 or not iso2.isalpha() or not iso2.isupper():
            bundle.error(row, f"iso2: {iso2!r} is not a two-letter upper-case code")
        if iso2 in states:
            bundle.error(row, f"duplicate state {iso2}")
        if not row["name_en"]:
            bundle.error(row, "name_en is empty")
        if row["timezone"] and row["timezone"] not in zones:
            bundle.error(row, f"timezone: unknown IANA zone {row['timezone']!r}")
        states.add(iso2)
        check_sources(row)

    statuses = set(ParticipationStatus.values)
    for row in bundle.rows["participation.csv"]:
        if row["mechanism"] not in MECHANISM_NAMES:
            bundle.error(row, f"mechanism: unknown mechanism {row['mechanism']!r}")
        if row["state_iso2"] not in states:
            bundle.error(row, f"state_iso2: {row['state_iso2']!r} is not in states.csv")
        if row["status"] not in statuses:
            bundle.error(row, f"status: {row['status']!r} is not one of {', '.join(sorted(statuses))}")
        start, end = _date(bundle, row, "from_date"), _date(bundle, row, "until_date")
        if start and end and end.sort_key() <= start.sort_key():
            bundle.error(row, "until_date is not after from_date")
        check_sources(row)

    formats = set()
    for row in bundle.rows["formats.csv"]:
        if row["mechanism"] not in MECHANISM_NAMES:
            bundle.error(row, f"mechanism: unknown mechanism {row['mechanism']!r}")
        if row["level"] not in FormatLevel.values:
            bundle.error(row, f"level: unknown level {row['level']!r}")
        if row["format_id"] in formats:
            bundle.error(row, f"duplicate format_id {row['format_id']}")
        formats.add(row["format_id"])
        check_sources(row)

    meetings = set()
    standings = set(Standing.values)
    for row in bundle.rows["meetings.csv"]:
        if row["format_id"] not in formats:
            bundle.error(row, f"format_id: unknown format {row['format_id']!r}")
        if row["meeting_id"] in meetings:
            bundle.error(row, f"duplicate meeting_id {row['meeting_id']}")
        meetings.add(row["meeting_id"])
        start, end = _date(bundle, row, "start_date"), _date(bundle, row, "end_date")
        if end and not end.is_exact:
            bundle.error(row, "end_date must be a full date (YYYY-MM-DD)")
        if start and end and end.sort_key() < start.sort_key():
            bundle.error(row, "end_date is before start_date")
        for column in ("country_iso2", "chair_state_iso2"):
            if row[column] and row[column] not in states:
                bundle.error(row, f"{column}: {row[column]!r} is not in states.csv")
        if row["status"] not in MeetingStatus.values:
            bundle.error(row, f"status: unknown status {row['status']!r}")
        for guest in _split(row["guests"]):
            parts = guest.split(":")
            if len(parts) != 3 or parts[1] not in standings:
                bundle.error(row, f"guests: {guest!r} is not party:role:person with a known role")
        check_sources(row)

    for row in bundle.rows["documents.csv"]:
        if row["meeting_id"] not in meetings:
            bundle.error(row, f"meeting_id: unknown meeting {row['meeting_id']!r}")
        if row["kind"] not in DocumentKind.values:
            bundle.error(row, f"kind: unknown kind {row['kind']!r}")
        if row["adopted"] not in Adopted.values:
            bundle.error(row, f"adopted: {row['adopted']!r} is not yes, no or unverified")
        for iso2 in _split(row["signatories"]):
            if iso2 not in states:
                bundle.error(row, f"signatories: {iso2!r} is not in states.csv")
        if not row["title_en"]:
            bundle.error(row, "title_en is empty")
        check_sources(row)

    for row in bundle.rows["proposals_2022.csv"]:
        if row["kind"] not in ProposalKind.values:
            bundle.error(row, f"kind: unknown kind {row['kind']!r}")
        if not row["text_en"]:
            bundle.error(row, "text_en is empty")
        check_sources(row)
    if PROPOSALS_MEETING not in meetings:
        bundle.error(None, f"the meeting {PROPOSALS_MEETING} is missing", "meetings.csv")


def _initial_rules(fmt: Any, row: Row) -> None:
    """A structured cadence only where the data states one as agreed: "annual …" (the leaders'
    2019 Procedures). Proposals ("proposed 2022") set nothing. Rules the secretariat has already
    edited (rules_version > 1) are never overwritten."""
    if fmt.rules_version != 1 or fmt.cadence_months is not None:
        return
    text = row["cadence_text"].lower()
    if text.startswith("annual"):
        fmt.cadence_months = 12
        fmt.rules_basis = f"Reference data: {row['cadence_text']} [{row['source_ids'].replace(';', ', ')}]"[:300]
        fmt.save(update_fields=["cadence_months", "rules_basis"])


def _set_sources(obj: Any, row: Row, by_code: dict[str, Source]) -> None:
    obj.sources.set([by_code[code] for code in _split(row["source_ids"])])


def write(bundle: Bundle) -> dict[str, int]:
    """Upsert every row. Runs inside the caller's transaction."""
    from kenes.meetings.models import Document, Format, Invitation, InvitationStatus, Meeting, Proposal

    counts: dict[str, int] = {}
    by_code = {}
    for row in bundle.rows["sources.csv"]:
        source, _ = Source.objects.update_or_create(
            code=row["source_id"],
            defaults={
                "title": row["title_outlet"],
                "urls": "\n".join(_split(row["url"])),
                "note": row["note"],
            },
        )
        by_code[source.code] = source
    counts["sources"] = len(by_code)

    states = {}
    for row in bundle.rows["states.csv"]:
        state, _ = State.objects.update_or_create(
            iso2=row["iso2"],
            defaults={
                "iso3": row["iso3"],
                "m49": row["m49"],
                "name_en": row["name_en"],
                "name_ru": row["name_ru"],
                "capital_en": row["capital_en"],
                "state_languages": row["state_languages"],
                "timezone": row["timezone"],
                "holidays_code": row["holidays_code"],
                "note": row["note"],
            },
        )
        _set_sources(state, row, by_code)
        states[state.iso2] = state
    counts["states"] = len(states)

    mechanisms = {
        code: Mechanism.objects.update_or_create(code=code, defaults={"name_en": name})[0]
        for code, name in MECHANISM_NAMES.items()
    }

    keep = []
    for row in bundle.rows["participation.csv"]:
        participation, _ = Participation.objects.update_or_create(
            mechanism=mechanisms[row["mechanism"]],
            state=states[row["state_iso2"]],
            status=row["status"],
            from_text=row["from_date"],
            defaults={"until_text": row["until_date"], "note": row["note"]},
        )
        _set_sources(participation, row, by_code)
        keep.append(participation.pk)
    # A span removed from the file is removed here, so "members on D" follows the data.
    Participation.objects.filter(mechanism__in=mechanisms.values()).exclude(pk__in=keep).delete()
    counts["participation"] = len(keep)

    formats = {}
    for row in bundle.rows["formats.csv"]:
        fmt, _ = Format.objects.update_or_create(
            code=row["format_id"],
            defaults={
                "mechanism": mechanisms[row["mechanism"]],
                "name_en": row["name_en"],
                "name_ru": row["name_ru"],
                "level": row["level"],
                "partner_code": row["partner"],
                "cadence_text": row["cadence_text"],
                "note": row["note"],
            },
        )
        _set_sources(fmt, row, by_code)
        _initial_rules(fmt, row)
        formats[fmt.code] = fmt
    counts["formats"] = len(formats)

    meetings = {}
    organisations: dict[str, Organisation] = {}
    invitations = 0
    for row in bundle.rows["meetings.csv"]:
        meeting, _ = Meeting.objects.update_or_create(
            code=row["meeting_id"],
            defaults={
                "format": formats[row["format_id"]],
                "ordinal": row["ordinal"],
                "start_text": row["start_date"],
                "end_text": row["end_date"],
                "city_en": row["city_en"],
                "country": states.get(row["country_iso2"]),
                "chair_state": states.get(row["chair_state_iso2"]),
                "chair_person": row["chair_person"],
                "status": row["status"],
                "note": row["note"],
                "classification": Classification.PUBLIC,
            },
        )
        _set_sources(meeting, row, by_code)
        meetings[meeting.code] = meeting
        for guest in _split(row["guests"]):
            party, standing, person = guest.split(":")
            target: dict[str, Any]
            if party in states:
                target = {"state": states[party], "organisation": None}
            else:
                if party not in organisations:
                    organisations[party] = Organisation.objects.get_or_create(code=party, defaults={"name_en": party})[
                        0
                    ]
                target = {"state": None, "organisation": organisations[party]}
            Invitation.objects.update_or_create(
                meeting=meeting,
                **target,
                defaults={"standing": standing, "status": InvitationStatus.ACCEPTED, "person": person},
            )
            invitations += 1
    counts["meetings"] = len(meetings)
    counts["invitations"] = invitations

    for row in bundle.rows["documents.csv"]:
        meeting = meetings[row["meeting_id"]]
        document, _ = Document.objects.update_or_create(
            code=row["document_id"],
            defaults={
                "meeting": meeting,
                "format": meeting.format,
                "title_en": row["title_en"],
                "kind": row["kind"],
                "adopted": row["adopted"],
                "note": row["note"],
                "classification": Classification.PUBLIC,
            },
        )
        _set_sources(document, row, by_code)
        document.signatories.set([states[iso2] for iso2 in _split(row["signatories"])])
    counts["documents"] = len(bundle.rows["documents.csv"])

    for row in bundle.rows["proposals_2022.csv"]:
        proposal, _ = Proposal.objects.update_or_create(
            code=row["proposal_id"],
            defaults={
                "meeting": meetings[PROPOSALS_MEETING],
                "text_en": row["text_en"],
                "text_ru": row["text_ru"],
                "kind": row["kind"],
                "note": row["note"],
            },
        )
        _set_sources(proposal, row, by_code)
    counts["proposals"] = len(bundle.rows["proposals_2022.csv"])
    return counts


def load_reference(actor: Any, directory: Path) -> dict[str, int]:
    """The audited action: validate ``directory`` and load it in one transaction."""
    bundle = read(directory)
    validate(bundle)
    if bundle.errors:
        raise ReferenceError(bundle.errors)
    with transaction.atomic():
        counts = write(bundle)
        from kenes.decisions.actions import load_proposal_instructions  # the IV meeting's proposals P3, P4

        counts["instructions (proposals)"] = load_proposal_instructions(actor)
        audit.record(actor, "reference.loaded", None, directory=str(directory), files=bundle.digests, counts=counts)
    return counts
