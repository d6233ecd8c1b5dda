"""Scenarios compared on common random numbers.

:func:`comparable_scenarios` checks that scenarios can be paired and gives them one seed,
:func:`run_comparison` runs them (replications ``0 .. R-1`` of each),
:func:`replication_levels` measures each replication (Kaplan-Meier incidence, end-of-run states,
costs) and :func:`comparison_table` pairs every scenario's replications with the base's. The
statistics are the pure functions :func:`paired_difference` and :func:`replications_needed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..model.agents import IN_COMMUNITY, AgencyKind
from ..model.outcomes import COST_INDICATORS, EVENT_OUTCOMES, FOLLOW_UP_YEARS
from ..model.population import WEEKS_PER_YEAR
from ..scenario import Scenario, ScenarioError
from .experiment import concat_tables, run_scenario, worker_pool
from .measures import END_STATES, FOLLOW_UP_STATES, EndState, Measure, measure, outcome_key
from .survival import COHORTS, SURVIVAL_YEARS, cumulative_incidence, event_durations

__all__ = [
    "COMPARISON_COLUMNS",
    "END_STATES",
    "EndState",
    "Measure",
    "PairedDifference",
    "comparable_scenarios",
    "comparison_table",
    "end_state_value",
    "main_follow_up",
    "measure",
    "paired_difference",
    "released_among",
    "replication_levels",
    "replications_needed",
    "run_comparison",
]


@dataclass(frozen=True)
class PairedDifference:
    """Mean of paired differences (other minus base, replication by replication) with a
    t-based interval.

    Attributes:
        n: pairs used (replications where both values are finite).
        mean: mean difference.
        sd: standard deviation of the differences (``ddof=1``; NaN below 2 pairs).
        lower, upper: the interval's bounds (NaN below 2 pairs).
        confidence: the interval's level.
    """

    n: int
    mean: float
    sd: float
    lower: float
    upper: float
    confidence: float = 0.95

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly above or below 0 (distinguishable from noise)."""
        return bool(self.lower > 0.0 or self.upper < 0.0)


def paired_difference(
    base: Sequence[float] | np.ndarray,
    other: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
) -> PairedDifference:
    """Mean of ``other[r] - base[r]`` over replications ``r`` with its t interval.

    ``mean +- t(1 - (1 - confidence) / 2, n - 1) * sd / sqrt(n)`` (scipy.stats.t), over the
    pairs where both values are finite. Identical inputs give exactly 0 with a zero-width
    interval; fewer than 2 pairs give NaN bounds.
    """
    from scipy import stats

    base = np.asarray(base, dtype=float)
    other = np.asarray(other, dtype=float)
    if base.shape != other.shape:
        raise ValueError(f"paired values differ in shape: {base.shape} and {other.shape}")
    diffs = (other - base)[np.isfinite(base) & np.isfinite(other)]
    n = int(diffs.size)
    if n == 0:
        return PairedDifference(0, np.nan, np.nan, np.nan, np.nan, confidence)
    mean = float(diffs.mean())
    if n < 2:
        return PairedDifference(n, mean, np.nan, np.nan, np.nan, confidence)
    sd = float(diffs.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * sd / np.sqrt(n)
    return PairedDifference(n, mean, sd, mean - half, mean + half, confidence)


def replications_needed(
    sd: float,
    difference: float,
    power: float = 0.8,
    confidence: float = 0.95,
    *,
    exact: bool = True,
) -> float:
    """Replications needed to detect a mean paired difference of ``difference`` with ``power``.

    Starts from the normal approximation ``n = ((z(1 - alpha/2) + z(power)) * sd / |d|) ** 2``
    (with the defaults ``((1.96 + 0.84) * sd / |d|) ** 2``), rounded up and at least 2. With
    ``exact`` (the default) it then takes the smallest ``n`` from there on with
    ``(t(1 - alpha/2, n - 1) + t(power, n - 1)) * sd / sqrt(n) <= |d|``: the same rule with the
    t quantiles of the interval actually used, which adds a replication or a few where the
    normal approximation asks for few.

    Returns ``inf`` for a difference of 0 and NaN when ``sd`` or ``difference`` is not finite.
    """
    from scipy import stats

    if not (np.isfinite(sd) and np.isfinite(difference)):
        return float("nan")
    if difference == 0:
        return float("inf")
    size = abs(difference)
    z = float(stats.norm.ppf(0.5 + confidence / 2.0) + stats.norm.ppf(power))
    approximate = (z * sd / size) ** 2
    if not approximate < 1e9:  # beyond any run (and beyond the t quantiles' integer range)
        return float(max(2.0, np.ceil(approximate)))
    n = max(2, int(np.ceil(approximate - 1e-9)))
    if exact and sd > 0:
        for _ in range(10_000):
            t = stats.t.ppf(0.5 + confidence / 2.0, n - 1) + stats.t.ppf(power, n - 1)
            if t * sd / np.sqrt(n) <= size:
                break
            n += 1
    return float(n)


# ---------------------------------------------------------------------- comparison


def comparable_scenarios(
    scenarios: Sequence[Scenario], seed: int | None = None
) -> tuple[list[Scenario], int]:
    """Check that ``scenarios`` (base first) can be compared and give them one root seed.

    Common random numbers need the same seed, the same replication indices and the same
    people: the scenarios must number at least two, have distinct names, and share the horizon,
    every population parameter, and the number of communities and ties between people. The
    common seed is ``seed`` if given, else the base's.

    Returns:
        the scenarios with the common seed, and that seed.

    Raises:
        ScenarioError: naming what is wrong.
    """
    if len(scenarios) < 2:
        raise ScenarioError(
            f"compare needs at least two scenarios (BASE and one OTHER); got {len(scenarios)}"
        )
    seen: dict[str, Scenario] = {}
    for scenario in scenarios:
        if scenario.name in seen:
            where = [s.source_path or "(unsaved)" for s in (seen[scenario.name], scenario)]
            raise ScenarioError(
                f"two scenarios are named {scenario.name!r} ({where[0]} and {where[1]}); "
                "give each a distinct name (in a file: name = ...; in Python: "
                "scenario.with_overrides({'name': ...}))"
            )
        seen[scenario.name] = scenario
    base = scenarios[0]
    for other in scenarios[1:]:
        if other.horizon_weeks != base.horizon_weeks:
            raise ScenarioError(
                f"{other.source_path or other.name}: horizon_weeks {other.horizon_weeks} differs "
                f"from the base's {base.horizon_weeks}; paired scenarios must share the horizon"
            )
        # who the people are: every population parameter, and the communities and ties they
        # are drawn into (policy levers elsewhere may differ freely)
        people_defining = [
            ("population", name) for name in type(base.parameters.population).model_fields
        ] + [("community", "n_communities"), ("community", "peer_degree")]
        for group, field in people_defining:
            mine = getattr(getattr(other.parameters, group), field)
            theirs = getattr(getattr(base.parameters, group), field)
            if mine != theirs:
                raise ScenarioError(
                    f"{other.source_path or other.name}: {group}.{field} {mine} differs from "
                    f"the base's {theirs}; paired scenarios must simulate the same people"
                )
    common = base.seed if seed is None else int(seed)
    return [s.with_seed(common) for s in scenarios], common


def run_comparison(
    scenarios: Sequence[Scenario],
    replications: int,
    workers: int = 1,
    progress: bool = True,
    executor: Executor | None = None,
    on_result: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every scenario with :func:`run_scenario` (replications ``0 .. replications-1``) and
    concatenate their tables, scenario by scenario in the order given.

    The scenarios should come from :func:`comparable_scenarios` (one seed). With ``workers`` > 1
    one pool of processes serves every scenario. The tables do not depend on ``workers``.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1 (got {workers})")

    def run_all(pool: Executor | None) -> tuple[pd.DataFrame, pd.DataFrame]:
        series, people = [], []
        for scenario in scenarios:
            ts, pp = run_scenario(
                scenario,
                replications,
                workers=1,
                progress=progress,
                executor=pool,
                on_result=on_result,
            )
            series.append(ts)
            people.append(pp)
        return concat_tables(series), concat_tables(people)

    if executor is not None or workers == 1:
        return run_all(executor)
    with worker_pool(min(workers, replications * len(scenarios))) as pool:
        return run_all(pool)


def replication_levels(
    people: pd.DataFrame,
    timeseries: pd.DataFrame | None = None,
    years: Iterable[float] = SURVIVAL_YEARS,
) -> pd.DataFrame:
    """What each replication of each scenario measured, the inputs of paired differences.

    Per scenario, replication and cohort (``extremist``, ``comparison``; costs and counts also
    ``all``):

    * ``event``: 100 x the Kaplan-Meier cumulative incidence of each event outcome ``years``
      after first release (per 100 releases; NaN where not identified);
    * ``state``: each of :data:`END_STATES` at the end of the run among the released people
      (shares per 100 released people, indices as means on a 0-100 scale);
    * ``count``: people released, proven reoffences in the whole run (``n_reoffences``);
      for ``all`` also custody place-weeks and practitioner-years (from ``timeseries``);
    * ``cost`` (``all`` only, needs ``timeseries``): custody, staff, intervention and total
      cost of weeks 1 to the horizon (EUR), and the total cost per 100 releases.

    Returns:
        tidy: ``scenario, replication, cohort, kind, outcome, years, value`` (``years`` NaN
        for everything but events), in a fixed row order.
    """
    years = tuple(float(y) for y in years)
    rows: list[tuple[str, int, str, str, str, float, float]] = []
    released_by_key: dict[tuple[str, int], int] = {}
    for (scenario, replication), group in people.groupby(
        [people["scenario"].astype(str), "replication"], sort=False
    ):
        key = (str(scenario), int(replication))
        for cohort, kind, outcome, year, value in _replication_rows(group, years):
            rows.append((*key, cohort, kind, outcome, year, value))
        released_by_key[key] = int(np.count_nonzero(group["followup_weeks"].to_numpy() >= 0))
    if timeseries is not None:
        for key, sums in _cost_sums(timeseries).items():
            if key not in released_by_key:
                continue
            released = released_by_key[key]
            values = {name: sums[name] for name in COST_INDICATORS[:4]}
            values["cost_per_100_releases"] = (
                100.0 * sums["cost_total"] / released if released else np.nan
            )
            for name, value in values.items():
                rows.append((*key, "all", "cost", name, np.nan, value))
            rows.append((*key, "all", "count", "custody_weeks", np.nan, sums["custody"]))
            practitioner_years = sums["practitioners"] / WEEKS_PER_YEAR
            rows.append((*key, "all", "count", "practitioner_years", np.nan, practitioner_years))
            weeks = sums.get("weeks", np.nan)
            for name in _WAITING:
                if name in sums:
                    rows.append((*key, "all", "count", name, np.nan, sums[name] / weeks))
    return pd.DataFrame(rows, columns=_LEVEL_COLUMNS)


def released_among(people: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Who of a people table was ever released, and the groups an :class:`EndState` is counted
    among at the end of the run (``alive``; ``community``: out of custody)."""
    phase = people["phase_end"].astype(str).to_numpy()
    in_community = [p.name.lower() for p in IN_COMMUNITY]
    among = {"alive": phase != "dead", "community": np.isin(phase, in_community)}
    return people["followup_weeks"].to_numpy() >= 0, among


def end_state_value(people: pd.DataFrame, state: EndState, counted: np.ndarray) -> float:
    """An end state on its reporting scale among the ``counted`` rows (NaN if nobody)."""
    values = people[state.column].to_numpy()[counted].astype(float)
    return state.scale * float(values.mean()) if values.size else np.nan


def follow_up_value(
    people: pd.DataFrame, state: EndState, years: int, counted: np.ndarray
) -> float:
    """A state ``years`` after first release on its reporting scale, among the ``counted`` rows
    released at least that long before the horizon and then ``alive`` (or in the
    ``community``, as :class:`EndState` says); NaN if nobody."""
    among = people[f"{state.among}_{years}y"].to_numpy() == 1.0  # NaN (not reached) is False
    values = people[f"{state.key}_{years}y"].to_numpy()[counted & among].astype(float)
    return state.scale * float(values.mean()) if values.size else np.nan


def _replication_rows(
    group: pd.DataFrame, years: tuple[float, ...]
) -> Iterator[tuple[str, str, str, float, float]]:
    """``(cohort, kind, outcome, years, value)`` of one replication's people table."""
    weeks = [y * WEEKS_PER_YEAR for y in years]
    cohort_of = group["cohort"].astype(str).to_numpy()
    released, among = released_among(group)
    reoffences = group["n_reoffences"].to_numpy()
    for cohort in COHORTS:
        in_cohort = cohort_of == cohort
        members = group[in_cohort]
        for outcome in EVENT_OUTCOMES:
            durations, event = event_durations(members, outcome)
            incidence = cumulative_incidence(durations, event, weeks)
            for year, value in zip(years, incidence, strict=True):
                yield cohort, "event", outcome.key, year, 100.0 * float(value)
        for state in END_STATES:
            value = end_state_value(group, state, in_cohort & released & among[state.among])
            yield cohort, "state", state.key, np.nan, value
        for after in FOLLOW_UP_YEARS:
            for state in FOLLOW_UP_STATES:
                value = follow_up_value(group, state, after, in_cohort)
                yield cohort, "state", state.key, float(after), value
        yield cohort, "count", "released", np.nan, float(np.count_nonzero(in_cohort & released))
        yield cohort, "count", "reoffences", np.nan, float(reoffences[in_cohort].sum())
    yield "all", "count", "released", np.nan, float(np.count_nonzero(released))
    yield "all", "count", "reoffences", np.nan, float(reoffences.sum())


_LEVEL_COLUMNS = ["scenario", "replication", "cohort", "kind", "outcome", "years", "value"]


#: weekly waiting-list indicators summarised as a mean over the weeks in ``compare``
_WAITING = tuple(f"waiting_{kind.value}" for kind in AgencyKind)


def _cost_sums(timeseries: pd.DataFrame) -> dict[tuple[str, int], dict[str, float]]:
    """Per scenario and replication: each cost, custody place-weeks and practitioner-weeks
    summed over weeks 1 to the horizon (week 0 is the start)."""
    wanted = {*COST_INDICATORS[:4], "in_custody", "practitioners", *_WAITING}
    rows = timeseries[
        (timeseries["cohort"].astype(str) == "all")
        & timeseries["indicator"].astype(str).isin(wanted)
        & (timeseries["week"] >= 1)
    ]
    if rows.empty:
        return {}
    sums = rows.groupby(
        [rows["scenario"].astype(str), "replication", rows["indicator"].astype(str)], sort=False
    )["value"].agg(["sum", "count"])
    out: dict[tuple[str, int], dict[str, float]] = {}
    for (scenario, replication, indicator), (value, weeks) in sums.iterrows():
        name = {"in_custody": "custody"}.get(indicator, indicator)
        values = out.setdefault((str(scenario), int(replication)), {})
        values[name] = float(value)
        values["weeks"] = float(weeks)
    return {
        key: values for key, values in out.items() if all(k in values for k in COST_INDICATORS[:4])
    }


#: columns of :func:`comparison_table`
COMPARISON_COLUMNS = [
    "scenario",
    "key",
    "cohort",
    "kind",
    "outcome",
    "label",
    "years",
    "unit",
    "direction",
    "n_replications",
    "level",
    "level_lower",
    "level_upper",
    "difference",
    "sd",
    "lower",
    "upper",
    "excludes_zero",
    "replications_needed",
    "detectable_difference",
    "replications_for_detectable",
    "note",
]


def comparison_table(
    levels: pd.DataFrame,
    base: str,
    *,
    detectable: float | None = 1.0,
    confidence: float = 0.95,
    power: float = 0.8,
) -> pd.DataFrame:
    """Pair each scenario's replications with the base's and summarise.

    Args:
        levels: :func:`replication_levels` of every scenario (same replication indices).
        base: the base scenario's name.
        detectable: a stated difference (per 100 people, for the rows counted per 100) for
            which the replications needed are also given; None leaves it out.
        confidence: level of the intervals.
        power: power of the replications-needed figures.

    Returns:
        one row per scenario (base first, then in order of appearance) and measure
        (:data:`COMPARISON_COLUMNS`): ``level`` is the mean over replications with its
        t interval (``level_lower``, ``level_upper``); ``difference`` the mean paired difference
        from the base with ``sd`` and t interval (``lower``, ``upper``), ``excludes_zero``
        whether that interval lies wholly on one side of 0; ``replications_needed`` how many
        replications would detect a difference of the observed size with ``power`` (only where
        the interval includes 0) and ``replications_for_detectable`` the same for
        ``detectable_difference``. Base rows have no difference. Last, per other scenario,
        the extra cost per reoffence prevented (difference in total cost over the number of
        proven reoffences prevented, both mean paired differences from the base; NaN with a
        note when none are prevented).
    """
    names = list(dict.fromkeys(levels["scenario"].astype(str)))
    if base not in names:
        raise ValueError(f"base scenario {base!r} is not among {names}")
    names = [base, *(n for n in names if n != base)]
    table = levels.assign(scenario=levels["scenario"].astype(str))
    rows: list[dict[str, Any]] = []
    for (cohort, kind, outcome, year), group in table.groupby(
        ["cohort", "kind", "outcome", "years"], dropna=False, sort=False
    ):
        info = measure(str(kind), str(outcome))
        wide = group.pivot(index="replication", columns="scenario", values="value")
        wide = wide.reindex(columns=names)
        base_values = wide[base].to_numpy()
        for name in names:
            values = wide[name].to_numpy()
            level = paired_difference(np.zeros_like(values), values, confidence)
            row: dict[str, Any] = {
                "scenario": name,
                "key": outcome_key(
                    str(cohort), str(kind), str(outcome), None if kind != "event" else year
                ),
                "cohort": cohort,
                "kind": kind,
                "outcome": outcome,
                "label": info.label,
                "years": year,
                "unit": info.unit,
                "direction": info.direction,
                "n_replications": level.n,
                "level": level.mean,
                "level_lower": level.lower,
                "level_upper": level.upper,
                "difference": np.nan,
                "sd": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "excludes_zero": False,
                "replications_needed": np.nan,
                "detectable_difference": np.nan,
                "replications_for_detectable": np.nan,
                "note": "",
            }
            if level.n == 0:
                row["note"] = (
                    "not identified: nobody followed up this long"
                    if kind == "event"
                    else "nobody to count"
                )
            elif name == base:
                row["note"] = "base scenario"
            else:
                diff = paired_difference(base_values, values, confidence)
                row.update(
                    difference=diff.mean,
                    sd=diff.sd,
                    lower=diff.lower,
                    upper=diff.upper,
                    excludes_zero=diff.excludes_zero,
                    n_replications=diff.n,
                )
                if diff.n >= 2 and not diff.excludes_zero:
                    if diff.sd == 0 and diff.mean == 0:
                        row["note"] = "no difference in any replication"
                    else:
                        row["replications_needed"] = replications_needed(
                            diff.sd, diff.mean, power, confidence
                        )
                if info.per_100 and detectable is not None and diff.n >= 2:
                    row["detectable_difference"] = float(detectable)
                    row["replications_for_detectable"] = replications_needed(
                        diff.sd, detectable, power, confidence
                    )
            rows.append(row)
    rows += _cost_per_reoffence_prevented(rows, names)
    order = {name: i for i, name in enumerate(names)}
    out = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    out["_order"] = out["scenario"].map(order)
    out = out.sort_values("_order", kind="stable").drop(columns="_order")
    out["replications_needed"] = out["replications_needed"].replace(np.inf, np.nan)
    return out.reset_index(drop=True)


def _cost_per_reoffence_prevented(rows: list[dict[str, Any]], names: list[str]) -> list[dict]:
    """Rows of the extra cost per proven reoffence prevented, one per scenario."""

    def find(name: str, kind: str, outcome: str) -> dict[str, Any] | None:
        for row in rows:
            if (row["scenario"], row["cohort"], row["kind"], row["outcome"]) == (
                name,
                "all",
                kind,
                outcome,
            ):
                return row
        return None

    info = measure("cost", "cost_per_reoffence_prevented")
    out = []
    for name in names:
        cost, reoffences = find(name, "cost", "cost_total"), find(name, "count", "reoffences")
        if cost is None or reoffences is None:
            continue
        row: dict[str, Any] = dict.fromkeys(COMPARISON_COLUMNS, np.nan)
        row.update(
            scenario=name,
            key=outcome_key("all", "cost", info.key),
            cohort="all",
            kind="cost",
            outcome=info.key,
            label=info.label,
            unit=info.unit,
            direction=info.direction,
            n_replications=cost["n_replications"],
            excludes_zero=False,
            note="base scenario",
        )
        if name != names[0]:
            extra, prevented = cost["difference"], -reoffences["difference"]
            if not prevented > 0:
                row["note"] = (
                    f"no reoffences prevented (difference {reoffences['difference']:+.1f}); "
                    "undefined"
                )
            else:
                row["level"] = extra / prevented
                notes = []
                if extra < 0:
                    notes.append("saves money and prevents reoffences")
                if not reoffences["excludes_zero"]:
                    notes.append("reoffences prevented not distinguishable from noise")
                notes.append("ratio of mean paired differences; no interval")
                row["note"] = "; ".join(notes)
        out.append(row)
    return out


def main_follow_up(table: pd.DataFrame, preferred: float = 3) -> float:
    """The follow-up year to show: ``preferred`` if the base's event outcomes are identified
    then, else the longest follow-up that is (1 if none)."""
    events = table[(table["kind"] == "event") & table["level"].notna()]
    identified = sorted(set(events["years"].astype(float)))
    if float(preferred) in identified or not identified:
        return float(preferred) if identified else 1.0
    shorter = [y for y in identified if y <= preferred]
    return shorter[-1] if shorter else identified[0]
