"""The preset picker's groups, titles and one-line descriptions.

A preset is shown by its title (the scenario file's ``title``, else its name) with one line of
its description, in one of these groups, decided by the file alone:

* **Named practices of the paper**: the description starts with "Named practice".
* **Single levers**: the description starts with "Single lever".
* **Country presets**: the scenario carries a ``[country]`` table (``england_wales``,
  ``france``...). ``serve`` offers them as the base A (``serve --scenario france``), not in the
  list of policies B, since they describe a country rather than a policy.
* **Reference points**: everything else (today's practice, no support at all).

So a new file falls into its group by how it is named and described, with no list to update.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..scenario import Scenario

__all__ = ["GROUPS", "grouped_presets", "one_line", "preset_group"]

NAMED = "Named practices of the paper"
SINGLE = "Single levers"
COUNTRY = "Country presets"
REFERENCE = "Reference points"
#: the groups in the order the picker shows them
GROUPS = (NAMED, COUNTRY, SINGLE, REFERENCE)
_KIND = re.compile(r"^(Named practice|Single lever)s?\s*:\s*", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\[[^\]]*\]")


def preset_group(scenario: Scenario) -> str:
    """The group a preset is shown in (see the module's docstring)."""
    if scenario.country is not None:
        return COUNTRY
    text = scenario.description.lstrip().lower()
    if text.startswith("named practice"):
        return NAMED
    if text.startswith("single lever"):
        return SINGLE
    return REFERENCE


def one_line(scenario: Scenario, limit: int = 140) -> str:
    """The first sentence of a preset's description, without its "Named practice:" or "Single
    lever:" mark and its bracketed sources, cut at ``limit`` characters."""
    text = _BRACKETS.sub("", _KIND.sub("", " ".join(scenario.description.split())))
    named = preset_group(scenario) == NAMED
    sentences = re.split(r"(?<=[.!?])\s+", text)
    first = sentences[0]
    if named and len(sentences) > 1 and len(first) < 60:  # "Named practice: X." then what X is
        first = sentences[1]
    first = first[:1].upper() + first[1:]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def grouped_presets(presets: Mapping[str, Scenario]) -> list[tuple[str, list[Scenario]]]:
    """The presets by group (in :data:`GROUPS` order, empty groups left out), each group by
    title."""
    groups: dict[str, list[Scenario]] = {group: [] for group in GROUPS}
    for scenario in presets.values():
        groups[preset_group(scenario)].append(scenario)
    return [
        (group, sorted(members, key=lambda s: s.label.lower()))
        for group, members in groups.items()
        if members
    ]
