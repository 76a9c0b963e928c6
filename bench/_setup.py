"""Shared set-up of the benchmarks: a throw-away database and a bare view to compare against.

Not a benchmark itself (``./dev bench`` skips files starting with ``_``).
"""

from __future__ import annotations

import io
import os
import sys
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BARE_URL = "/bench/bare/"


def setup_django(tmp: Path, urlconf: str) -> None:
    """Point Kenes at a fresh database under ``tmp`` before Django reads its settings, and serve
    ``BARE_URL`` from a plain ``HttpResponse`` view beside the real URLs."""
    # KENES_BENCH_DATABASE_URL (an empty PostgreSQL database) instead of the throw-away SQLite file.
    os.environ["KENES_DATABASE_URL"] = (
        os.environ.get("KENES_BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    )
    os.environ["KENES_VAR_DIR"] = str(tmp)
    (tmp / "static").mkdir(exist_ok=True)
    os.environ["KENES_DEBUG"] = "false"  # as in production: no per-query bookkeeping outside the counts
    os.environ.pop("KENES_REDIS_URL", None)  # in-process cache and live bus, like the embedded mode
    os.environ["KENES_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("KENES_LOG_LEVEL", "ERROR")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kenes.settings"
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))

    import django

    django.setup()

    from django.conf import settings
    from django.http import HttpRequest, HttpResponse
    from django.urls import clear_url_caches, include, path

    def bare(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    urls = types.ModuleType(urlconf)
    urls.urlpatterns = [path(BARE_URL.strip("/") + "/", bare), path("", include("kenes.urls"))]  # type: ignore[attr-defined]
    sys.modules[urlconf] = urls
    settings.ROOT_URLCONF = urlconf
    clear_url_caches()


def get_ok(client: Any, url: str, headers: dict[str, str] | None = None) -> Any:
    """``client.get(url)``, or the benchmark stops with exit status 1 when the answer is not 200: a
    redirect to sign-in, a refusal or a missing page measures nothing worth printing."""
    response = client.get(url, headers=headers or {})
    if response.status_code != 200:
        where = f" → {response['Location']}" if response.has_header("Location") else ""
        sys.exit(
            f"FAIL: GET {url} answered {response.status_code}{where}, not 200: the benchmark measures nothing "
            f"(body: {response.content[:300]!r})"
        )
    return response


def load_data() -> None:
    """Migrate and load the real reference data and the demo accounts."""
    from django.conf import settings
    from django.core.management import call_command

    data = Path(settings.KENES_DATA_DIR) / "mechanism"
    if not data.is_dir():
        sys.exit(f"the reference data is missing at {data}: set KENES_DATA_DIR")
    quiet = io.StringIO()
    call_command("migrate", verbosity=0, interactive=False, stdout=quiet)
    call_command("load_reference", str(data), verbosity=0, stdout=quiet)
    call_command("load_demo", verbosity=0, stdout=quiet)
