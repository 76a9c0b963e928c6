"""API: negotiated texts — the room, drafting, amendments, positions, silence, adoption, signatures.

Reads go through ``texts.queries`` and the access policy (a text the caller may not see is a 404,
and so are its positions, amendments, notes and diff); every write calls an action in
``texts.actions`` and never saves a model itself.

A unit's wording is given either as plain bracket syntax (``content``) or structured
(``segments``: ``{"text": …}`` and ``{"options": [{"text": …, "sponsors": [...]}]}``); the two
carry the same information (see ``texts.brackets``), and every unit is returned in both forms.

By resource: ``texts`` (list, create, read, diff, PDF), ``units`` (a unit and its parts),
``silence`` (silence, adoption, signatures); ``schemas`` and ``outputs`` are shared by them.
"""

from ninja import Router

from kenes.texts.api import silence, texts, units

router = Router()
router.add_router("", texts.router)
router.add_router("", units.router)
router.add_router("", silence.router)
