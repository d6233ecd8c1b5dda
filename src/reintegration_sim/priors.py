"""Priors: what is believed about each assumption, as a distribution a comparison draws from.

Every number the model reads has a home in the register (:mod:`~reintegration_sim.parameters`)
or in a lever's fields (:mod:`~reintegration_sim.interventions`). Where its source is a stated
assumption, or a calibration, the number is uncertain, and this module gives it a prior:

* **register parameters** whose source says "assumption" or "calibrated":

  - shares, probabilities and 0-1 indices: a **beta-PERT** on the plausible range with the default
    as its mode (a beta distribution scaled to the range);
  - hazard ratios (``offending.hr_*`` and the unit "hazard ratio"): a **log-normal** with the
    default as median and the plausible range as its central 90 % (truncated to the hard bounds);
  - everything else: a **triangular** on the plausible range with the default as mode (whole
    numbers rounded);

  parameters from a published figure (EVIDENCE.md) and design choices (cohort sizes) stay fixed
  unless a user names them in ``--vary``, which then draws them from a triangular on their
  plausible range;

* **lever effect sizes** (fields named ``*_effect``, ``*_ratio``, ``*_gain``, ``*_loss``,
  ``*_reduction`` and the like; not who is served, how often or at what cost, which are the
  policy itself). "No effect" is 1 for ratios and multipliers and 0 for the rest. A lever
  without outcome evidence gets a **triangular that includes no effect and mild harm**: from a
  quarter of the effect the wrong way, through the default (mode), to one and a half times the
  effect, within the field's bounds (a field that cannot go past "no effect" keeps its harm
  side at "no effect"). A lever whose effect rests on outcome evidence (EVIDENCE 4) gets a
  triangular from half to one and a half times its effect, unless :data:`EXPLICIT` says
  otherwise.

:data:`EXPLICIT` holds priors stated one by one, with their reasons; the generated docs
(docs/parameters.md, docs/levers.md) list every prior. A calibration's posterior
(``compare --posterior``) replaces the priors of the parameters it fitted.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from .interventions import REGISTRY
from .keys import LEVER_PREFIX, KeyError_, KeyInfo, all_keys, canonical, unknown_key_message

__all__ = [
    "DELIVERY_FIELDS",
    "EXPLICIT",
    "Prior",
    "PriorError",
    "draw",
    "prior_of",
    "priors",
    "resolve_vary",
]

Family = Literal["triangular", "beta-PERT", "log-normal"]

#: lever fields that say how a policy is delivered (who, when, how many, at what cost): the
#: policy itself, never drawn
DELIVERY_FIELDS = frozenset(
    {"start_week", "end_week", "coverage", "capacity", "cost_per_case_week", "cost_per_case"}
)

#: parts of a lever field's name that mark an effect size (an assumption about what it does)
_EFFECT_WORDS = ("effect", "ratio", "gain", "loss", "reduction", "boost", "bonus", "protection")

#: the z of a central 90 % interval of the normal distribution (5 % and 95 % quantiles)
_Z90 = float(stats.norm.ppf(0.95))


class PriorError(ValueError):
    """A prior that cannot be made, or a --vary name that matches nothing."""


@dataclass(frozen=True)
class Prior:
    """One uncertain number: its distribution and why it was chosen.

    ``low``/``high`` bound the distribution (for the log-normal, its truncation); ``mode`` is
    the mode (triangular, beta-PERT) or the median (log-normal); ``spread`` is the log-normal's
    sigma.
    """

    key: str
    family: Family
    low: float
    mode: float
    high: float
    basis: str
    spread: float = 0.0
    integer: bool = False

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The values at probabilities ``u`` (the inverse CDF), for quasi-random designs."""
        u = np.asarray(u, dtype=float)
        if self.high <= self.low:
            values = np.full(u.shape, self.mode)
        elif self.family == "triangular":
            c = (self.mode - self.low) / (self.high - self.low)
            values = stats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low)
        elif self.family == "beta-PERT":
            width = self.high - self.low
            a = 1.0 + 4.0 * (self.mode - self.low) / width
            b = 1.0 + 4.0 * (self.high - self.mode) / width
            values = self.low + width * stats.beta.ppf(u, a, b)
        else:
            dist = stats.lognorm(self.spread, scale=self.mode)
            lo, hi = dist.cdf(self.low), dist.cdf(self.high)
            values = dist.ppf(lo + u * (hi - lo))
        values = np.clip(values, self.low, self.high)
        return np.round(values) if self.integer else values

    def describe(self) -> str:
        """The distribution in a few words, e.g. ``triangular(0.2, mode 0.5, 0.8)``."""
        if self.family == "log-normal":
            return (
                f"log-normal(median {_fmt(self.mode)}, sigma {self.spread:.3g}, "
                f"within {_fmt(self.low)}-{_fmt(self.high)})"
            )
        return f"{self.family}({_fmt(self.low)}, mode {_fmt(self.mode)}, {_fmt(self.high)})"


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _triangular(info: KeyInfo, basis: str) -> Prior:
    low, high = (float(v) for v in info.plausible)
    mode = min(max(float(info.default), low), high)
    return Prior(info.key, "triangular", low, mode, high, basis, integer=info.integer)


def _register_prior(info: KeyInfo, on_request: bool) -> Prior | None:
    source = info.source.lower()
    uncertain = "assumption" in source or source.startswith("calibrated")
    design = info.unit == "persons"
    if not info.numeric or (design and not on_request):
        return None
    if not uncertain:
        return _triangular(info, "published figure, drawn on request") if on_request else None
    basis = (
        "calibrated; a posterior replaces this prior where given"
        if source.startswith("calibrated")
        else "assumption"
    )
    low, high = (float(v) for v in info.plausible)
    default = float(info.default)
    unit = info.unit.lower()
    name = info.key.split(".")[-1]
    if unit == "hazard ratio" or name.startswith("hr_"):
        if low > 0 and default > 0 and low < default < high:
            sigma = max(math.log(high / default), math.log(default / low)) / _Z90
            b_low, b_high = info.bounds
            lo = max(0.0 if b_low is None else float(b_low), 1e-12)
            hi = math.inf if b_high is None else float(b_high)
            return Prior(info.key, "log-normal", lo, default, hi, basis, spread=sigma)
        return _triangular(info, basis)
    if (
        any(word in unit for word in ("share", "probability", "index 0-1"))
        and 0.0 <= low < high <= 1.0
        and not info.integer
    ):
        mode = min(max(default, low), high)
        return Prior(info.key, "beta-PERT", low, mode, high, basis)
    return _triangular(info, basis)


def _lever_parts(key: str) -> tuple[str, str]:
    _, lever, field = key.split(".", 2)
    return lever, field


def is_effect_field(field: str) -> bool:
    """A lever field that sizes what the lever does (not how it is delivered)."""
    return field not in DELIVERY_FIELDS and any(word in field for word in _EFFECT_WORDS)


def neutral_value(info: KeyInfo) -> float:
    """A lever field's value at which the lever does nothing: 1 for ratios and multipliers,
    else 0."""
    field = info.key.split(".")[-1]
    multiplier = "multiplier" in info.doc.lower() or field.endswith("ratio")
    return 1.0 if multiplier else 0.0


def _lever_prior(info: KeyInfo, on_request: bool) -> Prior | None:
    lever, field = _lever_parts(info.key)
    if not info.numeric or not (is_effect_field(field) or on_request):
        return None
    if info.key in EXPLICIT:
        return EXPLICIT[info.key]
    if not is_effect_field(field):
        return _triangular(info, "a setting of the policy, drawn on request")
    default = float(info.default)
    neutral = neutral_value(info)
    effect = default - neutral
    b_low, b_high = (float(v) for v in info.plausible)
    evidence = REGISTRY[lever].evidence
    if effect == 0.0:
        return _triangular(info, "default is no effect; triangular on the bounds")
    if "EVIDENCE 4" in evidence:
        ends = (neutral + 0.5 * effect, neutral + 1.5 * effect)
        basis = "outcome evidence (EVIDENCE 4): half to one and a half times the effect"
    else:
        ends = (neutral - 0.25 * effect, default + 0.5 * effect)
        basis = "assumption: includes no effect (and mild harm where the bounds allow)"
    low = max(min(ends), b_low)
    high = min(max(ends), b_high)
    mode = min(max(default, low), high)
    return Prior(info.key, "triangular", low, mode, high, basis, integer=info.integer)


#: priors stated one by one (key: prior), overriding the rules above
EXPLICIT: dict[str, Prior] = {}


def prior_of(key: str, on_request: bool = False) -> Prior | None:
    """The prior of ``key`` (None: fixed). ``on_request``: the key was named by the user, so
    published figures and policy settings are drawn too (from a triangular on their range)."""
    info = all_keys().get(canonical(key))
    if info is None:
        raise PriorError(unknown_key_message(key, all_keys()))
    if info.kind == "parameter":
        return _register_prior(info, on_request)
    if info.kind == "lever":
        return _lever_prior(info, on_request)
    return None


def prior_words(key: str, on_request: bool = False, basis: bool = False) -> str | None:
    """The prior of ``key`` in words (None: fixed), with the reason for it if ``basis``; shared
    by the generated docs and the record of what a comparison drew."""
    prior = prior_of(key, on_request)
    if prior is None:
        return None
    return f"{prior.describe()}; {prior.basis}" if basis else prior.describe()


@functools.cache
def priors() -> dict[str, Prior]:
    """Every key with a prior of its own (not only on request), in register order."""
    out: dict[str, Prior] = {}
    for key in all_keys():
        prior = prior_of(key)
        if prior is not None:
            out[key] = prior
    return out


def resolve_vary(names: Iterable[str] | None, levers: Iterable[str]) -> list[str]:
    """The keys a comparison draws.

    Without ``names``: every register parameter with a prior except the calibrated ones (they
    keep their calibrated values unless a posterior is given or they are named) and the effect
    sizes of the ``levers`` the compared scenarios use. Each name is a key (``offending.terror_hazard``,
    ``interventions.mentors.hazard_ratio``), a register group (``recruiters``), a lever
    (``interventions.mentors``) or ``levers`` (the effect sizes of every lever used); an
    unknown name raises :class:`PriorError` with close matches.
    """
    levers = list(levers)
    lever_keys = [k for k in priors() if k.startswith(LEVER_PREFIX + ".")]
    used = [k for k in lever_keys if _lever_parts(k)[0] in levers]
    if names is None:
        shared = [
            k
            for k, p in priors().items()
            if not k.startswith(LEVER_PREFIX + ".") and not p.basis.startswith("calibrated")
        ]
        return shared + used
    keys = all_keys()
    chosen: list[str] = []
    for raw in names:
        name = canonical(raw.strip())
        if not name:
            continue
        if name == "levers":
            matched = used
        elif name in keys:
            if prior_of(name, on_request=True) is None:
                raise PriorError(f"--vary {raw!r}: {name} is not a number a draw can vary")
            matched = [name]
        elif name.startswith(LEVER_PREFIX + ".") and name.split(".")[1] in REGISTRY:
            matched = [k for k in lever_keys if _lever_parts(k)[0] == name.split(".")[1]]
        else:
            matched = [k for k in keys if k.startswith(name + ".") and prior_of(k, True)]
            if not matched:
                try:
                    raise KeyError_(unknown_key_message(name, keys))
                except KeyError_ as exc:
                    raise PriorError(f"--vary {raw!r}: {exc}") from None
        chosen += [k for k in matched if k not in chosen]
    if not chosen:
        raise PriorError("--vary names nothing a draw can vary")
    return chosen


def draw(
    keys: list[str], n: int, seed: int, extra: int = 0
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``n`` joint draws of ``keys`` by a scrambled Halton design (quasi-random: the draws fill
    the space more evenly than independent random ones), each mapped through its prior.

    Returns the design's probabilities (``n`` x ``len(keys) + extra``: the last ``extra``
    columns are left for the caller, e.g. a posterior's particles) and the values by key. The
    same keys, ``n``, ``seed`` and ``extra`` give the same draws on any machine.
    """
    if n < 1:
        raise PriorError(f"the number of draws must be at least 1 (got {n})")
    if not keys and not extra:
        raise PriorError("nothing to draw: no key has a prior")
    design = stats.qmc.Halton(d=len(keys) + extra, scramble=True, seed=np.random.default_rng(seed))
    u = design.random(n)
    values: dict[str, np.ndarray] = {}
    for j, key in enumerate(keys):
        prior = prior_of(key, on_request=True)
        assert prior is not None  # resolve_vary returns keys with a prior
        values[key] = prior.ppf(u[:, j])
    return u, values


def as_python(value: float, info: KeyInfo | None) -> int | float:
    """A drawn value as the key's type (whole numbers for integer keys)."""
    if info is not None and info.integer:
        return int(round(value))
    return float(value)


def values_for(keys: Mapping[str, np.ndarray], row: int) -> dict[str, int | float]:
    """Draw ``row`` as ``{key: value}`` with each key's type."""
    infos = all_keys()
    return {key: as_python(float(v[row]), infos.get(key)) for key, v in keys.items()}
