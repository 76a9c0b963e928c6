"""What the audit log may say about protected wording: that it changed, never what it says.

The log is read by administrators whose clearance may be below the material's, so an event
carries identifiers, versions, lengths and hashes only (security review, finding 3). The SHA-256
lets an investigator holding the wording prove which version an event refers to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

# Fields whose values are categories, levels or dates rather than wording: kept as they are.
PLAIN_FIELDS = frozenset({"status", "classification", "position", "kind", "version", "order"})


def fingerprint(value: Any) -> dict[str, Any]:
    """The length and SHA-256 of a piece of wording."""
    text = "" if value is None else str(value)
    return {"length": len(text), "sha256": hashlib.sha256(text.encode()).hexdigest()}


def fingerprints(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with every wording field replaced by its fingerprint."""
    return {name: value if name in PLAIN_FIELDS else fingerprint(value) for name, value in values.items()}
