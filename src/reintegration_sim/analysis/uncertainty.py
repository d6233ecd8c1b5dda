"""Comparisons over assumptions and chance: joint draws of the priors, common random numbers
within each draw, and what the spread of a policy's effect says.

A comparison with ``--assumption-draws N`` (:func:`plan_draws`, :func:`run_draws`):

* draws the uncertain numbers ``N`` times jointly (:func:`reintegration_sim.priors.draw`, a
  scrambled Halton design). A number is drawn only where every compared scenario has the same
  value for it (a shared assumption); a number the scenarios set differently is the policy
  itself and keeps each scenario's value. A lever's effect sizes are drawn for the scenarios
  that use the lever;
* runs, in draw ``d``, every scenario with replications ``d R .. d R + R - 1``: within a draw
  all scenarios meet the same people and the same random numbers (common random numbers), so a
  difference is the policy's effect under that draw of the assumptions; across draws, chance and
  the assumptions both vary;
* keeps every finished draw in a cache folder, so a killed comparison started again with the
  same plan runs only the draws that are missing; the draws do not depend on the worker count.

:func:`uncertainty_columns` summarises each difference over all draws: its median, a 90 %
interval over assumptions and chance (``total_low``, ``total_high``), the share of its variance
due to the assumptions (the rest is chance: from the spread between a draw's replications) and
the probability that the policy improves the outcome (``prob_better``, over draws; ties count
half). :func:`evppi` gives the expected value of partial perfect information by the regression
method of Strong, Oakley & Brennan (2014), and :func:`drivers` which assumptions explain each
difference.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..keys import LEVER_PREFIX, current_value
from ..priors import draw, resolve_vary, values_for
from ..scenario import Scenario
from .comparison import replication_levels
from .economics import Valuation, arm_values
from .experiment import concat_tables, run_replication
from .measures import measure
from .stopping import check_stop

__all__ = [
    "DEFAULT_DRAW_REPLICATIONS",
    "DrawPlan",
    "drivers",
    "evppi",
    "plan_draws",
    "run_draw",
    "run_draws",
    "uncertainty_columns",
]

#: replications per draw: two let the spread between them measure chance within a draw
DEFAULT_DRAW_REPLICATIONS = 2
#: the central interval reported over assumptions and chance (5 % and 95 % quantiles)
TOTAL_QUANTILES = (0.05, 0.95)


@dataclass
class DrawPlan:
    """Which numbers are drawn, their values per draw, and for which scenarios.

    Attributes:
        keys: the drawn keys, in design order.
        u: the design's probabilities (draws x keys).
        values: the drawn values by key (one array of ``n_draws``).
        applies: per scenario name, the drawn keys that reach it.
        policy: keys the scenarios set differently (not drawn: the policies themselves).
        replications: replications per draw.
        seed: the design's seed (the base scenario's seed).
    """

    keys: list[str]
    u: np.ndarray
    values: dict[str, np.ndarray]
    applies: dict[str, list[str]]
    policy: list[str]
    replications: int
    seed: int

    @property
    def n_draws(self) -> int:
        return int(self.u.shape[0])

    def overrides(self, name: str, d: int) -> dict[str, int | float]:
        """The drawn values scenario ``name`` runs with in draw ``d``."""
        return values_for({k: self.values[k] for k in self.applies[name]}, d)

    def assumptions(self) -> pd.DataFrame:
        """One row per draw, one column per drawn key (``assumptions.parquet``)."""
        return pd.DataFrame({"draw": np.arange(self.n_draws), **self.values})

    def fingerprint(self, scenarios: Sequence[Scenario]) -> str:
        """A hash of everything that fixes the draws' results: scenarios, keys, values,
        replications (a cache made for another plan is never read)."""
        digest = hashlib.sha256()
        for scenario in scenarios:
            digest.update(scenario.model_dump_json().encode())
        digest.update(json.dumps(self.keys).encode())
        digest.update(np.ascontiguousarray(self.u).tobytes())
        digest.update(str(self.replications).encode())
        return digest.hexdigest()[:16]


def _lever_of(key: str) -> str | None:
    return key.split(".")[1] if key.startswith(LEVER_PREFIX + ".") else None


def plan_draws(
    scenarios: Sequence[Scenario],
    n_draws: int,
    vary: Sequence[str] | None = None,
    replications: int = DEFAULT_DRAW_REPLICATIONS,
    posterior: Any = None,
) -> DrawPlan:
    """The draws of a comparison of ``scenarios`` (the first is the base).

    With a ``posterior`` (:class:`~reintegration_sim.analysis.abc.Posterior`), its parameters
    are drawn jointly from its weighted particles (one more coordinate of the design) instead of
    from their priors, for every scenario.

    Raises :class:`~reintegration_sim.priors.PriorError` for a bad ``n_draws`` or ``vary``.
    """
    if replications < 1:
        raise ValueError(f"replications per draw must be at least 1 (got {replications})")
    used = {iv.key for s in scenarios for iv in s.active_interventions()}
    calibrated = list(posterior.keys) if posterior is not None else []
    keys = [k for k in resolve_vary(vary, sorted(used)) if k not in calibrated]
    applies: dict[str, list[str]] = {s.name: [] for s in scenarios}
    drawn: list[str] = []
    policy: list[str] = []
    for key in keys:
        lever = _lever_of(key)
        reached = [
            s
            for s in scenarios
            if lever is None or any(iv.key == lever for iv in s.active_interventions())
        ]
        if not reached:
            continue
        current = {json.dumps(current_value(s, key), default=str) for s in reached}
        if len(current) > 1:
            policy.append(key)
            continue
        drawn.append(key)
        for s in reached:
            applies[s.name].append(key)
    if not drawn and not calibrated:
        from ..priors import PriorError

        raise PriorError(
            "no assumption to draw: every key named differs between the scenarios (a policy)"
        )
    u, values = draw(drawn, n_draws, seed=scenarios[0].seed, extra=1 if calibrated else 0)
    if calibrated:
        values.update(posterior.sample(u[:, -1]))
        drawn += calibrated
        for s in scenarios:
            applies[s.name] += calibrated
    return DrawPlan(
        drawn,
        u,
        values,
        applies,
        policy,
        replications,
        scenarios[0].seed,
    )


def run_draw(
    scenarios: Sequence[Scenario],
    overrides: Sequence[Mapping[str, Any]],
    d: int,
    replications: int,
    years: float = 3.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw ``d``: every scenario with its drawn values, replications ``d R .. d R + R - 1``
    (the same for all scenarios). Returns the :func:`replication_levels` rows and the
    :func:`~reintegration_sim.analysis.economics.arm_values` rows (valued with the base's
    ``costs`` group of this draw, whose unit costs may be drawn too), each with a ``draw``
    column."""
    people, series = [], []
    valuation = None
    for scenario, values in zip(scenarios, overrides, strict=True):
        configured = scenario.with_overrides(dict(values)) if values else scenario
        if valuation is None:
            valuation = Valuation.from_costs(configured.parameters.costs)
        for r in range(d * replications, (d + 1) * replications):
            result = run_replication(configured, r)
            people.append(result.people)
            series.append(result.timeseries)
    assert valuation is not None  # at least one scenario
    people_all, series_all = concat_tables(people), concat_tables(series)
    levels = replication_levels(people_all, series_all)
    levels.insert(0, "draw", d)
    arms = arm_values(people_all, series_all, valuation, years)
    arms.insert(0, "draw", d)
    return levels, arms


def run_draws(
    plan: DrawPlan,
    scenarios: Sequence[Scenario],
    cache: Path,
    executor: Executor | None = None,
    on_done: Callable[[int], None] | None = None,
    window: int = 64,
    years: float = 3.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every draw of ``plan``, each kept in ``cache`` as it finishes (``draw-NNNNN.parquet``
    and ``arms-NNNNN.parquet``); draws already there are read, not run again. Returns all
    levels and all arm values (:func:`run_draw`), in draw order."""
    cache.mkdir(parents=True, exist_ok=True)
    done = {int(p.stem.split("-")[1]) for p in cache.glob("draw-*.parquet")}
    todo = [d for d in range(plan.n_draws) if d not in done]

    def args(d: int) -> tuple[Any, ...]:
        overrides = [plan.overrides(s.name, d) for s in scenarios]
        return (scenarios, overrides, d, plan.replications, years)

    def keep(d: int, tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
        levels, arms = tables
        arms.to_parquet(cache / f"arms-{d:05d}.parquet", index=False)
        part = cache / f"draw-{d:05d}.parquet"
        staging = part.with_suffix(".tmp")
        levels.to_parquet(staging, index=False)
        staging.replace(part)  # written last: a draw is complete when its part exists
        if on_done is not None:
            on_done(d)

    if executor is None:
        for d in todo:
            check_stop()
            keep(d, run_draw(*args(d)))
    else:
        pending: dict[Future[tuple[pd.DataFrame, pd.DataFrame]], int] = {}
        queue = iter(todo)
        try:
            while True:
                for d in queue:
                    pending[executor.submit(run_draw, *args(d))] = d
                    if len(pending) >= window:
                        break
                if not pending:
                    break
                # wake up now and then, so a stop signal is seen while draws run
                finished, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                check_stop()
                for future in finished:
                    keep(pending.pop(future), future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    parts = [pd.read_parquet(cache / f"draw-{d:05d}.parquet") for d in range(plan.n_draws)]
    arms = [pd.read_parquet(cache / f"arms-{d:05d}.parquet") for d in range(plan.n_draws)]
    return pd.concat(parts, ignore_index=True), pd.concat(arms, ignore_index=True)


_KEYS = ["cohort", "kind", "outcome", "years"]


def paired_draw_differences(levels: pd.DataFrame, base: str) -> pd.DataFrame:
    """Each scenario's value minus the base's, run by run (same draw and replication)."""
    table = levels.assign(scenario=levels["scenario"].astype(str))
    base_rows = table[table["scenario"] == base].drop(columns="scenario")
    others = table[table["scenario"] != base]
    merged = others.merge(
        base_rows, on=["draw", "replication", *_KEYS], suffixes=("", "_base")
    )  # pandas matches the NaN years of non-event rows with each other
    merged["difference"] = merged["value"] - merged["value_base"]
    return merged


def _better_sign(direction: str) -> float:
    return {"lower is better": -1.0, "higher is better": 1.0}.get(direction, np.nan)


def uncertainty_columns(levels: pd.DataFrame, base: str) -> pd.DataFrame:
    """Per scenario (not the base) and measure: ``total_mean`` (the mean of the run-by-run
    differences over every draw: the expected difference, which the reports show, since with
    rare events most runs differ by nothing and the median is then 0 whatever the policy does),
    ``total_median``, ``total_low``, ``total_high`` (the 90 % interval of the run-by-run
    differences over assumptions and chance), ``share_assumptions`` (the share of their variance the assumptions explain:
    1 - mean within-draw variance / total variance; NaN with one replication per draw),
    ``prob_better`` (over draws, the chance the draw's mean difference is on the better side;
    ties count half; NaN where no direction is better) and ``n_draws``."""
    diffs = paired_draw_differences(levels, base)
    rows = []
    for (scenario, cohort, kind, outcome, years), group in diffs.groupby(
        ["scenario", *_KEYS], dropna=False, sort=False
    ):
        values = group["difference"].to_numpy(float)
        ok = np.isfinite(values)
        per_draw = group.assign(ok=ok).loc[ok].groupby("draw")["difference"]
        means = per_draw.mean().to_numpy()
        row: dict[str, Any] = {
            "scenario": scenario,
            "cohort": cohort,
            "kind": kind,
            "outcome": outcome,
            "years": years,
            "n_draws": int(means.size),
            "total_mean": np.nan,
            "total_median": np.nan,
            "total_low": np.nan,
            "total_high": np.nan,
            "share_assumptions": np.nan,
            "prob_better": np.nan,
        }
        if ok.any():
            low, high = np.quantile(values[ok], TOTAL_QUANTILES)
            row.update(
                total_mean=float(np.mean(values[ok])),
                total_median=float(np.median(values[ok])),
                total_low=low,
                total_high=high,
            )
            total = float(np.var(values[ok], ddof=1)) if ok.sum() > 1 else 0.0
            within = per_draw.var(ddof=1).dropna()
            if total > 0 and within.size:
                row["share_assumptions"] = float(np.clip(1.0 - within.mean() / total, 0, 1))
            sign = _better_sign(measure(str(kind), str(outcome)).direction)
            if np.isfinite(sign) and means.size:
                better = np.mean(sign * means > 0) + 0.5 * np.mean(means == 0)
                row["prob_better"] = float(better)
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- value of information


def _spline_basis(x: np.ndarray, knots: int = 4) -> np.ndarray:
    """A cubic regression spline basis in ``x`` (truncated powers at inner quantile knots),
    scaled to [0, 1] first: the smoother of the regression method."""
    span = np.ptp(x)
    z = (x - x.min()) / span if span > 0 else np.zeros_like(x)
    inner = np.quantile(z, np.linspace(0, 1, knots + 2)[1:-1]) if span > 0 and knots else []
    columns = [np.ones_like(z), z, z**2, z**3]
    columns += [np.clip(z - k, 0, None) ** 3 for k in inner]
    return np.column_stack(columns)


#: draws per regression coefficient the smoother may use (fewer draws: a simpler smoother, so
#: the fit does not follow chance; structure of the method, not a parameter of the model)
DRAWS_PER_COEFFICIENT = 4


def _fitted(y: np.ndarray, X: np.ndarray) -> np.ndarray | None:
    """Least-squares fit of ``y`` on an additive basis of the columns of ``X``: a cubic spline
    per column (fewer knots, or a straight line, when the draws are few); None when even
    straight lines would use more than one coefficient per ``DRAWS_PER_COEFFICIENT`` draws."""
    n, k = X.shape
    per_key = (n // DRAWS_PER_COEFFICIENT - 1) // k
    if per_key < 1:
        return None
    if per_key >= 3:
        knots = min(4, per_key - 3)
        basis = [_spline_basis(X[:, j], knots)[:, 1:] for j in range(k)]
    else:
        basis = [X[:, [j]] for j in range(k)]
    design = np.column_stack([np.ones(n), *basis])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return design @ coef


def evppi(
    net_benefit: np.ndarray, assumptions: pd.DataFrame, groups: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """Expected value of partial perfect information (Strong, Oakley & Brennan 2014).

    Args:
        net_benefit: draws x options: each option's net benefit in each draw.
        assumptions: one row per draw, a column per drawn key.
        groups: name -> keys whose joint value would be learned (one key alone, or a group).

    For each group, each option's net benefit is regressed on the group's values (an additive
    cubic spline), and EVPPI = mean over draws of the best fitted option - the best mean
    option: what deciding after learning those values is worth per decision, in the unit of
    the net benefit (NaN where the draws are too few to fit that many keys at once; the method
    wants hundreds of draws). Also the total EVPI (mean of the per-draw best - best mean), as the row
    ``all assumptions (EVPI)``, an upper bound of every EVPPI.
    """
    nb = np.asarray(net_benefit, float)
    if nb.ndim != 2 or nb.shape[0] != len(assumptions):
        raise ValueError("net_benefit must be draws x options, one row per draw of assumptions")
    best_now = float(nb.mean(axis=0).max())
    rows = []
    for name, keys in groups.items():
        X = assumptions[list(keys)].to_numpy(float)
        fits = [_fitted(nb[:, j], X) for j in range(nb.shape[1])]
        if any(f is None for f in fits):
            value = np.nan  # too few draws for this many keys at once
        else:
            fitted = np.column_stack([f for f in fits if f is not None])
            value = max(0.0, float(fitted.max(axis=1).mean()) - best_now)
        rows.append({"assumption": name, "keys": ",".join(keys), "evppi": value})
    evpi = max(0.0, float(nb.max(axis=1).mean()) - best_now)
    rows.append({"assumption": "all assumptions (EVPI)", "keys": "", "evppi": evpi})
    return pd.DataFrame(rows).sort_values("evppi", ascending=False, kind="stable")


def net_benefit_by_draw(
    paired: pd.DataFrame, arms: pd.DataFrame, wtp: float, base: str
) -> pd.DataFrame:
    """Per draw (rows) and scenario (columns, the base first at 0), the mean net benefit of
    the draw's runs at ``wtp`` per terrorism offence prevented
    (:func:`~reintegration_sim.analysis.economics.net_benefit_matrix`)."""
    from .economics import net_benefit_matrix

    matrix = net_benefit_matrix(paired, wtp, base)
    draw_of = arms.drop_duplicates("replication").set_index("replication")["draw"]
    return matrix.groupby(draw_of.reindex(matrix.index).to_numpy()).mean()


def drivers(
    differences: pd.DataFrame, assumptions: pd.DataFrame, keys: Sequence[str]
) -> pd.DataFrame:
    """Which assumptions explain a difference: per key, the share of the variance of the
    per-draw mean difference explained by a spline in that key alone (a first-order
    sensitivity index by regression). ``differences`` has columns ``draw`` and
    ``difference``."""
    per_draw = differences.groupby("draw")["difference"].mean()
    y = per_draw.to_numpy(float)
    X = assumptions.set_index("draw").loc[per_draw.index]
    total = float(np.var(y))
    rows = []
    for key in keys:
        fitted = _fitted(y, X[[key]].to_numpy(float)) if total > 0 else None
        share = np.nan if fitted is None else float(np.clip(np.var(fitted) / total, 0, 1))
        rows.append({"key": key, "share_explained": share})
    return pd.DataFrame(rows).sort_values("share_explained", ascending=False, kind="stable")
