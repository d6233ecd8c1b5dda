"""When the page may call a difference "better" or "worse": the verdict rule.

One pair of runs after a few weeks differs by chance as much as by policy. The page runs
several paired replications (the highlighted pair and the band, :data:`~.run.BAND_PAIRS`), each
a base and a policy run on the same seed and replication index (common random numbers), and
reads "B − A" in each. The rule:

    "better" or "worse" only when (1) at least :data:`MIN_PAIRS` paired differences are
    known, (2) every one of them is on the same side of zero (none is zero), and (3) the 95 %
    t-interval of their mean excludes zero. Otherwise: "too early to tell".

(2) alone has a chance of 2 / 2**6 = 3 % with six pairs when the policy changes nothing and
chance is symmetric; (3) keeps one far-out pair from carrying a verdict. The interval covers
chance only (the same assumptions in every replication), and the page says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["MIN_PAIRS", "TOO_EARLY", "Verdict", "judge"]

#: the fewest paired differences a verdict needs
MIN_PAIRS = 5
#: what the page says when the rule does not hold
TOO_EARLY = "too early to tell"
#: the level of the interval of the mean paired difference (rule (3))
LEVEL = 0.95


@dataclass(frozen=True)
class Verdict:
    """The rule applied to the paired differences of one indicator at one week.

    Attributes:
        word: ``"better"``, ``"worse"``, ``"higher"``, ``"lower"`` (an indicator with no better
            direction) or :data:`TOO_EARLY`.
        n: paired differences known (finite).
        same_side: how many of them lie on the side of their mean.
        mean, low, high: their mean and its 95 % t-interval (NaN when fewer than two).
    """

    word: str
    n: int
    same_side: int
    mean: float
    low: float
    high: float

    @property
    def decided(self) -> bool:
        return self.word != TOO_EARLY

    def reason(self) -> str:
        """Why, in words: e.g. "6 of 6 paired replications on the same side; 95 % interval of
        the mean −2.1 to −0.4 (chance only)"."""
        if self.n < MIN_PAIRS:
            return f"only {self.n} paired replications known (the rule needs {MIN_PAIRS})"
        interval = f"95 % interval of the mean {_num(self.low)} to {_num(self.high)}"
        return f"{self.same_side} of {self.n} paired replications on the same side; {interval}"


def _num(x: float) -> str:
    return f"{x:+.2g}".replace("-", "−") if math.isfinite(x) else "n/a"


def judge(differences: np.ndarray, direction: str) -> Verdict:
    """The verdict on paired differences ``B − A`` (one per paired replication) of an indicator
    whose ``direction`` is ``"lower is better"``, ``"higher is better"`` or ``"neutral"``."""
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    n = int(d.size)
    if n < 2:
        return Verdict(TOO_EARLY, n, n, math.nan, math.nan, math.nan)
    mean = float(d.mean())
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
    same_side = int(max(np.count_nonzero(d > 0), np.count_nonzero(d < 0)))
    holds = n >= MIN_PAIRS and same_side == n and abs(mean) > half
    if not holds:
        word = TOO_EARLY
    elif direction == "neutral":
        word = "higher" if mean > 0 else "lower"
    else:
        word = "better" if (mean < 0) == (direction == "lower is better") else "worse"
    return Verdict(word, n, same_side, mean, mean - half, mean + half)
