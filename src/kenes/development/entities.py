"""The eight entities of the indicator data: the five states, the two neighbours and the World.

Colours are the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies),
fixed per entity so a state keeps its colour on every chart; the comparators are also drawn dashed,
so no chart relies on colour alone.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

C5 = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
COMPARATORS = ("RUS", "CHN", "WLD")
ENTITIES = C5 + COMPARATORS

# The names the data files use (SOURCES.md: "normalised English names"), checked by the import.
SOURCE_NAMES = {
    "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan",
    "TJK": "Tajikistan",
    "TKM": "Turkmenistan",
    "UZB": "Uzbekistan",
    "RUS": "Russia",
    "CHN": "China",
    "WLD": "World",
}

NAMES: dict[str, Promise] = {
    "KAZ": _("Kazakhstan"),
    "KGZ": _("Kyrgyzstan"),
    "TJK": _("Tajikistan"),
    "TKM": _("Turkmenistan"),
    "UZB": _("Uzbekistan"),
    "RUS": _("Russia"),
    "CHN": _("China"),
    "WLD": _("World"),
    "C5": _("Central Asia (computed by Kenes)"),
}

COLOURS = {
    "KAZ": "#0072B2",
    "KGZ": "#E69F00",
    "TJK": "#009E73",
    "TKM": "#CC79A7",
    "UZB": "#56B4E9",
    "RUS": "#D55E00",
    "CHN": "#B8A400",  # Okabe–Ito yellow darkened for contrast on white; hue kept
    "WLD": "#000000",
    "C5": "#6B6B6B",  # the region's sum, computed by Kenes: grey, dotted
}

# ISO 3166 alpha-2 of the states, to link a target to the mechanism's State rows.
ISO2 = {"KAZ": "KZ", "KGZ": "KG", "TJK": "TJ", "TKM": "TM", "UZB": "UZ", "RUS": "RU", "CHN": "CN"}
REGION = "C5"  # a target set for the five states together, and the computed regional figure
PLOTTED = (*ENTITIES, REGION)


def name(iso3: str) -> str:
    return str(NAMES.get(iso3, iso3))
