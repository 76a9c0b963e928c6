"""The bracket syntax of negotiated text: plain text with ``[option | option]`` alternatives.

A unit's content is a sequence of plain segments and brackets. A bracket holds one or more options;
each option may name its sponsoring states in braces at its end::

    Ministers meet [at least once every six months {KZ,UZ} | annually {TM}].

``\\`` escapes ``[ ] | { } \\`` inside text. Brackets do not nest. ``render(parse(s)) == s`` for
every canonical ``s`` and ``parse(render(x)) == x`` for every structure ``x``: the plain-text and
structured (API) forms carry exactly the same information.

What a unit may hold is bounded (``check_limits``, applied by ``canonical`` and ``from_structure``,
so by every action that stores wording): at most ``MAX_BRACKETS`` brackets, each with at most
``MAX_OPTIONS`` options, each option with at most ``MAX_SPONSORS`` sponsors. Nesting needs no bound
of its own: brackets do not nest at all, so every bracket is at depth 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SPECIAL = "[]|{}\\"
_STATE = re.compile(r"\A[A-Z]{2,5}\Z")  # \Z, not $: "KZ\n" is not a state code

# A negotiated paragraph with more than a dozen open brackets is already hard to read; 50 leaves a
# wide margin while keeping a unit's room rendering (brackets x options x positions) small: one
# 100,000-bracket amendment once made the room answer in more than 30 seconds and weigh 7.9 MB.
MAX_BRACKETS = 50
# Alternatives per bracket: in practice two to four, one per delegation at most.
MAX_OPTIONS = 10
# Sponsors per option: the mechanism has five members and a few observers.
MAX_SPONSORS = 20


class BracketError(ValueError):
    """The content is not valid bracket syntax; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


class LimitError(BracketError):
    """Well-formed content holding more than one unit may: more than ``limit`` ``what`` ("brackets",
    "options" of one bracket or "sponsors" of one option); ``index`` is the bracket at fault."""

    def __init__(self, what: str, limit: int, index: int) -> None:
        ValueError.__init__(self, f"more than {limit} {what}")
        self.message = f"more than {limit} {what}"
        self.position = index
        self.what = what
        self.limit = limit


@dataclass(frozen=True)
class Option:
    text: str
    sponsors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bracket:
    options: tuple[Option, ...]


Segment = str | Bracket


@dataclass(frozen=True)
class Content:
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    @property
    def brackets(self) -> list[Bracket]:
        return [s for s in self.segments if isinstance(s, Bracket)]

    @property
    def is_clean(self) -> bool:
        return not self.brackets

    def plain(self) -> str:
        """The text without brackets; only meaningful when clean."""
        return "".join(s for s in self.segments if isinstance(s, str))


def escape(text: str) -> str:
    return "".join("\\" + ch if ch in SPECIAL else ch for ch in text)


def _render_option(option: Option) -> str:
    out = escape(option.text)
    if option.sponsors:
        out += " {" + ",".join(option.sponsors) + "}"
    return out


def render(content: Content) -> str:
    parts = []
    for segment in content.segments:
        if isinstance(segment, Bracket):
            parts.append("[" + " | ".join(_render_option(o) for o in segment.options) + "]")
        else:
            parts.append(escape(segment))
    return "".join(parts)


def _parse_option(raw: list[tuple[str, bool]], start: int) -> Option:
    """``raw`` is the option's characters, each marked escaped or not; spaces around are not kept."""
    chars = list(raw)
    while chars and chars[0] == (" ", False):
        chars.pop(0)
        start += 1
    while chars and chars[-1] == (" ", False):
        chars.pop()
    sponsors: tuple[str, ...] = ()
    if chars and chars[-1] == ("}", False):
        opens = [i for i, c in enumerate(chars) if c == ("{", False)]
        if not opens:
            raise BracketError("a closing brace without an opening one", start + len(chars) - 1)
        open_at = opens[-1]
        names = "".join(ch for ch, _ in chars[open_at + 1 : -1])
        codes = tuple(code.strip() for code in names.split(","))
        if not codes or any(not _STATE.match(code) for code in codes):
            raise BracketError("sponsors are state codes such as {KZ,UZ}", start + open_at)
        if len(set(codes)) != len(codes):
            raise BracketError("a sponsor is named twice", start + open_at)
        sponsors = codes
        chars = chars[:open_at]
        while chars and chars[-1] == (" ", False):
            chars.pop()
    for offset, (ch, escaped) in enumerate(chars):
        if not escaped and ch in "{}":
            raise BracketError("a brace belongs at the end of an option, around its sponsors", start + offset)
    return Option("".join(ch for ch, _ in chars), sponsors)


def parse(source: str) -> Content:
    segments: list[Segment] = []
    text: list[str] = []
    options: list[Option] | None = None
    option_chars: list[tuple[str, bool]] = []
    option_start = 0
    bracket_start = 0
    i = 0
    while i < len(source):
        ch = source[i]
        escaped = False
        if ch == "\\":
            if i + 1 >= len(source) or source[i + 1] not in SPECIAL:
                raise BracketError("a backslash escapes one of [ ] | { } \\", i)
            ch, escaped = source[i + 1], True
            i += 1
        if options is None:
            if not escaped and ch == "[":
                if text:
                    segments.append("".join(text))
                    text = []
                options, option_chars, option_start, bracket_start = [], [], i + 1, i
            elif not escaped and ch in "]|{}":
                raise BracketError(f"'{ch}' outside a bracket", i)
            else:
                text.append(ch)
        elif not escaped and ch == "[":
            raise BracketError("brackets do not nest", i)
        elif not escaped and ch in "|]":
            options.append(_parse_option(option_chars, option_start))
            option_chars, option_start = [], i + 1
            if ch == "]":
                if all(not o.text for o in options) and len(options) < 2:
                    raise BracketError("an empty bracket", bracket_start)
                segments.append(Bracket(tuple(options)))
                options = None
        else:
            option_chars.append((ch, escaped))
        i += 1
    if options is not None:
        raise BracketError("a bracket is opened and not closed", bracket_start)
    if text:
        segments.append("".join(text))
    return Content(tuple(segments))


def to_structure(content: Content) -> list[dict[str, Any]]:
    """The structured (API) form."""
    out: list[dict[str, Any]] = []
    for segment in content.segments:
        if isinstance(segment, Bracket):
            out.append({"options": [{"text": o.text, "sponsors": list(o.sponsors)} for o in segment.options]})
        else:
            out.append({"text": segment})
    return out


def from_structure(data: list[dict[str, Any]]) -> Content:
    segments: list[Segment] = []
    for index, item in enumerate(data):
        if "options" in item:
            options = item["options"]
            if not isinstance(options, list) or not options:
                raise BracketError("a bracket needs at least one option", index)
            parsed = []
            for option in options:
                sponsors = tuple(option.get("sponsors") or ())
                if any(not _STATE.match(str(code)) for code in sponsors) or len(set(sponsors)) != len(sponsors):
                    raise BracketError("sponsors are distinct state codes such as KZ", index)
                parsed.append(Option(str(option.get("text", "")).strip(" "), sponsors))
            if len(parsed) < 2 and not parsed[0].text:
                raise BracketError("an empty bracket", index)  # as ``parse`` refuses ``[]`` and ``[ {KZ}]``
            segments.append(Bracket(tuple(parsed)))
        elif "text" in item:
            if segments and isinstance(segments[-1], str):
                raise BracketError("two text segments in a row", index)
            if item["text"]:
                segments.append(str(item["text"]))
        else:
            raise BracketError("a segment is either text or options", index)
    return check_limits(Content(tuple(segments)))


def check_limits(content: Content) -> Content:
    """``content`` unchanged, or a ``LimitError`` if it holds more brackets, options or sponsors than
    a unit may."""
    found = content.brackets
    if len(found) > MAX_BRACKETS:
        raise LimitError("brackets", MAX_BRACKETS, MAX_BRACKETS)
    for index, bracket in enumerate(found):
        if len(bracket.options) > MAX_OPTIONS:
            raise LimitError("options", MAX_OPTIONS, index)
        if any(len(option.sponsors) > MAX_SPONSORS for option in bracket.options):
            raise LimitError("sponsors", MAX_SPONSORS, index)
    return content


def canonical(source: str) -> str:
    """The canonical spelling of ``source`` (spacing around ``|`` and sponsors normalised), within
    the limits of one unit (``check_limits``)."""
    return render(check_limits(parse(source)))
