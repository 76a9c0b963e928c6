"""Template filters of the dashboard: the permission a link depends on, asked of the one rule."""

from __future__ import annotations

from typing import Any

from django import template

from kenes.development.permissions import may_import_data as _may_import_data

register = template.Library()


@register.filter
def may_import_data(user: Any) -> bool:
    return _may_import_data(user)


@register.filter
def import_total(run: Any, what: str) -> int:
    """A run's added, changed or removed count over its files."""
    return int(run.total(what))
