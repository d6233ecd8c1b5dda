"""Plots of a Bayesian calibration (``reintegration-sim calibrate --method abc``), drawn from its
tables only:

* :func:`predictive_check_figure`: each target's published value and range against the values
  simulated from posterior draws;
* :func:`posterior_figure`: each parameter's prior density against its weighted posterior
  particles.

Plain :class:`matplotlib.figure.Figure` objects on the Agg canvas (no pyplot state).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..analysis.abc import prior_pdf
from ..priors import Prior
from .plotting import plain_text

__all__ = ["posterior_figure", "predictive_check_figure", "write_abc_plots"]

DPI = 120


@plain_text
def predictive_check_figure(check: pd.DataFrame, draws: pd.DataFrame) -> Figure:
    """One row per target: the simulated values from posterior draws (points and their central
    90 %), the target's value (diamond) and range (band)."""
    n = max(len(check), 1)
    fig = Figure(figsize=(8.0, 1.0 + 0.7 * n), dpi=DPI)
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # vertical jitter of the points, for legibility only
    for i, r in enumerate(check.itertuples()):
        y = n - 1 - i
        ax.fill_betweenx([y - 0.3, y + 0.3], r.low, r.high, color="tab:green", alpha=0.2, lw=0)
        sims = draws[r.key].to_numpy(dtype=float) if r.key in draws else np.array([])
        sims = sims[np.isfinite(sims)]
        ax.scatter(sims, y + rng.uniform(-0.15, 0.15, sims.size), s=8, color="tab:blue", alpha=0.5)
        if math.isfinite(r.predicted_low):
            ax.plot([r.predicted_low, r.predicted_high], [y, y], color="tab:blue", lw=2)
        ax.scatter([r.target_value], [y], marker="D", s=40, color="black", zorder=3)
    ax.set_yticks(range(n))
    ax.set_yticklabels(
        [
            f"{r.target}{'' if r.fitted_on else ' (not fitted)'}"
            for r in check.iloc[::-1].itertuples()
        ],
        fontsize=8,
    )
    ax.set_xlabel("per cent of people released")
    ax.set_title(
        "Posterior predictive check\nsimulated from posterior draws (blue; line: central 90 %), "
        "target (diamond), its range (green)",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


@plain_text
def posterior_figure(priors: Mapping[str, Prior], particles: pd.DataFrame) -> Figure:
    """One panel per parameter: the prior density (line) and the posterior (weighted histogram
    of the particles)."""
    keys = list(priors)
    fig = Figure(figsize=(4.0 * len(keys), 3.2), dpi=DPI)
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    weights = particles["weight"].to_numpy(dtype=float)
    for ax, key in zip(axes, keys, strict=True):
        prior = priors[key]
        low, high = prior.ppf(np.array([0.001, 0.999]))
        grid = np.linspace(low, high, 300)
        ax.plot(grid, prior_pdf(prior, grid), color="grey", label="prior")
        ax.hist(
            particles[key].to_numpy(dtype=float),
            bins=20,
            weights=weights,
            density=True,
            color="tab:blue",
            alpha=0.6,
            label="posterior",
        )
        ax.set_title(key, fontsize=9)
        ax.set_yticks([])
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


@plain_text
def write_abc_plots(
    folder: Path,
    priors: Mapping[str, Prior],
    particles: pd.DataFrame,
    check: pd.DataFrame,
    draws: pd.DataFrame,
) -> list[Path]:
    """Write ``predictive_check.png`` and ``posterior.png`` into ``folder``."""
    out = [folder / "predictive_check.png", folder / "posterior.png"]
    predictive_check_figure(check, draws).savefig(out[0])
    posterior_figure(priors, particles).savefig(out[1])
    return out
