"""Themes: Kenes's own grouping of the catalogue for browsing, by the source's code.

Only the UN SDG series carry an SDG number (``Indicator.sdg_indicator``); no SDG mapping is invented
for the other sources, so the themes below are a reading aid, not a claim about the SDG framework.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

THEMES: dict[str, Promise] = {
    "economy": _("Growth and income"),
    "trade": _("Trade and finance"),
    "people": _("Population"),
    "health": _("Health"),
    "education": _("Education"),
    "poverty": _("Poverty, work and equality"),
    "digital": _("Connectivity"),
    "energy": _("Energy"),
    "emissions": _("Emissions and climate"),
    "water": _("Water and sanitation"),
    "land": _("Land and biodiversity"),
}

# First matching prefix wins: WDI codes, the Gapminder concept ids and the UN series codes.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("NE.EXP", "trade"),
    ("NE.IMP", "trade"),
    ("TG.", "trade"),
    ("TX.", "trade"),
    ("TM.", "trade"),
    ("BX.", "trade"),
    ("DT.", "trade"),
    ("trade_balance", "trade"),
    ("NY.", "economy"),
    ("FP.", "economy"),
    ("NV.", "economy"),
    ("NE.", "economy"),
    ("NV_IND", "economy"),
    ("gdppercapita", "economy"),
    ("total_gdp", "economy"),
    ("services_", "economy"),
    ("ER_FFS", "economy"),
    ("SP.DYN.TFRT", "people"),
    ("SP.POP", "people"),
    ("SP.URB", "people"),
    ("SM.", "people"),
    ("EN.POP", "people"),
    ("AG.LND.TOTL", "people"),
    ("SP.DYN", "health"),
    ("SH.", "health"),
    ("SN.", "health"),
    ("SH_ACS", "health"),
    ("SH_AAP", "health"),
    ("SH_HAP", "health"),
    ("total_health", "health"),
    ("hdi_", "health"),
    ("SE.", "education"),
    ("SI.", "poverty"),
    ("SL.", "poverty"),
    ("SG.", "poverty"),
    ("SI_POV", "poverty"),
    ("IT.", "digital"),
    ("IT_", "digital"),
    ("internet_", "digital"),
    ("EN.ATM.PM25", "health"),
    ("EN.ATM", "emissions"),
    ("EN_ATM", "emissions"),
    ("co2", "emissions"),
    ("EG.", "energy"),
    ("EG_", "energy"),
    ("electricity_", "energy"),
    ("natural_gas", "energy"),
    ("oil_", "energy"),
    ("coal_", "energy"),
    ("ER.H2O", "water"),
    ("ER_H2O", "water"),
    ("SH_H2O", "water"),
    ("EN_WBE", "water"),
    ("at_least_basic", "water"),
    ("AG.", "land"),
    ("ER.", "land"),
    ("AG_", "land"),
    ("ER_", "land"),
    ("EN_EWT", "land"),
)

# Whole files that are one theme (OWID grapher tables: their codes are column names).
_BY_SOURCE = {"OWID-CO2": "emissions", "OWID-CAIT": "emissions", "GM-FT": "emissions", "OWID-ELEC": "energy"}


def theme_for(code: str, source_tag: str) -> str:
    if source_tag in _BY_SOURCE:
        if source_tag == "OWID-ELEC" and code in ("Emissions", "Carbon intensity of electricity"):
            return "emissions"
        return _BY_SOURCE[source_tag]
    for prefix, theme in _PREFIXES:
        if code.startswith(prefix):
            return theme
    return "economy"
