"""gunicorn's settings for Kenes: ``gunicorn -c python:kenes.gunicorn_conf kenes.wsgi``.

gunicorn writes ``Server: gunicorn`` itself, below the WSGI application, so no Django middleware
can remove it. This configuration module is imported by the master before it forks, so dropping
that line from gunicorn's default headers here holds for every worker (issue 10: no server banner).
Any other gunicorn setting may be given on the command line as usual.
"""

from __future__ import annotations

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_banner(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_banner  # type: ignore[method-assign]
