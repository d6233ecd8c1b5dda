"""One person's story: a tracker that reads a model's arrays after each step and writes down
what changed for each synthetic person, in plain words.

The model keeps state, not a log of events per person; :class:`StoryTracker` compares the state
after each week with the state it saw the week before (phase, gate, housing, work, caseloads,
programmes, milestones, family ties, ties to a group, reconvictions, recalls) and appends an
event for each change. It only reads the model. Recruiters' approaches are read from the week
the model last saw one (``last_approach_week``); whether it succeeded, from a jump in ties to
the group.

Synthetic people only: a story illustrates how a policy plays out in one simulated life; it is
never an assessment of a real person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from sys import intern
from typing import TYPE_CHECKING

import numpy as np

from ..model.agents import AgencyKind, Cohort, Gate, Milestone, Phase

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel

__all__ = ["StoryEvent", "StoryTracker"]

#: who a caseload's practitioner is, in words
PRACTITIONER_NOUN = {
    AgencyKind.PRISON: "a prison key worker",
    AgencyKind.PROBATION: "a probation officer",
    AgencyKind.EXIT: "an NGO exit worker",
    AgencyKind.POLICE: "the police and security services",
    AgencyKind.EMPLOYMENT: "an employment worker",
    AgencyKind.HOUSING: "a housing worker",
    AgencyKind.MENTAL_HEALTH: "a mental health worker",
    AgencyKind.RELIGIOUS: "a vetted religious counsellor",
}
MILESTONE_TEXT = {
    Milestone.FAMILY_CONTACT: "close contact with family",
    Milestone.THERAPY: "12 weeks with a mental health worker, exit worker or religious counsellor",
    Milestone.WORK_OR_EDUCATION: "work or education after release",
    Milestone.HOUSING: "a home after release",
}
GATE_TEXT = {
    Gate.NOBODY: "Nobody met them at the gate.",
    Gate.FAMILY: "Family met them at the gate.",
    Gate.PRACTITIONER: "A practitioner met them at the gate.",
    Gate.RECRUITER: "Recruiters were waiting at the gate and drew them back toward the group",
}
#: the people arrays the tracker compares week by week
_WATCHED = (
    "phase",
    "housed",
    "working",
    "milestones",
    "gate",
    "monitored",
    "n_reoffences",
    "n_recalls",
    "reengagement_week",
    "group_ties",
    "ideology",
    "family_ties",
)


@dataclass(frozen=True, slots=True)
class StoryEvent:
    """Something that happened to one person in one week.

    ``kind`` is a short tag (``start``, ``transition``, ``release``, ``gate``, ``licence``,
    ``practitioner``, ``programme``, ``housing``, ``work``, ``family``, ``milestone``,
    ``recruiter``, ``belief``, ``reoffence``, ``recall``, ``reengagement``, ``death``);
    ``text`` says it in plain words.
    """

    week: int
    kind: str
    text: str


def _ties_words(value: float) -> str:
    if value < 0.2:
        return "weak"
    if value < 0.4:
        return "some"
    if value < 0.6:
        return "strong"
    return "very strong"


class StoryTracker:
    """Watches the people of one model and keeps, for each, the events of their pathway.

    Create it right after the model (week 0) and call :meth:`update` after every step.

    Args:
        model: the model to read.
        people: indices of the people to follow (default: everyone).
    """

    def __init__(self, model: ReintegrationModel, people: Iterable[int] | None = None) -> None:
        n = model.people.n
        self.followed = np.zeros(n, bool)
        if people is None:
            self.followed[:] = True
        else:
            self.followed[np.asarray(list(people), dtype=np.intp)] = True
        self.week = model.week
        self._events: dict[int, list[StoryEvent]] = {}
        p, beh = model.people, model.params.behaviour
        # thresholds already crossed at the start are part of the starting state, not events
        self._reported = {
            "deradicalised": p.ideology < beh.deradicalised_threshold,
            "disengaged": p.group_ties < beh.disengaged_threshold,
            "engaged": p.group_ties > beh.engaged_threshold,
        }
        self._snapshot(model)
        for i in np.flatnonzero(self.followed):
            self._add(int(i), "start", self._start_text(model, int(i)))

    # ------------------------------------------------------------------ reading
    def events(self, person: int) -> list[StoryEvent]:
        """The events of one person so far, oldest first."""
        if not 0 <= person < self.followed.size:
            raise IndexError(
                f"no person {person}; people are numbered 0 to {self.followed.size - 1}"
            )
        if not self.followed[person]:
            raise KeyError(f"person {person} is not followed by this tracker")
        return list(self._events.get(person, []))

    # ------------------------------------------------------------------ updating
    def update(self, model: ReintegrationModel) -> None:
        """Record what changed for the followed people since the last call (one step)."""
        if model.week == self.week:
            return
        p, prev, week = model.people, self._prev, model.week
        self.week = week
        seen = self.followed
        beh, rec = model.params.behaviour, model.params.recruiters

        def changed(name: str) -> np.ndarray:
            return np.flatnonzero(seen & (getattr(p, name) != prev[name]))

        phase, old_phase = p.phase, prev["phase"]
        in_community_before = (old_phase >= Phase.RELEASE_DAY) & (old_phase <= Phase.AFTER_LICENCE)
        reconvicted = seen & (p.n_reoffences > prev["n_reoffences"])
        recalled = seen & (p.n_recalls > prev["n_recalls"])
        released = seen & (phase == Phase.RELEASE_DAY) & (old_phase != Phase.RELEASE_DAY)

        for i in changed("phase"):
            new, old = Phase(int(phase[i])), Phase(int(old_phase[i]))
            if new == Phase.TRANSITION:
                self._add(
                    i,
                    "transition",
                    f"Transition planning starts: release is due in week {int(p.release_week[i])}.",
                )
            elif new == Phase.RELEASE_DAY:
                self._release(model, i, first=int(p.first_release_week[i]) == week)
            elif new == Phase.AFTER_LICENCE:
                self._add(i, "licence", "The licence ends: no more supervision.")
            elif new == Phase.DEAD:
                self._add(i, "death", "Died.")
            elif new == Phase.CUSTODY and in_community_before[i]:
                until = int(p.release_week[i])
                if reconvicted[i]:
                    what = (
                        "a terrorism offence" if int(p.terror_week[i]) == week else "a new offence"
                    )
                    self._add(
                        i,
                        "reoffence",
                        f"Convicted of {what}: back in custody, release due in week {until}.",
                    )
                elif recalled[i]:
                    why = (
                        "the security services documented re-engagement with an extremist group"
                        if int(p.reengagement_week[i]) == week
                        else "a breach of licence conditions"
                    )
                    self._add(
                        i,
                        "recall",
                        f"Recalled to custody after {why}; release due in week {until}.",
                    )
                else:
                    self._add(i, "custody", f"Back in custody until week {until}.")
            elif new == Phase.LICENCE and old != Phase.RELEASE_DAY:
                self._add(i, "licence", "On licence again.")

        documented = seen & (p.reengagement_week == week) & (prev["reengagement_week"] < 0)
        for i in np.flatnonzero(documented & ~recalled):
            self._add(
                i,
                "reengagement",
                "The security services documented active re-engagement with an extremist group.",
            )

        self._caseload_events(model)
        self._programme_events(model)

        housing_help = model.caseloads[AgencyKind.HOUSING].served
        for i in changed("housed"):
            if p.housed[i]:
                helped = " with a housing worker's help" if housing_help[i] else ""
                self._add(i, "housing", f"Found somewhere to live{helped}.")
            elif not reconvicted[i]:
                self._add(i, "housing", "Lost their home.")
            else:
                self._add(i, "housing", "Lost their home with the new sentence.")
        work_help = model.caseloads[AgencyKind.EMPLOYMENT].served
        for i in changed("working"):
            if p.working[i]:
                helped = " with an employment worker's help" if work_help[i] else ""
                self._add(i, "work", f"Found work or education{helped}.")
            elif not reconvicted[i]:
                self._add(i, "work", "Lost their work or education.")

        community = seen & p.in_community()
        conflict = community & (p.family_ties < 0.6 * prev["family_ties"]) & ~released
        for i in np.flatnonzero(conflict):
            self._add(
                i,
                "family",
                f"A conflict at home weakened family ties (now {_ties_words(p.family_ties[i])}).",
            )

        # recruiters' approaches this week (the gate's are told with the release); a success
        # shows as a jump in ties to the group
        jump = p.group_ties - prev["group_ties"]
        approached = seen & ~released & (p.last_approach_week == week) & (phase != Phase.DEAD)
        drawn = approached & (jump > 0.5 * rec.success_ties_gain * (1.0 - prev["group_ties"]))
        inside = p.in_custody()
        for i in np.flatnonzero(approached):
            where = "on the prison wing" if inside[i] else "in the community"
            if drawn[i]:
                text = (
                    f"A recruiter {where} approached them and drew them closer to the group "
                    f"(ties to the group {prev['group_ties'][i]:.2f} → {p.group_ties[i]:.2f})."
                )
            else:
                text = f"A recruiter {where} approached them; they turned the recruiter away."
            self._add(i, "recruiter", text)

        self._threshold_events(
            "deradicalised",
            seen & (p.ideology < beh.deradicalised_threshold),
            "Their belief moved away from the ideology (deradicalised, by the model's threshold).",
            "belief",
        )
        self._threshold_events(
            "disengaged",
            seen & (p.group_ties < beh.disengaged_threshold),
            "Disengaged: hardly any ties to an extremist group any more.",
            "belief",
        )
        self._threshold_events(
            "engaged",
            seen & (p.group_ties > beh.engaged_threshold),
            "Actively engaged with an extremist group.",
            "recruiter",
        )

        new_bits = p.milestones & ~prev["milestones"]
        for i in np.flatnonzero(seen & (new_bits != 0)):
            for milestone in Milestone:
                if int(new_bits[i]) >> milestone & 1:
                    self._add(i, "milestone", f"Milestone reached: {MILESTONE_TEXT[milestone]}.")

        self._snapshot(model)

    # ------------------------------------------------------------------ helpers
    def _add(self, person: int | np.integer, kind: str, text: str) -> None:
        # many texts repeat ("Started working with a probation officer."): keep one copy each
        self._events.setdefault(int(person), []).append(StoryEvent(self.week, kind, intern(text)))

    def _snapshot(self, model: ReintegrationModel) -> None:
        p = model.people
        self._prev = {name: getattr(p, name).copy() for name in _WATCHED}
        self._prev_assigned = {
            kind: caseload.assigned.copy() for kind, caseload in model.caseloads.items()
        }
        self._prev_waiting = {
            kind: caseload.waiting_since.copy() for kind, caseload in model.caseloads.items()
        }
        self._prev_programmes = [d.caseload.assigned.copy() for d in model.deliveries]

    def _start_text(self, model: ReintegrationModel, i: int) -> str:
        p = model.people
        offence = (
            "a violent extremist offence"
            if p.cohort[i] == Cohort.EXTREMIST
            else "an ordinary violent offence"
        )
        wing = " on a separation wing" if p.separated[i] else ""
        if p.family_ties[i] < 0.2:
            family = "hardly any contact with family"
        elif p.family_ties[i] < 0.5:
            family = "some contact with family"
        else:
            family = "close family ties"
        home = "a home to go to" if p.housed[i] else "no home to go to"
        work = "work or education lined up" if p.working[i] else "no work lined up"
        return (
            f"Synthetic person {i}, aged {p.age[i]:.0f}, in custody{wing} for {offence}; "
            f"release due in week {int(p.release_week[i])}. {family.capitalize()}; {home}; "
            f"{work}."
        )

    def _release(self, model: ReintegrationModel, i: int, first: bool) -> None:
        p, prev = model.people, self._prev
        licence = int(p.licence_end[i])
        monitored = " with electronic monitoring" if p.monitored[i] else ""
        self._add(
            i,
            "release",
            f"{'Released' if first else 'Released again'}; on licence until week {licence}"
            f"{monitored}.",
        )
        gate = Gate(int(p.gate[i]))
        text = GATE_TEXT.get(gate, "")
        if gate == Gate.RECRUITER:
            text += f" (ties to the group {prev['group_ties'][i]:.2f} → {p.group_ties[i]:.2f})."
        elif p.last_approach_week[i] == model.week:
            text += " Recruiters were waiting at the gate too; they did not go with them."
        if text:
            self._add(i, "gate", text)

    def _caseload_events(self, model: ReintegrationModel) -> None:
        week, seen = model.week, self.followed
        for kind, caseload in model.caseloads.items():
            now, before = caseload.assigned, self._prev_assigned[kind]
            noun = PRACTITIONER_NOUN[kind]
            for i in np.flatnonzero(seen & (now != before)):
                if before[i] < 0:
                    waited = week - int(self._prev_waiting[kind][i])
                    wait = (
                        f" after waiting {waited} weeks"
                        if self._prev_waiting[kind][i] >= 0 and waited > 1
                        else ""
                    )
                    verb = (
                        "The police and security services opened a case"
                        if kind == AgencyKind.POLICE
                        else f"Started working with {noun}"
                    )
                    self._add(i, "practitioner", f"{verb}{wait}.")
                elif now[i] < 0:
                    self._add(i, "practitioner", f"The case with {noun} closed.")
                else:
                    self._add(i, "practitioner", f"A new practitioner took over: {noun}.")

    def _programme_events(self, model: ReintegrationModel) -> None:
        seen = self.followed
        for delivery, before in zip(model.deliveries, self._prev_programmes, strict=True):
            now = delivery.caseload.assigned
            label = type(delivery.intervention).label
            for i in np.flatnonzero(seen & (now != before)):
                if before[i] < 0:
                    self._add(i, "programme", f"Started: {label}.")
                elif now[i] < 0:
                    self._add(i, "programme", f"Ended: {label}.")

    def _threshold_events(self, key: str, now: np.ndarray, text: str, kind: str) -> None:
        """Tell the first time each person crosses a threshold (no flapping back and forth)."""
        first = now & ~self._reported[key]
        self._reported[key] |= now
        for i in np.flatnonzero(first):
            self._add(i, kind, text)
