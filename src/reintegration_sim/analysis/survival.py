"""Kaplan-Meier summaries of the event outcomes, from first release.

* :func:`survival_table` summarises the event outcomes of a people table as cumulative incidence
  with 95 % intervals (lifelines), the figures the run summary prints and calibration is judged
  against;
* :func:`cumulative_incidence` is the same estimate in numpy, fast enough for one replication at
  a time (comparisons, sweeps);
* :func:`event_durations` turns a people table into durations and event flags.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..model.outcomes import EVENT_OUTCOMES, EventOutcome
from ..model.population import WEEKS_PER_YEAR

__all__ = [
    "COHORTS",
    "SURVIVAL_YEARS",
    "cumulative_incidence",
    "event_durations",
    "survival_table",
]

#: cohorts reported in survival summaries (the pooled "all" is left to the tables)
COHORTS: tuple[str, ...] = ("extremist", "comparison")
#: follow-up years of the survival summary
SURVIVAL_YEARS: tuple[int, ...] = (1, 2, 3, 5)


def event_durations(people: pd.DataFrame, outcome: EventOutcome) -> tuple[np.ndarray, np.ndarray]:
    """Durations (weeks from first release) and event flags of the people ever released.

    The duration is ``weeks_to_<outcome>`` for those with the event (0 = in the week of release)
    and ``followup_weeks`` (to death or the horizon) for the censored.
    """
    released = people["followup_weeks"].to_numpy() >= 0
    weeks_to = people[f"weeks_to_{outcome.key}"].to_numpy()[released]
    followup = people["followup_weeks"].to_numpy()[released]
    event = weeks_to >= 0
    return np.where(event, weeks_to, followup).astype(float), event


def survival_table(
    people: pd.DataFrame,
    outcomes: Iterable[EventOutcome] = EVENT_OUTCOMES,
    years: Iterable[float] = SURVIVAL_YEARS,
) -> pd.DataFrame:
    """Kaplan-Meier cumulative incidence of each event outcome after first release, by cohort.

    Among the people ever released, pooled over replications, per cohort and outcome:
    time is weeks from first release to the first event, censored at death or the horizon
    (``followup_weeks``); the cumulative incidence at ``t`` is ``1 - S(t)`` with ``S`` the
    Kaplan-Meier estimate (lifelines), counting events at ``t`` itself and events in the week
    of release (duration 0). The 95 % interval is lifelines' exponential Greenwood interval.
    Where nobody is followed up to ``t`` the estimate is not identified and is NaN.

    Pooling replications makes the interval that of the model's expected incidence (Monte Carlo
    precision), not the sampling uncertainty of a real cohort of one replication's size.

    Returns:
        one row per cohort, outcome and year: ``cohort, outcome, label, years, weeks,
        n_released, n_events`` (events over the whole follow-up), ``n_events_by`` (events at or
        before ``t``), ``n_at_risk`` (followed up to at least ``t``), ``cum_incidence,
        ci_lower, ci_upper`` (fractions).
    """
    from lifelines import KaplanMeierFitter

    outcomes = tuple(outcomes)
    years = tuple(years)
    rows = []
    for cohort in COHORTS:
        group = people[people["cohort"].astype(str) == cohort]
        for outcome in outcomes:
            durations, event = event_durations(group, outcome)
            fitter = None
            if durations.size:
                fitter = KaplanMeierFitter(alpha=0.05).fit(durations, event)
            for year in years:
                weeks = year * WEEKS_PER_YEAR
                row = {
                    "cohort": cohort,
                    "outcome": outcome.key,
                    "label": outcome.label,
                    "years": year,
                    "weeks": weeks,
                    "n_released": int(durations.size),
                    "n_events": int(event.sum()),
                    "n_events_by": int((event & (durations <= weeks)).sum()),
                    "n_at_risk": int((durations >= weeks).sum()),
                    "cum_incidence": np.nan,
                    "ci_lower": np.nan,
                    "ci_upper": np.nan,
                }
                if fitter is not None and durations.max() >= weeks:
                    surv = _step_at(fitter.survival_function_.iloc[:, 0], weeks)
                    ci = fitter.confidence_interval_survival_function_
                    row["cum_incidence"] = 1.0 - surv
                    row["ci_lower"] = 1.0 - _step_at(ci.iloc[:, 1], weeks)
                    row["ci_upper"] = 1.0 - _step_at(ci.iloc[:, 0], weeks)
                rows.append(row)
    return pd.DataFrame(rows, columns=_SURVIVAL_COLUMNS)


_SURVIVAL_COLUMNS = [
    "cohort",
    "outcome",
    "label",
    "years",
    "weeks",
    "n_released",
    "n_events",
    "n_events_by",
    "n_at_risk",
    "cum_incidence",
    "ci_lower",
    "ci_upper",
]


def _step_at(curve: pd.Series, t: float) -> float:
    """Value of a right-continuous step function (index = times, starting at 0) at ``t``."""
    return float(curve[curve.index <= t].iloc[-1])


def cumulative_incidence(
    durations: np.ndarray, event: np.ndarray, weeks: Iterable[float]
) -> np.ndarray:
    """Kaplan-Meier cumulative incidence ``1 - S(t)`` at each of ``weeks``.

    The same estimate as :func:`survival_table` (lifelines), computed with numpy for one
    replication at a time: events at ``t`` itself count, those censored at ``t`` are at risk at
    ``t``; NaN where nobody is followed up to ``t`` (or nobody at all).
    """
    durations = np.asarray(durations, dtype=float)
    event = np.asarray(event, dtype=bool)
    weeks = np.asarray(tuple(weeks), dtype=float)
    out = np.full(weeks.shape, np.nan)
    if durations.size == 0:
        return out
    times, deaths = np.unique(durations[event], return_counts=True)
    ordered = np.sort(durations)
    at_risk = durations.size - np.searchsorted(ordered, times, side="left")
    survival = np.cumprod(1.0 - deaths / at_risk)
    # S(t) is the product over event times <= t (1 before the first event)
    survival_at = np.concatenate(([1.0], survival))[np.searchsorted(times, weeks, side="right")]
    identified = weeks <= ordered[-1]
    out[identified] = 1.0 - survival_at[identified]
    return out
