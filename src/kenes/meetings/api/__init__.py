"""API: formats, meetings and documents, each read through the access policy.

Reads go through ``meetings.queries`` and the access policy (an object the caller may not see is
a 404); writes call the actions in ``meetings.actions`` and never save a model themselves.

By resource: ``formats`` (formats, rules, cadence, date suggestions), ``meetings``,
``invitations``, ``agenda``, ``delegations``, ``documents``; each has its own router, joined
here. ``outputs`` builds the answers they share, ``common`` the lookups and error sets.
"""

from ninja import Router

from kenes.meetings.api import agenda, delegations, documents, formats, invitations, meetings

router = Router()
for module in (formats, meetings, invitations, agenda, delegations, documents):
    router.add_router("", module.router)
