"""The league table of a comparison: one row per policy with the figures an adviser reads first.

WSIPP's benefit-cost results give one line per programme (effect, benefits, costs, the chance
that benefits exceed costs); the What Works Centres' toolkits put effect, cost and the strength
of the evidence side by side. The league table does the same for the scenarios of a comparison,
and the report's first screen (``report.html``, ``report.md``) and the one-page brief
(``brief.pdf``) both show it, so the two never differ:

* per policy, by its title: the change in terrorism reoffences, any proven reoffence and recall
  of the people released after an extremist offence, per 1,000 released, at the comparison's
  follow-up, with its range;
* the chance of fewer terrorism reoffences than the base;
* the net cost to taxpayers per 1,000 released (programme cost minus custody costs avoided),
  the net cost per terrorism offence prevented and the chance that the benefits (to taxpayers
  and victims) exceed the costs;
* one plain sentence.

**What the ranges cover** is said once, above the table. Without assumption draws: chance only
(differences: the mean over the runs with its 95 % interval; money: the 5th to 95th percentile
of the runs). With assumption draws: chance and the assumptions (differences: the median and
90 % of the run-by-run differences over every draw; money: the 5th to 95th percentile over the
same runs); the chance of fewer reoffences is then the share of draws in which the policy did
better, ties counting half (``prob_better``), and otherwise the same share over the runs.

Rows are sorted by the change in terrorism reoffences, the largest fall first (ties: the lower
net cost first). Everything here is plain data and text; :mod:`.report` and :mod:`.brief` lay
it out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.economics import RELEASE_PRESETS, BenefitCost
from ..scenario import Scenario

__all__ = [
    "EFFECT_OUTCOMES",
    "LEAGUE_OUTCOMES",
    "PER",
    "League",
    "LeagueRow",
    "Outcome",
    "Spread",
    "effect_spreads",
    "expected",
    "has_draws",
    "league",
    "league_cells",
    "money",
    "money_range",
    "per_thousand",
    "per_year_words",
    "released_in",
    "report_title",
    "small_count",
    "titles",
]

#: the league table counts per this many people released after an extremist offence
PER = 1000
#: the comparison table counts events per 100 releases
_SCALE = PER / 100.0
MINUS = "\u2212"


@dataclass(frozen=True)
class Outcome:
    """An event outcome as the brief names it.

    Attributes:
        cohort, key: the comparison-table row (``cohort``, ``outcome``).
        short: its name in a table header or a panel title.
        plural: what is counted, in a sentence ("terrorism reoffences").
        raised_by_good: why a good policy can raise it (empty if it cannot).
    """

    cohort: str
    key: str
    short: str
    plural: str
    raised_by_good: str = ""


TERROR = Outcome("extremist", "terror_reoffence", "Terrorism reoffence", "terrorism reoffences")
ANY = Outcome("extremist", "any_reoffence", "Any reoffence", "proven reoffences")
RECALL = Outcome(
    "extremist",
    "recall",
    "Recall to prison",
    "recalls",
    "closer supervision finds more breaches of licence conditions",
)
#: the outcomes of the league table (people released after an extremist offence)
LEAGUE_OUTCOMES: tuple[Outcome, ...] = (TERROR, ANY, RECALL)
#: the panels of the forest plot: the league's outcomes, re-engagement as it is and as agencies
#: see it, and the comparison group's reoffending
EFFECT_OUTCOMES: tuple[Outcome, ...] = (
    TERROR,
    ANY,
    Outcome(
        "extremist",
        "true_reengagement",
        "Re-engagement with an extremist group",
        "people re-engaging",
    ),
    Outcome(
        "extremist",
        "reengagement",
        "Re-engagement detected by agencies",
        "re-engagements detected",
        "better detection finds more of it",
    ),
    RECALL,
    Outcome(
        "comparison",
        "any_reoffence",
        "Any reoffence, comparison group",
        "proven reoffences in the comparison group",
    ),
)


# ---------------------------------------------------------------------- names


def _humanise(name: str) -> str:
    """A scenario name in words when it has no title: ``uk_contest_3`` -> ``Uk contest 3``."""
    words = re.sub(r"[_\-.]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else name


def titles(scenarios: Sequence[Scenario]) -> dict[str, str]:
    """Each scenario's title by name: its ``title``, else its name in words; two scenarios that
    would share one are numbered."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for scenario in scenarios:
        title = " ".join((scenario.title or _humanise(scenario.name)).split())
        seen[title] = seen.get(title, 0) + 1
        out[scenario.name] = title if seen[title] == 1 else f"{title} ({seen[title]})"
    return out


def report_title(shown: Mapping[str, str], names: Sequence[str]) -> str:
    """A short title from the titles (base first): 'A, B or C instead of Base' for up to three
    policies, else 'N policies against Base'."""
    base, others = shown[names[0]], [shown[n] for n in names[1:]]
    if len(others) > 3:
        return f"{len(others)} policies against {base}"
    listed = others[0] if len(others) == 1 else ", ".join(others[:-1]) + " or " + others[-1]
    return f"{listed} instead of {base}"


# ---------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class Spread:
    """A difference from the base (or an amount) with its range."""

    central: float
    low: float
    high: float

    @property
    def known(self) -> bool:
        return bool(np.isfinite(self.central))

    @property
    def excludes_zero(self) -> bool:
        """The whole range lies on one side of zero."""
        return bool(self.low > 0 or self.high < 0)

    @property
    def identical(self) -> bool:
        """No difference in any run."""
        return bool(self.central == 0 and self.low == 0 and self.high == 0)

    def scaled(self, factor: float) -> Spread:
        return Spread(factor * self.central, factor * self.low, factor * self.high)


NAN_SPREAD = Spread(np.nan, np.nan, np.nan)


def has_draws(comparison: pd.DataFrame) -> bool:
    """Whether the comparison carries differences over assumption draws (``total_*``)."""
    return "total_median" in comparison and bool(comparison["total_median"].notna().any())


def expected(row: pd.Series, mean: str = "total_mean", median: str = "total_median") -> float:
    """A row's mean (expected) value, the figure the reports show: with rare offences most
    runs differ by nothing and the median is often 0. A file saved before the mean was kept
    (``total_mean`` of the comparison, ``mean`` of ``benefit_cost.csv``) gives its median."""
    value = row.get(mean, np.nan)
    return float(row[median] if pd.isna(value) else value)


def released_in(label: str) -> str:
    """Where the releases behind a figure a year come from, from its ``benefit_cost.csv``
    label ('Terrorism offences prevented a year, uk'): a release preset's country ('UK'), a
    country as it is ('France'), nothing for a number given as such ('30 releases a year')."""
    where = label.rsplit(", ", 1)[-1]
    if where.endswith(" releases a year"):
        return ""
    return RELEASE_PRESETS[where][1].split(",")[0] if where in RELEASE_PRESETS else where


def _spread(row: pd.Series, draws: bool) -> Spread:
    if draws and pd.notna(row.get("total_median")):
        return Spread(expected(row), float(row["total_low"]), float(row["total_high"]))
    if not np.isfinite(row["difference"]):
        return NAN_SPREAD
    if row["difference"] == 0 and (row["sd"] == 0 or not np.isfinite(row["sd"])):
        return Spread(0.0, 0.0, 0.0)
    lower, upper = row["lower"], row["upper"]
    if not np.isfinite(lower):
        lower = upper = np.nan
    return Spread(float(row["difference"]), float(lower), float(upper))


def effect_spreads(
    comparison: pd.DataFrame, years: float, outcomes: Sequence[Outcome] = EFFECT_OUTCOMES
) -> dict[tuple[str, str], Spread]:
    """``{(scenario, outcome key or 'comparison:key'): Spread}`` per 1,000 releases, for the
    event outcomes ``years`` after release: over assumptions and chance where the comparison has
    draws, else the mean with its 95 % interval (chance only)."""
    draws = has_draws(comparison)
    events = comparison[(comparison["kind"] == "event") & (comparison["years"] == years)]
    out: dict[tuple[str, str], Spread] = {}
    for outcome in outcomes:
        rows = events[(events["cohort"] == outcome.cohort) & (events["outcome"] == outcome.key)]
        for _, row in rows.iterrows():
            out[str(row["scenario"]), _key(outcome)] = _spread(row, draws).scaled(_SCALE)
    return out


def _key(outcome: Outcome) -> str:
    return outcome.key if outcome.cohort == "extremist" else f"{outcome.cohort}:{outcome.key}"


# ---------------------------------------------------------------------- words for numbers


def per_thousand(x: float, signed: bool = True) -> str:
    """A count per 1,000: one decimal below 10, none above; a true minus sign."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    digits = 0 if abs(x) >= 9.95 else 1
    text = f"{abs(x):,.{digits}f}"
    if text.strip("0.") == "":  # rounds to zero
        text = f"{abs(x):.2f}"
    sign = (MINUS if x < 0 else "+") if signed else (MINUS if x < 0 else "")
    return sign + text


def spread_range(spread: Spread) -> str:
    """'(−3.9 to 0)'; empty when the range is unknown."""
    if not (np.isfinite(spread.low) and np.isfinite(spread.high)):
        return ""
    return f"({per_thousand(spread.low)} to {per_thousand(spread.high)})".replace("+0 ", "0 ")


def money(x: float, signed: bool = False) -> str:
    """EUR amounts: 'EUR 5.3 million', 'EUR 530,000'."""
    if x is None or not np.isfinite(x):
        return "n/a"
    sign = (MINUS if x < 0 else "+" if x > 0 else "") if signed else (MINUS if x < 0 else "")
    a = abs(x)
    if a >= 0.995e6:
        return f"{sign}EUR {a / 1e6:,.1f} million"
    if a >= 1e4:
        return f"{sign}EUR {round(a, -3):,.0f}"
    return f"{sign}EUR {a:,.0f}"


def money_range(lo: float, hi: float) -> str:
    """'(3.9 to 7.3 million)': a range of EUR amounts, the unit said once."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return ""

    def one(x: float, div: float, digits: int) -> str:
        text = f"{abs(x) / div:,.{digits}f}"
        return (MINUS if x < 0 and text.strip("0.,") else "") + text

    if max(abs(lo), abs(hi)) >= 0.995e6:
        return f"({one(lo, 1e6, 1)} to {one(hi, 1e6, 1)} million)"
    return f"({one(round(lo, -3), 1, 0)} to {one(round(hi, -3), 1, 0)})"


def percent(p: float) -> str:
    return "n/a" if p is None or not np.isfinite(p) else f"{100 * p:.0f} %"


# ---------------------------------------------------------------------- the table


@dataclass(frozen=True)
class LeagueRow:
    """One policy of the league table.

    Attributes:
        name, title: the scenario's name and title.
        effects: per outcome key of :data:`LEAGUE_OUTCOMES`, the difference from the base per
            1,000 releases with its range.
        chance: the chance of fewer terrorism reoffences than the base (0-1, NaN if unknown).
        net_cost: the net cost to taxpayers per 1,000 releases (EUR, discounted).
        cost_per_terror: the net cost to taxpayers per terrorism offence prevented (EUR; NaN
            where the policy prevents none on average).
        benefits_exceed: the chance that benefits to taxpayers and victims exceed the costs.
        sentence: the row in one plain sentence.
        per_year: terrorism offences prevented a year among the people released after an
            extremist offence, at the league's ``per_year_releases`` (NaN where there are none).
    """

    name: str
    title: str
    effects: dict[str, Spread]
    chance: float
    net_cost: Spread
    cost_per_terror: float
    benefits_exceed: float
    sentence: str
    per_year: Spread = NAN_SPREAD

    @property
    def terror(self) -> Spread:
        return self.effects[TERROR.key]


@dataclass(frozen=True)
class League:
    """The league table and the lines around it."""

    title: str
    base: str
    base_title: str
    years: float
    rows: tuple[LeagueRow, ...]
    #: what the ranges cover and that the people are synthetic: the line above the table
    covers: str
    #: the base's own levels in a sentence
    base_line: str
    sorted_by: str
    draws: bool
    #: 'draws' or 'runs': what the chance of fewer reoffences is counted over
    chance_over: str
    chance_n: int
    #: the terrorist prisoners released a year behind the rows' ``per_year`` (NaN: none shown)
    #: and where they are released ('France'; empty for a number given as it is)
    per_year_releases: float = np.nan
    per_year_where: str = ""


def _bc(table: pd.DataFrame, name: str, measure: str, scale: str | None = None) -> pd.Series | None:
    rows = table[(table["scenario"] == name) & (table["measure"] == measure)]
    if scale is not None:
        rows = rows[rows["scale"] == scale]
    return rows.iloc[0] if len(rows) else None


def _chance_from_runs(levels: pd.DataFrame | None, base: str, name: str, years: float) -> float:
    """The share of runs in which ``name`` had fewer terrorism reoffences than the base (ties
    half), from the comparison's replication levels."""
    if levels is None or levels.empty:
        return np.nan
    rows = levels[
        (levels["cohort"] == TERROR.cohort)
        & (levels["kind"] == "event")
        & (levels["outcome"] == TERROR.key)
        & (levels["years"] == years)
    ]
    wide = rows.pivot_table(
        index="replication", columns=rows["scenario"].astype(str), values="value"
    )
    if base not in wide or name not in wide:
        return np.nan
    diff = (wide[name] - wide[base]).dropna().to_numpy()
    if diff.size == 0:
        return np.nan
    return float(np.mean(diff < 0) + 0.5 * np.mean(diff == 0))


def league(
    comparison: pd.DataFrame,
    scenarios: Sequence[Scenario],
    metadata: Mapping[str, Any],
    *,
    years: float,
    economics: BenefitCost | None = None,
    levels: pd.DataFrame | None = None,
) -> League:
    """The league table of a comparison (the base first in ``scenarios``).

    Args:
        comparison: :func:`~reintegration_sim.analysis.comparison.comparison_table`, with the
            draw columns when the comparison drew the assumptions.
        scenarios: the scenarios as run, base first.
        metadata: the comparison's metadata (replications, assumption draws).
        years: the follow-up of the table.
        economics: the benefit-cost analysis (net cost, cost per offence prevented, chance
            that benefits exceed costs); without it those cells are 'n/a'.
        levels: the replication levels, for the chance of fewer reoffences without draws.
    """
    shown = titles(scenarios)
    names = [s.name for s in scenarios]
    base = names[0]
    draws = has_draws(comparison)
    spreads = effect_spreads(comparison, years, LEAGUE_OUTCOMES)
    table = economics.table if economics is not None else None
    info = metadata.get("assumption_draws") or {}
    replications = int(metadata.get("replications", 0))
    chance_over = "draws" if draws else "runs"
    chance_n = int(info.get("n_draws", 0)) if draws else replications
    events = comparison[(comparison["kind"] == "event") & (comparison["years"] == years)]
    per_year_label, per_year_releases, per_year_where = _per_year_choice(table)
    rows = []
    for name in names[1:]:
        effects = {o.key: spreads.get((name, o.key), NAN_SPREAD) for o in LEAGUE_OUTCOMES}
        if draws:
            found = events[
                (events["scenario"] == name)
                & (events["cohort"] == TERROR.cohort)
                & (events["outcome"] == TERROR.key)
            ]
            chance = float(found["prob_better"].iloc[0]) if len(found) else np.nan
        else:
            chance = _chance_from_runs(levels, base, name, years)
        net_cost, per_terror, exceed = NAN_SPREAD, np.nan, np.nan
        if table is not None:
            cost = _bc(table, name, "taxpayer_net_cost", "per participant")
            if cost is not None:
                net_cost = Spread(cost["median"], cost["low"], cost["high"]).scaled(PER)
            npv = _bc(table, name, "net_present_value", "per participant")
            if npv is not None:
                exceed = float(npv["prob_net_benefit_positive"])
            ratio = _bc(table, name, "cost_per_terror_prevented")
            if ratio is not None and pd.notna(ratio.get("mean", np.nan)):
                per_terror = float(ratio["mean"])  # expected cost per expected offence
            elif ratio is not None and "mean" not in ratio:  # saved before the mean was kept
                prevented = _bc(table, name, "terror_prevented", "per participant")
                if prevented is not None and prevented["median"] > 0:
                    per_terror = float(ratio["median"])
        row = LeagueRow(name, shown[name], effects, chance, net_cost, per_terror, exceed, "")
        if table is not None and per_year_label:
            found = table[
                (table["scenario"] == name)
                & (table["measure"] == "terror_prevented_per_year")
                & (table["label"] == per_year_label)
            ]
            if len(found):
                first = found.iloc[0]
                central = expected(first, "mean", "median")
                row = replace(row, per_year=Spread(central, first["low"], first["high"]))
        rows.append(replace(row, sentence=sentence(row, chance_over)))

    def order(row: LeagueRow) -> tuple[float, float]:
        t, c = row.terror.central, row.net_cost.central
        return (t if np.isfinite(t) else np.inf, c if np.isfinite(c) else np.inf)

    rows.sort(key=order)
    if draws:
        runs = int(info.get("n_draws", 0)) * int(info.get("replications_per_draw", 0))
        drawn = len(info.get("drawn", {}))
        covers = (
            f"Ranges cover chance and the assumptions: 90 % of {runs} simulated runs over "
            f"{info.get('n_draws', 0)} joint draws of {drawn} assumptions from their priors, "
            "not the model's structure."
        )
    else:
        covers = (
            f"Ranges cover chance only (the spread of {replications} simulated runs at the "
            "stated assumptions), not uncertainty about the assumptions themselves."
        )
    covers += " The people are synthetic: this compares policies and scores no one."
    return League(
        title=report_title(shown, names),
        base=base,
        base_title=shown[base],
        years=years,
        rows=tuple(rows),
        covers=covers,
        base_line=_base_line(events, base, shown[base], years),
        sorted_by="Sorted by the change in terrorism reoffences, largest fall first.",
        draws=draws,
        chance_over=chance_over,
        chance_n=chance_n,
        per_year_releases=per_year_releases,
        per_year_where=per_year_where,
    )


def _per_year_choice(table: pd.DataFrame | None) -> tuple[str, float, str]:
    """The figures a year the first screen shows: those of the comparison's country (the base
    scenario's ``[country]``) or of the first number or preset given for it, as (the label of
    ``benefit_cost.csv``'s rows, releases a year, where). None (``("", nan, "")``) where there
    are no such rows, or where they are only the release presets of no chosen country (the
    appendix lists those)."""
    if table is None:
        return "", np.nan, ""
    found = table[table["measure"] == "terror_prevented_per_year"]
    labels = list(dict.fromkeys(found["label"].astype(str)))
    places = [label.rsplit(", ", 1)[-1] for label in labels]
    if not labels or set(places) == set(RELEASE_PRESETS):
        return "", np.nan, ""
    first = found[found["label"] == labels[0]].iloc[0]
    return labels[0], float(first["releases_per_year"]), released_in(labels[0])


#: policies named in the first screen's figures a year (the others are in the appendix)
PER_YEAR_SHOWN = 5


def per_year_words(table: League, title: Callable[[str], str] = str) -> str:
    """The first screen's figures a year in one paragraph: where, the releases, and for the
    first :data:`PER_YEAR_SHOWN` policies of the table the terrorism offences prevented a year
    among the people released after an extremist offence, median and range; empty where the
    comparison has no country's figures. ``title`` makes a policy's title safe for the page."""
    if not np.isfinite(table.per_year_releases):
        return ""
    where = f"in {table.per_year_where}, " if table.per_year_where else ""
    items = [
        f"{title(row.title)}: {small_count(row.per_year.central)} "
        f"({small_count(row.per_year.low)} to {small_count(row.per_year.high)})"
        for row in table.rows[:PER_YEAR_SHOWN]
        if row.per_year.known
    ]
    if not items:
        return ""
    rest = len(table.rows) - PER_YEAR_SHOWN
    more = f"; the other {rest} in the appendix" if rest > 0 else ""
    return (
        f"**A year {where}at {table.per_year_releases:g} terrorist prisoners released a year**, "
        "terrorism offences prevented among them (the mean over the runs, and the range as "
        f"above; negative: more offences): {'; '.join(items)}{more}."
    )


def small_count(x: float, signed: bool = False) -> str:
    """A small expected count (offences a year): two significant figures below 10, whole
    numbers above; a true minus sign."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    rounded = float(f"{abs(x):.2g}")
    text = f"{abs(x):,.0f}" if abs(x) >= 10 else np.format_float_positional(rounded, trim="-")
    sign = (MINUS if x < 0 else "+") if signed else (MINUS if x < 0 else "")
    return sign + text


def _base_line(events: pd.DataFrame, base: str, title: str, years: float) -> str:
    """'Under Today's practice, of 1,000 people released ..., about 16 commit ...'."""
    levels = {}
    for outcome in LEAGUE_OUTCOMES:
        row = events[
            (events["scenario"] == base)
            & (events["cohort"] == outcome.cohort)
            & (events["outcome"] == outcome.key)
        ]
        levels[outcome.key] = float(row["level"].iloc[0]) * _SCALE if len(row) else np.nan

    def n(key: str) -> str:
        return per_thousand(levels[key], signed=False)

    when = f"{years:g} year{'s' * (years != 1)}"
    return (
        f"Under {title}, of every {PER:,} people released after an extremist offence, about "
        f"{n(TERROR.key)} commit a terrorism offence within {when}, {n(ANY.key)} any proven "
        f"offence, and {n(RECALL.key)} are recalled to prison. The table gives each policy's "
        f"difference from that, per {PER:,} released."
    )


def sentence(row: LeagueRow, chance_over: str = "runs") -> str:
    """The row in one plain sentence: what happens to terrorism reoffences and to reoffending
    overall, what it costs taxpayers and how often its benefits exceed its costs."""
    t, a, cost = row.terror, row.effects[ANY.key], row.net_cost
    chance = percent(row.chance)
    if not t.known:
        first = "The change in terrorism reoffences is not known at this follow-up"
    elif t.identical:
        first = "No change in terrorism reoffences"
    elif t.high < 0:
        first = (
            f"Fewer terrorism reoffences: about {per_thousand(-t.central, False)} fewer per "
            f"{PER:,} released"
        )
    elif t.low > 0:
        first = (
            f"More terrorism reoffences: about {per_thousand(t.central, False)} more per "
            f"{PER:,} released"
        )
    elif row.chance >= 0.8:
        first = (
            f"Probably fewer terrorism reoffences (fewer in {chance} of {chance_over}), though "
            "the range includes no change"
        )
    elif row.chance <= 0.2:
        first = (
            f"Probably more terrorism reoffences (fewer in only {chance} of {chance_over}), "
            "though the range includes no change"
        )
    else:
        first = "No clear change in terrorism reoffences"
    if a.known and not a.identical and a.high < 0:
        first += ", and fewer reoffences overall"
    elif a.known and not a.identical and a.low > 0:
        first += ", but more reoffences overall"
    if not cost.known:
        money_part = "its cost is not known"
    elif cost.low > 0:
        money_part = f"it costs taxpayers about {money(cost.central)} more per {PER:,} released"
    elif cost.high < 0:
        money_part = f"it saves taxpayers about {money(-cost.central)} per {PER:,} released"
    elif cost.identical:
        money_part = "it costs the same"
    else:
        money_part = (
            f"its net cost to taxpayers is uncertain (about {money(cost.central)} per "
            f"{PER:,} released)"
        )
    text = f"{first}; {money_part}"
    exceed = row.benefits_exceed
    if np.isfinite(exceed) and not cost.identical:
        text += ", and the benefits to taxpayers and victims " + (
            "exceed its costs in no run"
            if exceed == 0
            else "exceed its costs in every run"
            if exceed == 1
            else f"exceed its costs in {percent(exceed)} of runs"
        )
    return text + "."


def league_cells(table: League) -> list[list[str]]:
    """The cells of the league table after the title, per row: each change with its range,
    the chance with what it is counted over, the net cost with its range, the net cost per
    terrorism offence prevented and the chance that benefits exceed costs (a second line, where
    there is one, after a newline)."""
    over = f"of {table.chance_n} {table.chance_over}" if table.chance_n else ""
    out = []
    for row in table.rows:
        effects = [
            f"{per_thousand(row.effects[o.key].central)}\n{spread_range(row.effects[o.key])}"
            for o in LEAGUE_OUTCOMES
        ]
        cost = row.net_cost
        if np.isfinite(row.cost_per_terror):
            per_terror = money(row.cost_per_terror) if row.cost_per_terror > 0 else "saves money"
        else:
            per_terror = "none prevented\non average" if cost.known else "n/a"
        out.append(
            [
                *effects,
                f"{percent(row.chance)}\n{over}",
                f"{money(cost.central)}\n{money_range(cost.low, cost.high)}",
                per_terror,
                percent(row.benefits_exceed),
            ]
        )
    return out
