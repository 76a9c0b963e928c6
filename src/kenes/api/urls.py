"""The JSON API at /api/v1/ with its OpenAPI schema; errors are ``{"detail": …}``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.operation import Operation

from kenes.api.auth import AccountAuth
from kenes.errors import ActionError
from kenes.people.ratelimits import TooManyRequests


class KenesAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """``<app>_api_<function>``: an app's API split into modules by resource (``texts.api.units``)
        keeps the operation ids clients generated code from."""
        module = operation.view_func.__module__
        head, dot_api, _rest = module.partition(".api.")
        if dot_api:
            module = head + ".api"
        return (module + "_" + operation.view_func.__name__).replace(".", "_")


api = KenesAPI(
    title="Kenes API",
    version="1",
    description="The digital secretariat of the Central Asian consultative mechanism. "
    "Authenticate with `Authorization: Bearer <token>` (see `./dev manage create_token EMAIL`) "
    "or a browser session. Objects you may not see answer 404.",
    auth=AccountAuth(),
    urls_namespace="api",
)


@api.exception_handler(ActionError)
def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Not allowed.")}, status=403)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("Authentication required or token invalid.")}, status=401)


@api.exception_handler(TooManyRequests)
def too_many(request: HttpRequest, exc: TooManyRequests) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


def _mount() -> None:
    from kenes.meetings.api import router as meetings_router
    from kenes.people.api import router as people_router
    from kenes.states.api import router as states_router

    api.add_router("", states_router)
    api.add_router("", meetings_router)
    api.add_router("", people_router)
    api.add_router("", "kenes.texts.api.router")
    api.add_router("", "kenes.decisions.api.router")
    api.add_router("", "kenes.security.api.router")
    api.add_router("", "kenes.development.api.router")
    api.add_router("", "kenes.press.api.router")
    api.add_router("", "kenes.search.api.router")
    api.add_router("", "kenes.work.api.router")


_mount()
