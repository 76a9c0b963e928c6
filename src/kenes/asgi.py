"""ASGI entry point: ``uvicorn kenes.asgi:application``. It serves every page and the live streams
(``/live/…``, ``kenes.live.sse``) on one port; ``./dev demo`` and docs/operations.md run it."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenes.settings")
application = get_asgi_application()
