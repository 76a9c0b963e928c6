"""System checks of the texts app."""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register


@register(deploy=True)
def fonts_prepared(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from kenes.texts.pdf import fonts_ready

    if fonts_ready():
        return []
    return [
        Warning(
            "The PDF fonts are not prepared: the first PDF export would cut them inside a request.",
            hint="Run `manage.py prepare_fonts` at install or start.",
            id="kenes.W001",
        )
    ]
