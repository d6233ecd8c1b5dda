"""Benefit-cost figures of a comparison, as benefit-cost analysts value outcomes.

The Washington State Institute for Public Policy's benefit-cost model values a programme by its
net present value per participant (benefits to taxpayers and to victims minus the programme's
cost) and by the chance that benefits exceed costs over many draws; health economics adds the
cost per unit of effect, the cost-effectiveness acceptability curve and the cost-effect plane
(EVIDENCE 6). This module computes them from a comparison's tables, in three layers that the
"assumption draws" of a comparison can call as well:

1. :func:`arm_values`: what each run of each scenario cost and how many offences it had, from
   its people and timeseries tables (one row per scenario and replication, :data:`ARM_COLUMNS`);
2. :func:`paired_values`: per draw (a replication, or a joint draw of assumptions and chance), a
   policy minus its base: costs avoided, offences prevented, net present value and the rest,
   from two arrays of arm values paired by position;
3. :func:`summarise_scenario` and :func:`benefit_cost_table`: the median and the 5th and 95th
   percentiles of each figure over the draws, and ``prob_net_benefit_positive``;
   :func:`acceptability_curve` gives the probability that each scenario is the best choice at
   each willingness to pay per terrorism offence prevented.

**What is valued.** Costs to taxpayers are the model's own cost indicators (custody places,
practitioners, programmes; register group ``costs``, EUR). Costs to victims and society are the
unit costs of crime of the Home Office (Heeks et al. 2018; GBP at 2015/16 prices converted with
``costs.eur_per_gbp``): each person's first proven terrorism offence at
``costs.terrorism_offence``, every other proven reoffence at ``costs.ordinary_reoffence`` (a
stated offence mix, :data:`~reintegration_sim.parameters.ORDINARY_REOFFENCE_MIX`). Only proven
offences are valued. The valuation of a comparison is the base scenario's ``costs`` group.

**Discounting.** Everything is discounted to the start of the run (week 0, when the policy is
decided): a cost or an offence in week ``w`` of the run counts ``(1 + r) ** (-w / 52)``, with
``r = costs.discount_rate``. Week ``w`` is the week of the run, not the week since the person's
release, so the costs to taxpayers (known by week of the run) and to victims share one clock.
The people table records the week of a person's first proven reoffence and first terrorism
offence; a person's later reoffences (``n_reoffences`` counts them all) are placed midway
between the first and the end of their follow-up (death or the horizon).

**The figures** (a policy minus its base, per draw):

* programme cost: extra staff and programme costs; taxpayer benefit: custody costs avoided;
  victim benefit: costs of offences avoided; benefits: the two together;
* net present value: benefits minus programme cost; benefit-cost ratio: benefits over programme
  cost (where the programme costs more than the base);
* net cost to taxpayers per terrorism offence and per reoffence prevented (offences discounted
  like costs, as cost-effectiveness analyses do);
* relative change of offences, releases served per offence prevented (NNT; negative: per
  offence added, NNH), offences prevented per year for a given number of releases a year, and
  the people per arm a real two-arm evaluation would need to detect the simulated difference.

Money and offence counts come per 100 releases (both cohorts, the base's releases of that run)
and per participant: per person released from the extremist cohort, for whom the levers are
designed (as WSIPP divides a programme's benefits by its participants).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..keys import did_you_mean
from ..model.outcomes import OUTCOME_BY_KEY
from ..model.population import WEEKS_PER_YEAR
from ..parameters import Costs
from ..scenario import Country
from .survival import cumulative_incidence, event_durations

__all__ = [
    "ARM_COLUMNS",
    "BENEFIT_COST_COLUMNS",
    "COVERS_CHANCE",
    "COVERS_DRAWS",
    "RELEASE_PRESETS",
    "BenefitCost",
    "Valuation",
    "acceptability_curve",
    "arm_values",
    "benefit_cost",
    "benefit_cost_table",
    "default_wtp",
    "discount_factor",
    "evaluation_size",
    "net_benefit_matrix",
    "paired_values",
    "parse_releases_per_year",
    "resolve_releases_per_year",
    "summarise",
    "summarise_scenario",
    "effect_and_cost",
]

#: what the ranges of a comparison without assumption draws cover (the draws are replications)
#: what the ranges of a benefit-cost analysis over assumption draws cover
COVERS_DRAWS = (
    "chance and the assumptions: 5th to 95th percentile over {runs} runs in {n} joint draws of "
    "the assumptions (lever effect sizes, rates and unit costs from their priors)"
)
COVERS_CHANCE = (
    "chance only: 5th to 95th percentile over {n} runs (how much one run of this population "
    "differs from another), not the uncertainty of the assumptions behind the levers' effects "
    "or the unit costs"
)

#: terrorist prisoners released a year (EVIDENCE 2): presets for the offences prevented a year
RELEASE_PRESETS: dict[str, tuple[float, str]] = {
    "uk": (40.0, "UK, about 35-45 a year (Home Office TACT statistics)"),
    "france": (50.0, "France, 50 in 2022 (100 in 2018; French prison administration)"),
    "belgium": (27.0, "Belgium, 27 in 2021 (33 in 2020; Belgian justice minister)"),
}

#: the follow-up proportions behind the evaluation sizes: (cohort, event outcome)
EVALUATED = (("extremist", "terror_reoffence"), ("extremist", "any_reoffence"))


def discount_factor(weeks: np.ndarray | float, rate: float) -> np.ndarray:
    """``(1 + rate) ** (-weeks / 52)``: the present value at week 0 of 1 in week ``weeks``."""
    return np.power(1.0 + rate, -np.asarray(weeks, dtype=float) / WEEKS_PER_YEAR)


@dataclass(frozen=True)
class Valuation:
    """Unit values of a benefit-cost analysis, in EUR.

    Attributes:
        terrorism_offence: cost to victims and society of a terrorism offence.
        ordinary_reoffence: the same for any other proven reoffence.
        discount_rate: per year.
    """

    terrorism_offence: float
    ordinary_reoffence: float
    discount_rate: float

    @classmethod
    def from_costs(cls, costs: Costs) -> Valuation:
        """From a register ``costs`` group (offence costs converted from GBP at
        ``eur_per_gbp``)."""
        return cls(
            costs.terrorism_offence * costs.eur_per_gbp,
            costs.ordinary_reoffence * costs.eur_per_gbp,
            costs.discount_rate,
        )


# ---------------------------------------------------------------------- 1. arm values

#: columns of :func:`arm_values`: one row per scenario and replication (or draw)
ARM_COLUMNS = [
    "scenario",
    "replication",
    "released",  # people ever released, both cohorts
    "participants",  # people ever released, extremist cohort
    "terror_offences",  # proven terrorism offences (first per person), both cohorts
    "reoffences",  # every proven reoffence, terrorism offences included, both cohorts
    "terror_offences_extremist",
    "reoffences_extremist",
    "terror_pv",  # terrorism offences, discounted to week 0
    "ordinary_pv",  # other reoffences, discounted to week 0
    "victim_cost_terror",  # EUR, discounted: terror_pv at the unit cost of a terrorism offence
    "victim_cost_ordinary",  # EUR, discounted: ordinary_pv at the unit cost of a reoffence
    "custody_cost",  # EUR, discounted, weeks 1 to the horizon
    "staff_cost",
    "intervention_cost",
    "p_terror",  # Kaplan-Meier share of the extremist cohort with a terrorism offence ...
    "p_any",  # ... and with any proven reoffence, ``years`` after release
]


def _offences(group: pd.DataFrame, rate: float) -> dict[str, float]:
    """Counts and discounted counts of one run's proven offences."""
    n = group["n_reoffences"].to_numpy().astype(float)
    first = group["reoffence_week"].to_numpy().astype(float)
    terror = group["terror_week"].to_numpy().astype(float)
    start = group["first_release_week"].to_numpy().astype(float)
    end = start + group["followup_weeks"].to_numpy()
    has_terror = terror >= 0
    terror_first = has_terror & (terror == first)
    terror_later = has_terror & (terror > first)
    later = np.where(n > 0, n - 1.0 - terror_later, 0.0)  # ordinary reoffences after the first
    ordinary_pv = np.where(
        n > 0,
        discount_factor(np.maximum(first, 0.0), rate) * ~terror_first
        + later * discount_factor(np.maximum((first + end) / 2.0, 0.0), rate),
        0.0,
    )
    terror_pv = np.where(has_terror, discount_factor(np.maximum(terror, 0.0), rate), 0.0)
    extremist = group["cohort"].astype(str).to_numpy() == "extremist"
    return {
        "released": float(np.count_nonzero(start >= 0)),
        "participants": float(np.count_nonzero((start >= 0) & extremist)),
        "terror_offences": float(np.count_nonzero(has_terror)),
        "reoffences": float(n.sum()),
        "terror_offences_extremist": float(np.count_nonzero(has_terror & extremist)),
        "reoffences_extremist": float(n[extremist].sum()),
        "terror_pv": float(terror_pv.sum()),
        "ordinary_pv": float(ordinary_pv.sum()),
    }


def _proportions(group: pd.DataFrame, years: float) -> dict[str, float]:
    """Kaplan-Meier shares of :data:`EVALUATED` ``years`` after first release."""
    out = {}
    for (cohort, key), column in zip(EVALUATED, ("p_terror", "p_any"), strict=True):
        members = group[group["cohort"].astype(str) == cohort]
        durations, event = event_durations(members, OUTCOME_BY_KEY[key])
        out[column] = float(cumulative_incidence(durations, event, [years * WEEKS_PER_YEAR])[0])
    return out


_TAXPAYER = {
    "cost_custody": "custody_cost",
    "cost_staff": "staff_cost",
    "cost_interventions": "intervention_cost",
}


def _taxpayer_costs(timeseries: pd.DataFrame, rate: float) -> pd.DataFrame:
    """Discounted custody, staff and programme costs of weeks 1 to the horizon, per scenario and
    replication."""
    rows = timeseries[
        (timeseries["cohort"].astype(str) == "all")
        & timeseries["indicator"].astype(str).isin(list(_TAXPAYER))
        & (timeseries["week"] >= 1)
    ]
    rows = rows.assign(
        scenario=rows["scenario"].astype(str),
        indicator=rows["indicator"].astype(str).map(_TAXPAYER),
        value=rows["value"].to_numpy() * discount_factor(rows["week"].to_numpy(), rate),
    )
    sums = rows.groupby(["scenario", "replication", "indicator"], sort=False)["value"].sum()
    return sums.unstack("indicator").reindex(columns=list(_TAXPAYER.values()), fill_value=0.0)


def arm_values(
    people: pd.DataFrame,
    timeseries: pd.DataFrame,
    valuation: Valuation,
    years: float = 3.0,
) -> pd.DataFrame:
    """What each run of each scenario cost and how many offences it had (:data:`ARM_COLUMNS`).

    Args:
        people, timeseries: the tables of a run or comparison (every scenario, every
            replication).
        valuation: unit values and discount rate.
        years: follow-up (years after release) of the proportions ``p_terror`` and ``p_any``.
    """
    rate = valuation.discount_rate
    costs = _taxpayer_costs(timeseries, rate)
    rows = []
    for (scenario, replication), group in people.groupby(
        [people["scenario"].astype(str), "replication"], sort=False
    ):
        values: dict[str, Any] = {"scenario": str(scenario), "replication": int(replication)}
        values.update(_offences(group, rate))
        values["victim_cost_terror"] = values["terror_pv"] * valuation.terrorism_offence
        values["victim_cost_ordinary"] = values["ordinary_pv"] * valuation.ordinary_reoffence
        key = (str(scenario), int(replication))
        for column in _TAXPAYER.values():
            values[column] = float(costs.at[key, column]) if key in costs.index else np.nan
        values.update(_proportions(group, years))
        rows.append(values)
    return pd.DataFrame(rows, columns=ARM_COLUMNS)


# ---------------------------------------------------------------------- 2. paired values


def evaluation_size(
    p1: np.ndarray | float,
    p2: np.ndarray | float,
    power: float = 0.8,
    alpha: float = 0.05,
) -> np.ndarray:
    """People per arm of a two-arm study that compares two proportions with a two-sided test at
    level ``alpha`` and the given power (normal approximation without continuity correction,
    Fleiss, Levin & Paik 2003, eq. 4.14)::

        n = (z(1 - alpha/2) sqrt(2 pbar qbar) + z(power) sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2

    rounded up; ``inf`` where the proportions are equal, NaN where one is missing.
    """
    from scipy import stats

    p1 = np.asarray(p1, dtype=float)
    p2 = np.asarray(p2, dtype=float)
    pbar = (p1 + p2) / 2.0
    z_a, z_b = stats.norm.ppf(1.0 - alpha / 2.0), stats.norm.ppf(power)
    top = z_a * np.sqrt(2.0 * pbar * (1.0 - pbar)) + z_b * np.sqrt(
        p1 * (1.0 - p1) + p2 * (1.0 - p2)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.ceil(top**2 / (p1 - p2) ** 2 - 1e-9)
    return np.where(p1 == p2, np.inf, n)


def paired_values(base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """A policy minus its base, draw by draw (rows of :data:`ARM_COLUMNS` paired by position).

    Returns one row per draw, totals of the run: ``programme_cost`` (extra staff and programme
    costs), ``taxpayer_benefit`` (custody costs avoided), ``victim_benefit`` (costs of offences
    avoided; ``victim_benefit_terror`` the part from terrorism offences), ``benefits``,
    ``net_present_value``, ``taxpayer_net_cost``; ``terror_prevented``,
    ``reoffences_prevented`` and their discounted ``*_pv``; the extremist cohort's
    ``terror_prevented_extremist`` and ``reoffences_prevented_extremist``; the base's
    ``released`` and ``participants``; both arms' offences and proportions (``base_*``,
    ``other_*``). Money in EUR discounted to week 0.
    """
    if len(base) != len(other):
        raise ValueError(f"paired arms differ in length: {len(base)} and {len(other)}")
    b = {c: base[c].to_numpy(dtype=float) for c in ARM_COLUMNS[2:]}
    o = {c: other[c].to_numpy(dtype=float) for c in ARM_COLUMNS[2:]}

    def avoided(column: str) -> np.ndarray:
        return b[column] - o[column]

    programme = -avoided("staff_cost") - avoided("intervention_cost")
    taxpayer = avoided("custody_cost")
    victim = avoided("victim_cost_terror") + avoided("victim_cost_ordinary")
    out = {
        "programme_cost": programme,
        "taxpayer_benefit": taxpayer,
        "victim_benefit": victim,
        "victim_benefit_terror": avoided("victim_cost_terror"),
        "benefits": taxpayer + victim,
        "net_present_value": taxpayer + victim - programme,
        "taxpayer_net_cost": programme - taxpayer,
        "terror_prevented": avoided("terror_offences"),
        "reoffences_prevented": avoided("reoffences"),
        "terror_prevented_pv": avoided("terror_pv"),
        "reoffences_prevented_pv": avoided("terror_pv") + avoided("ordinary_pv"),
        "terror_prevented_extremist": avoided("terror_offences_extremist"),
        "reoffences_prevented_extremist": avoided("reoffences_extremist"),
        "released": b["released"],
        "participants": b["participants"],
    }
    for column in ("terror_offences", "reoffences", "p_terror", "p_any"):
        out[f"base_{column}"] = b[column]
        out[f"other_{column}"] = o[column]
    return pd.DataFrame(out)


# ---------------------------------------------------------------------- 3. summaries

#: columns of :func:`benefit_cost_table`
BENEFIT_COST_COLUMNS = [
    "scenario",
    "base",
    "measure",
    "label",
    "scale",
    "unit",
    "releases_per_year",
    "mean",
    "median",
    "low",
    "high",
    "n_draws",
    "prob_net_benefit_positive",
    "covers",
    "note",
]

PER_100 = "per 100 releases"
PER_PARTICIPANT = "per participant"
#: money (EUR, discounted) and offence counts, each given per 100 releases and per participant
_SCALED: tuple[tuple[str, str, str], ...] = (
    ("net_present_value", "Net present value: benefits minus programme cost", "EUR"),
    ("benefits", "Benefits: costs avoided, to taxpayers and to victims", "EUR"),
    ("taxpayer_benefit", "Benefits to taxpayers: custody costs avoided", "EUR"),
    ("victim_benefit", "Benefits to victims and society: costs of offences avoided", "EUR"),
    ("programme_cost", "Programme cost: extra staff and programme costs", "EUR"),
    ("taxpayer_net_cost", "Net cost to taxpayers: programme cost minus custody avoided", "EUR"),
    ("terror_prevented", "Terrorism offences prevented", "offences"),
    ("reoffences_prevented", "Proven reoffences prevented (any offence)", "offences"),
)


def summarise(values: np.ndarray | Sequence[float]) -> tuple[float, float, float, int]:
    """``(median, 5th percentile, 95th percentile, n)`` over the draws that are not NaN.

    Infinite values (an evaluation that could never detect a difference) count as the largest;
    where any is present the percentiles are values of the draws themselves (no interpolation).
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return np.nan, np.nan, np.nan, 0
    quantiles = [0.5, 0.05, 0.95]
    if np.isfinite(values).all():
        median, low, high = np.quantile(values, quantiles)
    else:
        median, low, high = np.quantile(values, quantiles, method="inverted_cdf")
    return float(median), float(low), float(high), int(values.size)


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """``top / bottom`` where ``bottom > 0``, NaN elsewhere."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)


def _reciprocal(median: float, low: float, high: float) -> tuple[float, float, float]:
    """Releases per offence prevented from offences prevented per 100 releases: ``100 / x`` of
    each percentile (the reciprocal is monotone on each side of 0, so percentiles carry over;
    a range that includes 0 runs through infinity, Altman 1998)."""

    def per(x: float) -> float:
        return 100.0 / x if x != 0 else np.inf

    return per(median), per(high), per(low)


def summarise_scenario(
    paired: pd.DataFrame,
    *,
    scenario: str,
    base: str,
    covers: str,
    releases_per_year: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The benefit-cost figures of one policy against its base (:data:`BENEFIT_COST_COLUMNS`).

    Args:
        paired: :func:`paired_values`, one row per draw (replications, or joint draws of
            assumptions and chance).
        scenario, base: names written in the table.
        covers: what the ranges cover, written in every row (e.g. :data:`COVERS_CHANCE`).
        releases_per_year: ``{label: releases}`` of terrorist prisoners a year for the offences
            prevented a year (default: :data:`RELEASE_PRESETS`).
    """
    if releases_per_year is None:
        releases_per_year = {k: v for k, (v, _) in RELEASE_PRESETS.items()}
    draws = len(paired)
    released, participants = paired["released"].to_numpy(), paired["participants"].to_numpy()
    npv = paired["net_present_value"].to_numpy()
    prob = float(np.mean(npv > 0)) if draws else np.nan
    rows: list[dict[str, Any]] = []

    def add(measure: str, label: str, scale: str, unit: str, values: Any, **extra: Any) -> None:
        if isinstance(values, tuple):
            median, low, high, n = values
            mean = np.nan
        else:
            median, low, high, n = summarise(values)
            kept = np.asarray(values, dtype=float)
            kept = kept[~np.isnan(kept)]
            mean = float(np.mean(kept)) if kept.size else np.nan
        row: dict[str, Any] = {
            "scenario": scenario,
            "base": base,
            "measure": measure,
            "label": label,
            "scale": scale,
            "unit": unit,
            "releases_per_year": np.nan,
            "mean": mean,
            "median": median,
            "low": low,
            "high": high,
            "n_draws": n,
            "prob_net_benefit_positive": prob if measure == "net_present_value" else np.nan,
            "covers": covers,
            "note": "",
        }
        row.update(extra)
        if n < draws and not row["note"]:
            row["note"] = f"{draws - n} of {draws} draws left out: undefined there"
        rows.append(row)

    for key, label, unit in _SCALED:
        total = paired[key].to_numpy()
        add(key, label, PER_100, unit, 100.0 * _ratio(total, released))
        add(key, label, PER_PARTICIPANT, unit, _ratio(total, participants))
    benefits, programme = paired["benefits"].to_numpy(), paired["programme_cost"].to_numpy()
    add(
        "benefit_cost_ratio",
        "Benefit-cost ratio: benefits per EUR of programme cost",
        "ratio",
        "EUR per EUR",
        _ratio(benefits, programme),
        note=f"only where the programme costs more than the base; {int((programme <= 0).sum())} "
        f"of {draws} draws left out"
        if np.any(programme <= 0)
        else "",
    )
    net_cost = paired["taxpayer_net_cost"].to_numpy()
    for key, what in (("terror", "terrorism offence"), ("reoffences", "proven reoffence")):
        prevented = paired[f"{key}_prevented_pv"].to_numpy()
        some = prevented > 0
        expected = float(np.mean(prevented)) if prevented.size else np.nan
        left_out = f"{int((~some).sum())} of {draws} draws prevented none (left out)"
        add(
            f"cost_per_{'terror' if key == 'terror' else 'reoffence'}_prevented",
            f"Net cost to taxpayers per {what} prevented",
            "ratio",
            f"EUR per {what} (both discounted)",
            _ratio(net_cost, prevented),
            # the expected cost per expected offence prevented (every draw counts: rare
            # offences leave most draws preventing none), where some are prevented on average
            mean=float(np.mean(net_cost)) / expected if expected > 0 else np.nan,
            note="mean: the mean net cost over the mean offences prevented, all draws; median "
            "and range: of the draws that prevented any" + ("" if some.all() else f" ({left_out})"),
        )
    for key, column, what in (
        ("terror", "terror_offences", "terrorism offences"),
        ("reoffences", "reoffences", "proven reoffences"),
    ):
        base_n, other_n = paired[f"base_{column}"].to_numpy(), paired[f"other_{column}"].to_numpy()
        add(
            f"relative_change_{key}",
            f"Relative change in {what}",
            "percent",
            "% of the base",
            100.0 * _ratio(other_n - base_n, base_n),
        )
        per_100 = 100.0 * _ratio(paired[f"{key}_prevented"].to_numpy(), released)
        median, low, high, n = summarise(per_100)
        add(
            f"releases_per_{'terror' if key == 'terror' else 'reoffence'}_prevented",
            f"Releases served per {what[:-1]} prevented (NNT; negative: per one added, NNH)",
            "ratio",
            "releases",
            (*_reciprocal(median, low, high), n),
            note="100 over each percentile of the offences prevented per 100 releases; where "
            "that range includes 0, this one runs from low through infinity to high",
        )
        per_release = _ratio(paired[f"{key}_prevented_extremist"].to_numpy(), participants)
        for label, releases in releases_per_year.items():
            add(
                f"{key}_prevented_per_year",
                f"{what.capitalize()} prevented a year, {label}",
                "per year",
                "offences a year",
                float(releases) * per_release,
                releases_per_year=float(releases),
                note=f"{releases:g} terrorist prisoners released a year ({label}), times the "
                "offences prevented per extremist-cohort release over the run's follow-up",
            )
    for column, what in (("terror", "a terrorism offence"), ("any", "any proven reoffence")):
        p_base, p_other = paired[f"base_p_{column}"], paired[f"other_p_{column}"]
        add(
            f"evaluation_size_{column}",
            f"People per arm of a real evaluation to detect the change in {what}",
            "per arm",
            "people released, extremist cohort",
            evaluation_size(p_base.to_numpy(), p_other.to_numpy()),
            note="two-arm trial, 80 % power, 5 % two-sided, the simulated shares of the "
            "extremist cohort at the comparison's follow-up; inf: equal shares, never detected",
        )
    return pd.DataFrame(rows, columns=BENEFIT_COST_COLUMNS)


def _paired_runs(arms: pd.DataFrame, base: str, other: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The base's and ``other``'s arm values on the replications both have, in one order."""
    mine = arms[arms["scenario"] == other].set_index("replication")
    theirs = arms[arms["scenario"] == base].set_index("replication")
    common = sorted(set(mine.index) & set(theirs.index))
    return theirs.loc[common].reset_index(), mine.loc[common].reset_index()


def benefit_cost_table(
    arms: pd.DataFrame,
    base: str,
    *,
    covers: str | None = None,
    releases_per_year: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each scenario of ``arms`` (:func:`arm_values`) against ``base``, paired by replication.

    Returns:
        ``(table, paired)``: the summary (:data:`BENEFIT_COST_COLUMNS`, scenarios in order of
        appearance) and every draw's paired values with ``scenario`` and ``replication``.
    """
    names = [n for n in dict.fromkeys(arms["scenario"].astype(str)) if n != base]
    tables, draws = [], []
    for name in names:
        b, o = _paired_runs(arms, base, name)
        paired = paired_values(b, o)
        text = covers if covers is not None else COVERS_CHANCE.format(n=len(paired))
        tables.append(
            summarise_scenario(
                paired,
                scenario=name,
                base=base,
                covers=text,
                releases_per_year=releases_per_year,
            )
        )
        draws.append(paired.assign(scenario=name, replication=b["replication"].to_numpy()))
    table = (
        pd.concat(tables, ignore_index=True)
        if tables
        else pd.DataFrame(columns=BENEFIT_COST_COLUMNS)
    )
    return table, pd.concat(draws, ignore_index=True) if draws else pd.DataFrame()


# ---------------------------------------------------------------------- acceptability


def net_benefit_matrix(paired: pd.DataFrame, wtp: float, base: str = "base") -> pd.DataFrame:
    """Per draw (rows) and scenario (columns, the base first at 0), the net benefit at a
    willingness to pay ``wtp`` (EUR) per terrorism offence prevented::

        wtp * terrorism offences prevented (discounted)
            - (net cost to taxpayers - costs of other offences avoided)

    At ``wtp`` equal to the unit cost of a terrorism offence this is the net present value.
    ``paired`` is :func:`benefit_cost_table`'s second table (``scenario``, ``replication``).
    """
    effect, cost = effect_and_cost(paired, base)
    return wtp * effect - cost


def effect_and_cost(paired: pd.DataFrame, base: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per run (rows) and scenario (columns, the base first at 0): terrorism offences prevented
    (discounted) and the cost net of other offences avoided, the two axes of the
    cost-effect plane and of the acceptability curve."""
    cost = paired["taxpayer_net_cost"] - (
        paired["victim_benefit"] - paired["victim_benefit_terror"]
    )
    frame = paired.assign(_cost=cost)
    effect = frame.pivot(index="replication", columns="scenario", values="terror_prevented_pv")
    costs = frame.pivot(index="replication", columns="scenario", values="_cost")
    names = list(dict.fromkeys(paired["scenario"]))
    effect, costs = effect[names], costs[names]
    effect.insert(0, base, 0.0)
    costs.insert(0, base, 0.0)
    return effect, costs


def acceptability_curve(
    effect: np.ndarray | pd.DataFrame,
    cost: np.ndarray | pd.DataFrame,
    wtp: Sequence[float] | np.ndarray,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Cost-effectiveness acceptability curve: at each willingness to pay, the share of draws
    in which each scenario has the highest net benefit ``wtp * effect - cost``.

    Args:
        effect, cost: draws (rows) by scenarios (columns), paired by row; the base is a column
            of zeros if it is to be a choice.
        wtp: willingness to pay per unit of effect.
        names: scenario names (default: the columns of a DataFrame).

    Returns:
        ``wtp, scenario, probability``; at each ``wtp`` the probabilities sum to 1 (a tie goes
        to the scenario listed first).
    """
    if names is None:
        names = list(effect.columns) if isinstance(effect, pd.DataFrame) else None
    e, c = np.asarray(effect, dtype=float), np.asarray(cost, dtype=float)
    if e.shape != c.shape or e.ndim != 2:
        raise ValueError(f"effect and cost must be draws x scenarios alike: {e.shape}, {c.shape}")
    names = list(names) if names is not None else [f"scenario {k}" for k in range(e.shape[1])]
    rows = []
    for w in wtp:
        best = np.argmax(float(w) * e - c, axis=1)
        share = np.bincount(best, minlength=e.shape[1]) / e.shape[0]
        rows += [(float(w), name, float(p)) for name, p in zip(names, share, strict=True)]
    return pd.DataFrame(rows, columns=["wtp", "scenario", "probability"])


def default_wtp(valuation: Valuation) -> np.ndarray:
    """Willingness to pay per terrorism offence prevented for the curve: 0, then EUR 10,000 to
    100 million on a log scale, and the valuation's own unit cost."""
    grid = np.concatenate(([0.0], np.geomspace(1e4, 1e8, 33), [valuation.terrorism_offence]))
    return np.unique(grid)


# ---------------------------------------------------------------------- all of it


@dataclass(frozen=True)
class BenefitCost:
    """The benefit-cost analysis of a comparison.

    Attributes:
        valuation: the unit values and discount rate used.
        arms: :func:`arm_values` of every scenario and replication.
        paired: every draw's :func:`paired_values`, with ``scenario`` and ``replication``.
        table: the summary (:data:`BENEFIT_COST_COLUMNS`), ``benefit_cost.csv``.
        acceptability: :func:`acceptability_curve` of every scenario, the base included.
    """

    valuation: Valuation
    base: str
    arms: pd.DataFrame
    paired: pd.DataFrame
    table: pd.DataFrame
    acceptability: pd.DataFrame


def benefit_cost(
    people: pd.DataFrame,
    timeseries: pd.DataFrame,
    base: str,
    valuation: Valuation,
    *,
    years: float = 3.0,
    releases_per_year: Mapping[str, float] | None = None,
    covers: str | None = None,
) -> BenefitCost:
    """The benefit-cost analysis of a comparison's tables: every scenario against ``base``,
    paired by replication; ``years`` is the follow-up of the evaluation sizes."""
    arms = arm_values(people, timeseries, valuation, years)
    table, paired = benefit_cost_table(
        arms, base, covers=covers, releases_per_year=releases_per_year
    )
    if paired.empty:
        curve = pd.DataFrame(columns=["wtp", "scenario", "probability"])
    else:
        effect, cost = effect_and_cost(paired, base)
        curve = acceptability_curve(effect, cost, default_wtp(valuation))
    return BenefitCost(valuation, base, arms, paired, table, curve)


def resolve_releases_per_year(
    given: Mapping[str, float] | str | None, country: Country | None = None
) -> tuple[dict[str, float], dict[str, str]]:
    """The terrorist prisoners released a year behind a comparison's figures a year, as
    ``({label: releases}, {label: where the figure comes from})``: ``given`` (a mapping, or the
    text of ``--releases-per-year``) if any; else the base scenario's ``country`` (a country
    preset, or a scenario inheriting from one); else every preset of :data:`RELEASE_PRESETS`."""
    if isinstance(given, str):
        given = parse_releases_per_year(given)
    if given is not None:
        releases = {str(k): float(v) for k, v in given.items()}
        named = {c.name: c.source for c in country_presets().values()}
        sources = {
            k: RELEASE_PRESETS[k][1]
            if k in RELEASE_PRESETS
            else named.get(k, "given for this comparison")
            for k in releases
        }
        return releases, sources
    if country is not None:
        return {country.name: country.releases_per_year}, {country.name: country.source}
    return (
        {k: v for k, (v, _) in RELEASE_PRESETS.items()},
        {k: text for k, (_, text) in RELEASE_PRESETS.items()},
    )


def country_presets() -> dict[str, Country]:
    """The shipped scenarios with a ``[country]`` table (the country presets), by name."""
    from ..scenario import load_scenario, shipped_scenarios

    found = {name: load_scenario(path).country for name, path in shipped_scenarios().items()}
    return {name: country for name, country in found.items() if country is not None}


def parse_releases_per_year(text: str) -> dict[str, float]:
    """``--releases-per-year``: comma-separated preset names (:data:`RELEASE_PRESETS`), country
    presets' names (``england_wales``: its ``[country]`` figure, labelled by the country) or
    positive numbers; raises ValueError saying what is allowed."""
    out: dict[str, float] = {}
    countries: dict[str, Country] | None = None
    for item in (part.strip() for part in text.split(",")):
        if item.lower() in RELEASE_PRESETS:
            out[item.lower()] = RELEASE_PRESETS[item.lower()][0]
            continue
        try:
            value = float(item)
        except ValueError:
            value = np.nan
        if not (np.isfinite(value) and value > 0):
            countries = country_presets() if countries is None else countries
            if item.lower() in countries:
                country = countries[item.lower()]
                out[country.name] = country.releases_per_year
                continue
            allowed = list(dict.fromkeys([*RELEASE_PRESETS, *countries]))
            hint = did_you_mean(item.lower(), allowed)
            raise ValueError(
                f"--releases-per-year: {item!r} is neither a positive number nor a preset "
                f"({', '.join(allowed)}){'; ' + hint if hint else ''}"
            )
        out[f"{value:g} releases a year"] = value
    return out
