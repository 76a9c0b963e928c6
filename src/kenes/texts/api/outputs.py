"""How the texts API shows a text, its units and their parts: each read already narrowed by the access
policy.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.http import Http404

from kenes.access.policy import visible
from kenes.texts import queries
from kenes.texts.api.schemas import (
    AmendmentOut,
    CommentOut,
    LanguageVersionOut,
    NoteOut,
    PositionOut,
    RoomOut,
    SignatureOut,
    SilenceBreakOut,
    SilenceOut,
    UnitOut,
    VersionOut,
    structure,
)
from kenes.texts.models import (
    Amendment,
    Comment,
    Position,
    PrivateNote,
    Signature,
    SilenceBreak,
    Text,
    TextStatus,
    TextVersion,
)
from kenes.texts.queries import Room, UnitRow


def silence_out(text: Text) -> SilenceOut | None:
    if text.status != TextStatus.SILENCE or text.silence_deadline is None:
        return None
    zone = text.silence_timezone or "UTC"
    return SilenceOut(deadline=text.silence_deadline.astimezone(zoneinfo.ZoneInfo(zone)).isoformat(), timezone=zone)


def text_fields(text: Text) -> dict[str, Any]:
    return {
        "code": text.code,
        "title": text.title,
        "kind": text.kind,
        "format": text.format.code,
        "meeting": text.meeting.code if text.meeting else None,
        "classification": text.classification,
        "status": text.status,
        "version": text.version,
        "working_language": text.working_language,
        "languages": text.language_list,
        "silence": silence_out(text),
        "adopted_at": text.adopted_at,
        "adopted_by": text.adopted_by,
        "is_demo": text.is_demo,
    }


def position_out(text: Text, p: Position) -> PositionOut:
    whole = p.bracket_index == Position.WHOLE_UNIT
    return PositionOut(
        state=p.state.iso2,
        stance=p.stance,
        note=p.note,
        revision=p.revision,
        bracket_index=None if whole else p.bracket_index,
        option_index=None if whole else p.option_index,
        updated_at=p.updated_at,
        classification=text.classification,
    )


def amendment_out(text: Text, a: Amendment, uid: str) -> AmendmentOut:
    return AmendmentOut(
        id=a.pk,
        unit=uid,
        parent=a.parent_id,
        kind=a.kind,
        language=a.language,
        content=a.content,
        segments=structure(a.content),  # type: ignore[arg-type]
        bracket_index=a.bracket_index,
        option_index=a.option_index,
        reason=a.reason,
        state=a.state.iso2,
        status=a.status,
        created_at=a.created_at,
        decided_in_version=a.decided_in_version,
        classification=text.classification,
    )


def comment_out(text: Text, c: Comment, uid: str) -> CommentOut:
    return CommentOut(
        id=c.pk, unit=uid, state=c.state.iso2, body=c.body, created_at=c.created_at, classification=text.classification
    )


def note_out(n: PrivateNote) -> NoteOut:
    return NoteOut(
        id=n.pk,
        unit=n.unit.uid if n.unit else None,
        body=n.body,
        red_line=n.red_line,
        private_to=n.owner_state.iso2 if n.owner_state else "",
        created_at=n.created_at,
        classification=n.classification,
    )


def signature_out(text: Text, s: Signature) -> SignatureOut:
    return SignatureOut(
        state=s.state.iso2, signer_name=s.signer_name, signed_at=s.signed_at, hashes=s.hashes,
        classification=text.classification,
    )  # fmt: skip


def unit_out(text: Text, row: UnitRow) -> UnitOut:
    unit = row.unit
    languages = {}
    for language in text.language_list:
        version = row.contents.get(language)
        content = version.content if version else ""
        languages[language] = LanguageVersionOut(
            content=content,
            segments=structure(content),  # type: ignore[arg-type]
            out_of_date=version.out_of_date if version else True,
        )
    return UnitOut(
        uid=unit.uid,
        kind=unit.kind,
        order=unit.order,
        revision=unit.revision,
        state=str(row.state),
        languages=languages,
        positions={state: position_out(text, p) for state, p in sorted(row.positions.items())},
        option_positions=[position_out(text, p) for p in row.option_positions],
        amendments=[amendment_out(text, a, unit.uid) for a in row.amendments],
        comments=[comment_out(text, c, unit.uid) for c in row.comments],
        classification=text.classification,
    )


def own_notes(account: Any, text: Text) -> list[PrivateNote]:
    """The caller's delegation's private notes on the text: the policy shows each to its owner only."""
    qs = PrivateNote.objects.filter(text=text).select_related("unit", "owner_state").order_by("created_at", "id")
    return list(visible(account, qs))


def room_out(account: Any, text: Text) -> RoomOut:
    room: Room = queries.room(account, text)
    text = room.text
    return RoomOut(
        **text_fields(text),
        members=room.members,
        open_brackets=room.open_brackets,
        is_clean=room.is_clean,
        units=[unit_out(text, row) for row in room.rows],
        notes=[note_out(n) for n in own_notes(account, text)],
        versions=[version_out(text, v) for v in room.versions],
        silence_breaks=[
            break_out(text, b)
            for b in SilenceBreak.objects.filter(text=text).select_related("state").order_by("created_at", "id")
        ],
        adopted_hashes=text.adopted_hashes,
        signatures=[
            signature_out(text, s) for s in Signature.objects.filter(text=text).select_related("state").order_by("id")
        ],
    )


def break_out(text: Text, b: SilenceBreak) -> SilenceBreakOut:
    return SilenceBreakOut(
        state=b.state.iso2, reason=b.reason, deadline=b.deadline, created_at=b.created_at,
        classification=text.classification,
    )  # fmt: skip


def version_out(text: Text, v: TextVersion) -> VersionOut:
    return VersionOut(
        number=v.number, created_at=v.created_at, by=v.actor_label, reason=v.reason, open_brackets=v.open_brackets,
        classification=text.classification,
    )  # fmt: skip


def fresh_text(account: Any, code: str) -> Text:
    return queries.text_for(account, code)


def unit_row_out(account: Any, text: Text, uid: str) -> UnitOut:
    room = queries.room(account, text)
    for row in room.rows:
        if row.unit.uid == uid:
            return unit_out(room.text, row)
    raise Http404
