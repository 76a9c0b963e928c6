"""Pages of negotiated texts: the list, a new draft, and the negotiation room.

Every change calls ``texts.actions`` (permission, validation, audit, version); every read goes
through ``texts.queries`` (narrowed by the access policy). A text the account may not read is a
404; bad input re-renders the room with the message next to the form that was sent and the input
kept (400), a stale form is a 409, a refused change a 403 page with the reason.

In the room, forms about one paragraph post with HTMX and get that paragraph's block back, with
the parts of the page it affects (status line, positions matrix, versions, silence panel) swapped
out of band; when a change reshapes the text (a paragraph added or removed, silence broken) the
browser reloads the room. Without JavaScript every form is an ordinary POST, then a redirect.

By resource: ``texts`` (list, new, room, diff), ``units`` (a paragraph's forms), ``silence``
(circulate, break, adopt, sign); ``room`` builds the room's context, ``display`` draws it.
"""

from kenes.texts.views.silence import silence_break, silence_circulate, text_adopt, text_sign
from kenes.texts.views.texts import text_create, text_diff, text_list, text_room
from kenes.texts.views.units import (
    amendment_counter,
    amendment_decide,
    amendment_propose,
    amendment_withdraw,
    comment_add,
    note_add,
    position_state,
    unit_add,
    unit_edit,
)

__all__ = [
    "amendment_counter",
    "amendment_decide",
    "amendment_propose",
    "amendment_withdraw",
    "comment_add",
    "note_add",
    "position_state",
    "silence_break",
    "silence_circulate",
    "text_adopt",
    "text_create",
    "text_diff",
    "text_list",
    "text_room",
    "text_sign",
    "unit_add",
    "unit_edit",
]
