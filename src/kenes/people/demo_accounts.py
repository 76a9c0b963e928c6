"""The fictional demo accounts: one for every actor of the journeys (README, "The demo accounts").

A focal point and a delegate for each member state, a focal point and a delegate for each guest
state (Russia, China), the chairing state's secretariat, and two security officers whose states sit
on different distributions (the demo threat report goes to Kyrgyzstan and Uzbekistan, not to
Kazakhstan). Every person is invented. The e-mail addresses are the README's, letter for letter.
"""

from __future__ import annotations

from dataclasses import dataclass

from kenes.access.levels import Classification
from kenes.people.models import Affiliation, Role


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    what: str  # who they are, in English, for the printed block and the README
    affiliation: str
    state: str | None
    clearance: str
    roles: tuple[tuple[str | None, str], ...]


GUEST_FORMATS = ("ca_heads_of_state", "ca_foreign_ministers")
# The member states of the mechanism in the reference data, in the order the README lists them.
MEMBER_STATES = ("KZ", "KG", "TJ", "TM", "UZ", "AZ")
_NAMES = {
    "KZ": ("Kazakhstan", "Saule Demo-Focal", "Arman Demo-Delegate"),
    "KG": ("Kyrgyzstan", "Aigul Demo-Focal", "Nurlan Demo-Delegate"),
    "TJ": ("Tajikistan", "Firuza Demo-Focal", "Rustam Demo-Delegate"),
    "TM": ("Turkmenistan", "Gulnara Demo-Focal", "Merdan Demo-Delegate"),
    "UZ": ("Uzbekistan", "Dilnoza Demo-Focal", "Jasur Demo-Delegate"),
    "AZ": ("Azerbaijan", "Leyla Demo-Focal", "Elchin Demo-Delegate"),
}
_MEMBERS = Classification.MEMBERS
_STATE = Affiliation.STATE


def _member_accounts() -> list[DemoAccount]:
    out = []
    for iso2 in MEMBER_STATES:
        country, focal, delegate = _NAMES[iso2]
        low = iso2.lower()
        out.append(
            DemoAccount(f"focal.{low}@demo.kenes.invalid", focal, f"focal point, {country}", _STATE, iso2, _MEMBERS,
                        ((None, Role.FOCAL_POINT),))
        )  # fmt: skip
        out.append(
            DemoAccount(f"delegate.{low}@demo.kenes.invalid", delegate, f"delegate, {country}", _STATE, iso2,
                        _MEMBERS, ((None, Role.DELEGATE),))
        )  # fmt: skip
    return out


def _guest_accounts() -> list[DemoAccount]:
    out = []
    for iso2, country, focal, delegate in (
        ("RU", "Russia", "Olga Demo-Focal", "Ivan Demo-Guest"),
        ("CN", "China", "Wang Demo-Focal", "Li Demo-Guest"),
    ):
        low = iso2.lower()
        levels = Classification.PARTICIPANTS
        out.append(
            DemoAccount(f"focal.{low}@demo.kenes.invalid", focal, f"guest focal point, {country}", _STATE, iso2,
                        levels, tuple((code, Role.FOCAL_POINT) for code in GUEST_FORMATS))
        )  # fmt: skip
        out.append(
            DemoAccount(f"guest.{low}@demo.kenes.invalid", delegate, f"guest delegate, {country}", _STATE, iso2,
                        levels, tuple((code, Role.DELEGATE) for code in GUEST_FORMATS))
        )  # fmt: skip
    return out


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "secretariat@demo.kenes.invalid",
        "Aida Demo-Secretariat",
        "chairing state's secretariat",
        Affiliation.SECRETARIAT,
        None,
        _MEMBERS,
        ((None, Role.SECRETARIAT),),
    ),
    *_member_accounts(),
    DemoAccount(
        "security.kg@demo.kenes.invalid",
        "Bakyt Demo-Security",
        "security officer, Kyrgyzstan (on the demo report)",
        _STATE,
        "KG",
        Classification.RESTRICTED,
        ((None, Role.SECURITY_OFFICER), (None, Role.DELEGATE)),
    ),
    DemoAccount(
        "security.kz@demo.kenes.invalid",
        "Yerlan Demo-Security",
        "security officer, Kazakhstan (not on it)",
        _STATE,
        "KZ",
        Classification.RESTRICTED,
        ((None, Role.SECURITY_OFFICER),),
    ),
    *_guest_accounts(),
)
