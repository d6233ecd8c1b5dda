"""The parameter register: every number the model uses, typed, with unit, range and source.

Each parameter is a pydantic field declared with :func:`param`, which records

* ``default``: the value used unless a scenario overrides it;
* ``unit``: what the number measures (``"probability / week"``, ``"persons"``...);
* ``plausible``: the range a sensitivity analysis should sweep (and the range a scenario file may
  set, unless ``bounds`` widens it);
* ``source``: an entry of EVIDENCE.md (author, year), a section of the seed paper
  (Baaken, Korn & Walkenhorst 2018, RAN ex post paper, cited as "RAN 2018 [Section]"), or the
  word ``assumption``.

Parameters are grouped (population, prison, release, agencies, community, recruiters, behaviour,
offending, costs); a scenario file overrides them as ``[parameters.<group>]`` tables.
``docs/parameters.md`` is generated from this module by :func:`register_markdown`
(``reintegration-sim params --markdown``); a test fails when it is stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "EVIDENCE_SECTIONS",
    "ORDINARY_REOFFENCE_MIX",
    "Parameters",
    "ParamInfo",
    "iter_register",
    "register_markdown",
    "param",
]


def param(
    default: Any,
    *,
    unit: str,
    plausible: tuple[float, float] | tuple[str, ...],
    source: str,
    doc: str,
    bounds: tuple[float, float] | None = None,
) -> Any:
    """Declare one parameter: a pydantic ``Field`` carrying unit, plausible range and source.

    ``bounds`` are the hard limits a scenario file may set (default: the plausible range);
    categorical parameters pass their allowed values as ``plausible`` and are typed ``Literal``.
    """
    extra: dict[str, Any] = {"unit": unit, "plausible": list(plausible), "source": source}
    if plausible and isinstance(plausible[0], str):
        return Field(default, description=doc, json_schema_extra=extra)
    lo, hi = bounds if bounds is not None else plausible
    return Field(default, ge=lo, le=hi, description=doc, json_schema_extra=extra)


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, strict=True)


ASSUMPTION = "assumption"


def _loading(default: float, plausible: tuple[float, float], source: str, side: str) -> Any:
    """A loading of the Gaussian copula of starting attributes on the shared background."""
    return param(
        default,
        unit="correlation",
        plausible=plausible,
        bounds=(-1.0, 1.0),
        source=source,
        doc=f"Loading on the shared background (disadvantage) of {side}: the correlation of "
        "its latent normal score with the background; two attributes' scores correlate as the "
        "product of their loadings; 0 = independent. The attribute's own distribution is "
        "unchanged.",
    )


class Population(_Group):
    """Who is in custody at the start (EVIDENCE.md section 2)."""

    n_extremist: int = param(
        1000,
        unit="persons",
        plausible=(100, 5000),
        bounds=(0, 2_000_000),
        source="assumption: order of a large EU state's terrorist and radicalised prison population",
        doc="People in custody for violent extremist offences at the start.",
    )
    n_comparison: int = param(
        1000,
        unit="persons",
        plausible=(0, 5000),
        bounds=(0, 2_000_000),
        source=ASSUMPTION,
        doc="People in custody for ordinary violent offences (comparison cohort); 0 allowed.",
    )
    female_share_extremist: float = param(
        0.10,
        unit="share",
        plausible=(0.0, 0.25),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Share of women in the extremist cohort.",
    )
    female_share_comparison: float = param(
        0.05,
        unit="share",
        plausible=(0.0, 0.15),
        bounds=(0.0, 1.0),
        source="assumption (women are about 5 % of European prisoners)",
        doc="Share of women in the comparison cohort.",
    )
    age_mean: float = param(
        31.0,
        unit="years",
        plausible=(25.0, 38.0),
        bounds=(17.0, 70.0),
        source=ASSUMPTION,
        doc="Mean age at the start; ages are drawn from a normal distribution cut to "
        "age_min-age_max.",
    )
    age_sd: float = param(
        8.0,
        unit="years",
        plausible=(4.0, 12.0),
        bounds=(0.5, 30.0),
        source=ASSUMPTION,
        doc="Spread of age.",
    )
    prior_record_extremist: float = param(
        0.58,
        unit="share",
        plausible=(0.50, 0.66),
        bounds=(0.0, 1.0),
        source="EVIDENCE 2: Basra & Neumann 2017 (CTC Sentinel 10(9)); BE INCC",
        doc="Share of the extremist cohort with a prior criminal record.",
    )
    prior_record_comparison: float = param(
        0.75,
        unit="share",
        plausible=(0.6, 0.9),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Share of the comparison cohort with a prior criminal record.",
    )
    sentence_years_extremist: float = param(
        6.0,
        unit="years",
        plausible=(5.0, 8.6),
        bounds=(0.5, 30.0),
        source="EVIDENCE 2: Europol TE-SAT 2017 (average 5-7 y); GLOBSEC 2018 (8 y 7 m)",
        doc="Mean total sentence of the extremist cohort; the time already served is uniform.",
    )
    sentence_years_comparison: float = param(
        3.0,
        unit="years",
        plausible=(1.0, 6.0),
        bounds=(0.25, 30.0),
        source=ASSUMPTION,
        doc="Mean total sentence of the comparison cohort.",
    )
    housing_need_at_release: float = param(
        0.37,
        unit="share",
        plausible=(0.15, 0.5),
        bounds=(0.0, 1.0),
        source="EVIDENCE 2: MoJ SPCR (Williams, Poyser & Hopkins 2012): 15 % homeless before "
        "custody, 37 % need help with housing at release",
        doc="Share with no housing to go to at release unless an agency or they find some.",
    )
    work_at_release: float = param(
        0.17,
        unit="share",
        plausible=(0.10, 0.30),
        bounds=(0.0, 1.0),
        source="EVIDENCE 2: MoJ/HMRC/DWP data linkage 2013 (E&W): 17 % in work",
        doc="Share with work or education lined up independently of any agency.",
    )
    never_visited: float = param(
        0.39,
        unit="share",
        plausible=(0.30, 0.50),
        bounds=(0.0, 1.0),
        source="EVIDENCE 2: Duwe & Clark 2013 (Crim Justice Policy Rev 24(3)): 39 %",
        doc="Share never visited in prison (family ties start near zero).",
    )
    psychosis: float = param(
        0.036,
        unit="share",
        plausible=(0.02, 0.06),
        bounds=(0.0, 1.0),
        source="EVIDENCE 2: Fazel & Seewald 2012 (Br J Psychiatry 200): 3.6 %",
        doc="Share with psychotic illness.",
    )
    depression: float = param(
        0.102,
        unit="share",
        plausible=(0.08, 0.15),
        bounds=(0.0, 1.0),
        source="EVIDENCE 2: Fazel & Seewald 2012: 10.2 % major depression (men)",
        doc="Share with major depression.",
    )
    ideology_mean_extremist: float = param(
        0.60,
        unit="index 0-1",
        plausible=(0.4, 0.8),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Mean ideological commitment (belief) of the extremist cohort at the start (beta).",
    )
    ideology_mean_comparison: float = param(
        0.03,
        unit="index 0-1",
        plausible=(0.0, 0.1),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Mean ideological commitment of the comparison cohort at the start.",
    )
    group_ties_mean_extremist: float = param(
        0.40,
        unit="index 0-1",
        plausible=(0.2, 0.6),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Mean ties to an extremist group (behaviour) of the extremist cohort at the start.",
    )
    frailty_shape: float = param(
        0.8,
        unit="gamma shape",
        plausible=(0.4, 3.0),
        bounds=(0.1, 100.0),
        source="assumption, calibrated to the falling hazard of Alper, Durose & Markman 2018",
        doc="Shape of the gamma-distributed personal propensity to offend (mean 1); smaller is "
        "more unequal, which makes the cohort's hazard fall faster after release.",
    )
    age_min: float = param(
        17.0,
        unit="years",
        plausible=(15.0, 19.0),
        bounds=(0.0, 40.0),
        source=ASSUMPTION,
        doc="Youngest age at the start (younger draws are raised to it).",
    )
    age_max: float = param(
        70.0,
        unit="years",
        plausible=(60.0, 80.0),
        bounds=(41.0, 120.0),
        source=ASSUMPTION,
        doc="Oldest age at the start (older draws are lowered to it).",
    )
    sentence_shape: float = param(
        4.0,
        unit="gamma shape",
        plausible=(1.5, 8.0),
        bounds=(0.1, 100.0),
        source=ASSUMPTION,
        doc="Shape of the gamma-distributed total sentence (mean sentence_years_*); smaller "
        "spreads sentence lengths more.",
    )
    ideology_concentration: float = param(
        6.0,
        unit="beta concentration",
        plausible=(2.0, 10.0),
        bounds=(0.1, 1000.0),
        source=ASSUMPTION,
        doc="Concentration of the starting ideology around its cohort mean (beta a + b; larger: "
        "people more alike).",
    )
    group_ties_mean_comparison: float = param(
        0.02,
        unit="index 0-1",
        plausible=(0.0, 0.05),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Mean group ties of the comparison cohort at the start.",
    )
    group_ties_concentration: float = param(
        5.0,
        unit="beta concentration",
        plausible=(2.0, 8.0),
        bounds=(0.1, 1000.0),
        source=ASSUMPTION,
        doc="Concentration of the starting group ties around their cohort mean (beta a + b; "
        "larger: people more alike).",
    )
    family_ties_mean_visited: float = param(
        0.6,
        unit="index 0-1",
        plausible=(0.4, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Mean family ties at the start of people visited in prison.",
    )
    family_ties_concentration: float = param(
        6.0,
        unit="beta concentration",
        plausible=(2.0, 10.0),
        bounds=(0.1, 1000.0),
        source=ASSUMPTION,
        doc="Concentration of the starting family ties of people visited in prison (beta a + b).",
    )
    family_ties_mean_never_visited: float = param(
        0.1,
        unit="index 0-1",
        plausible=(0.0, 0.2),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Mean family ties at the start of people never visited in prison.",
    )
    family_ties_concentration_never_visited: float = param(
        8.0,
        unit="beta concentration",
        plausible=(4.0, 12.0),
        bounds=(0.1, 1000.0),
        source=ASSUMPTION,
        doc="Concentration of the starting family ties of people never visited (beta a + b).",
    )
    hope_mean: float = param(
        0.35,
        unit="index 0-1",
        plausible=(0.2, 0.5),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Goals]",
        doc="Mean hope at the start.",
    )
    hope_concentration: float = param(
        6.0,
        unit="beta concentration",
        plausible=(2.0, 10.0),
        bounds=(0.1, 1000.0),
        source=ASSUMPTION,
        doc="Concentration of the starting hope around its mean (beta a + b).",
    )
    trust_mean: float = param(
        0.2,
        unit="index 0-1",
        plausible=(0.05, 0.35),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Trust]",
        doc="Mean trust in practitioners at the start.",
    )
    trust_concentration: float = param(
        6.0,
        unit="beta concentration",
        plausible=(2.0, 10.0),
        bounds=(0.1, 1000.0),
        source=ASSUMPTION,
        doc="Concentration of the starting trust around its mean (beta a + b).",
    )
    family_trust_start: float = param(
        0.6,
        unit="index 0-1",
        plausible=(0.4, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Family's trust in agencies at the start (the same for everyone).",
    )
    # --- shared disadvantage: loadings of the Gaussian copula (population.make_people) ---
    disadvantage_propensity: float = _loading(
        0.5,
        (0.2, 0.7),
        "assumption (direction: Brunton-Smith & Hopkins 2013, MoJ SPCR waves 1-3: prior "
        "offending, accommodation and employment each go with reoffending after release)",
        "personal propensity to offend (frailty)",
    )
    disadvantage_prior_record: float = _loading(
        0.5,
        (0.2, 0.7),
        "assumption (direction: Williams, Poyser & Hopkins 2012, MoJ SPCR: prisoners sentenced "
        "before were more often homeless before custody and in need of help with housing at "
        "release)",
        "a prior criminal record",
    )
    disadvantage_no_housing: float = _loading(
        0.5,
        (0.2, 0.7),
        "assumption (direction: Williams, Poyser & Hopkins 2012, SPCR; Herbert, Morenoff & "
        "Harding 2015, Michigan parolees: prior incarceration and mental illness go with "
        "housing insecurity, earnings and social support protect)",
        "no housing to go to at release",
    )
    disadvantage_no_work: float = _loading(
        0.4,
        (0.1, 0.6),
        "assumption (direction: Hopkins 2012, MoJ SPCR pre-custody employment: unemployment "
        "and low pay before custody went with more reoffending after release)",
        "no work or education lined up at release",
    )
    disadvantage_weak_family_ties: float = _loading(
        0.3,
        (0.0, 0.5),
        "assumption (direction: Herbert, Morenoff & Harding 2015: social support protects "
        "against housing insecurity after prison)",
        "weaker family ties (the never visited among them: the whole starting distribution of "
        "family ties, never_visited's share included, is read at this score)",
    )
    disadvantage_mental_health: float = _loading(
        0.3,
        (0.0, 0.5),
        "assumption (direction: Herbert, Morenoff & Harding 2015: mental illness a risk factor "
        "for housing insecurity after prison)",
        "psychosis or major depression (the disadvantaged first)",
    )
    disadvantage_youth: float = _loading(
        0.2,
        (0.0, 0.4),
        ASSUMPTION,
        "younger age",
    )
    disadvantage_group_ties: float = _loading(
        0.2,
        (0.0, 0.4),
        "assumption (direction: Altier, Boyle & Horgan 2021, Terrorism and Political Violence "
        "33(4): those from an upper- or middle-class childhood family re-engaged less often)",
        "stronger ties to an extremist group",
    )
    disadvantage_ideology: float = _loading(
        0.0,
        (-0.2, 0.3),
        "assumption: no figures (Altier, Boyle & Horgan 2021 find beliefs and connections, not "
        "social achievements, predict re-engagement); 0 = belief independent of disadvantage",
        "stronger ideological commitment",
    )


class Prison(_Group):
    """The prison regime [RAN 2018, Prisons and prison regime; CONTEST]."""

    regime: Literal["dispersal", "separation", "mixed"] = param(
        "dispersal",
        unit="category",
        plausible=("dispersal", "separation", "mixed"),
        source="RAN 2018 [Prisons and prison regime]",
        doc="Where extremist prisoners are held: spread over ordinary wings (dispersal), all in "
        "separation wings (separation), or the most committed in separation wings (mixed).",
    )
    mixed_separation_share: float = param(
        0.25,
        unit="share",
        plausible=(0.05, 0.5),
        bounds=(0.0, 1.0),
        source="assumption (E&W separation centres: 28 places, EVIDENCE 3)",
        doc="Under the mixed regime, the share of the extremist cohort (most committed first) "
        "held in separation wings.",
    )
    terrorism_share: float = param(
        0.01,
        unit="share",
        plausible=(0.002, 0.05),
        bounds=(0.0001, 1.0),
        source="EVIDENCE 5: Home Office Terrorism Act statistics (about 230-250 in custody for "
        "terrorism-connected offences in Great Britain, of about 80,000 prisoners in England "
        "and Wales: well under 1 %); large EU states hold more (assumption for the range)",
        doc="Terrorism convicts' share of the prisoners on ordinary wings. The followed cohorts "
        "live among a background prison population of ordinary prisoners, sized so that the "
        "dispersed extremist cohort makes up this share of the wings; cohort sizes then set "
        "precision, not the prison's make-up. 1 (or more extremists than this allows) fills the "
        "wings with the followed people only, as before.",
    )
    background_ideology_mean: float = param(
        0.03,
        unit="index 0-1",
        plausible=(0.0, 0.1),
        bounds=(0.0, 0.99),
        source="assumption (as the comparison cohort's starting ideology)",
        doc="Mean ideology of the background ordinary prisoners (a beta distribution with "
        "population.ideology_concentration): what wing-mates who are not followed bring to a "
        "wing's views. Their turnover keeps it at steady state.",
    )
    wing_size: int = param(
        60,
        unit="persons",
        plausible=(20, 150),
        bounds=(2, 10_000),
        source=ASSUMPTION,
        doc="Prisoners per wing at nominal occupancy.",
    )
    overcrowding: float = param(
        1.1,
        unit="occupancy ratio",
        plausible=(0.9, 1.5),
        bounds=(0.5, 3.0),
        source="assumption; RAN 2018 [Prisons and prison regime]",
        doc="Occupancy relative to design capacity; above 1, reflection and programmes suffer.",
    )
    fairness: float = param(
        0.6,
        unit="index 0-1",
        plausible=(0.3, 0.9),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Prisons and prison regime; Trust]",
        doc="Fairness and respect of the regime; unfair treatment breaks trust and feeds grievance.",
    )
    peer_influence: float = param(
        0.003,
        unit="per week",
        plausible=(0.0, 0.03),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Rate at which a prisoner's ideology moves toward the mean of the wing.",
    )
    differing_views: float = param(
        0.004,
        unit="per week",
        plausible=(0.0, 0.015),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Prisons and prison regime]",
        doc="Moderation of ideology per week from contact with differing views, scaled by the "
        "share of non-extremists on the wing.",
    )
    specialised_staff: float = param(
        1.3,
        unit="multiplier",
        plausible=(1.0, 2.0),
        bounds=(0.0, 5.0),
        source="assumption; RAN 2018 [Prisons and prison regime]",
        doc="Trust-building multiplier of specially trained staff on separation wings.",
    )
    refusal_onset: float = param(
        0.08,
        unit="per week",
        plausible=(0.01, 0.2),
        bounds=(0.0, 1.0),
        source="assumption; HM Inspectorate of Prisons 2022 (separation centres at Frankland "
        "and Woodhill): almost all prisoners refused any purposeful activity or offending "
        "behaviour work (set so that about three in four of those held a year refuse, "
        "tests/test_refusal.py)",
        doc="Weekly chance that a person held on a separation wing who does not trust "
        "practitioners (scaled by 1 - trust) starts refusing purposeful activity and programme "
        "work; while refusing, exit work, religious counsel and custody programmes change "
        "nothing.",
    )
    refusal_overcome: float = param(
        0.01,
        unit="per week",
        plausible=(0.0, 0.05),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Prisons and prison regime; Trust]",
        doc="Weekly chance, scaled by trust, that a practitioner in contact (prison key worker, "
        "exit worker or religious counsellor) brings a refusing person back to activity.",
    )
    crowding_reflection_loss: float = param(
        2.0,
        unit="per unit of overcrowding",
        plausible=(0.5, 3.5),
        bounds=(0.0, 100.0),
        source="assumption; RAN 2018 [Prisons and prison regime]",
        doc="How fast the room to reflect falls above design capacity: it is 1 / (1 + this x "
        "(overcrowding - 1)); it scales differing views and exit work in custody.",
    )


class Release(_Group):
    """Transition planning, the release day and licence [RAN 2018, Transition management;
    Release conditions]."""

    planning_lead_weeks: int = param(
        12,
        unit="weeks",
        plausible=(0, 52),
        bounds=(0, 520),
        source="assumption; RAN 2018 [Transition management]",
        doc="Transition planning starts this many weeks before release.",
    )
    continuity: float = param(
        0.3,
        unit="share",
        plausible=(0.0, 1.0),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Transition management]",
        doc="Share of releases in which the practitioner from inside continues outside.",
    )
    discontinuity_trust_loss: float = param(
        0.5,
        unit="share of trust",
        plausible=(0.2, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Transition management]",
        doc="Share of the person's trust lost when a new practitioner takes over: at release "
        "without continuity, and whenever the key practitioner changes (a return to custody, "
        "the end of exit support). Trust belongs to the relationship with the key practitioner "
        "(the exit worker, else the prison key worker, else the probation officer).",
    )
    continuity_plan_weeks: int = param(
        26,
        unit="weeks after release",
        plausible=(0, 52),
        bounds=(0, 520),
        source="assumption; RAN 2018 [Transition management] (the same practitioner carries "
        "the plan across the gate); Lewis et al. 2003, Home Office RS 83 (resettlement "
        "pathfinders: continuity of contact after release went with better outcomes)",
        doc="When the practitioner from inside continues outside, they carry the resettlement "
        "plan: for this many weeks after release the person searches for housing and work "
        "with an agency's help (the aided chances), whether or not a housing or employment "
        "worker has a place for them yet. 0: continuity carries trust only.",
    )
    licence_years_extremist: float = param(
        3.0,
        unit="years",
        plausible=(1.0, 5.0),
        bounds=(0.0, 30.0),
        source=ASSUMPTION,
        doc="Licence (supervision) period after release, extremist cohort.",
    )
    licence_years_comparison: float = param(
        1.0,
        unit="years",
        plausible=(0.5, 3.0),
        bounds=(0.0, 30.0),
        source=ASSUMPTION,
        doc="Licence period after release, comparison cohort.",
    )
    electronic_monitoring: float = param(
        0.2,
        unit="share",
        plausible=(0.0, 1.0),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Release conditions]",
        doc="Share of extremist releases with electronic monitoring or house arrest.",
    )
    monitoring_stigma: float = param(
        0.15,
        unit="index 0-1",
        plausible=(0.0, 0.3),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Release conditions]",
        doc="Stigma added while electronically monitored.",
    )
    monitoring_contact: float = param(
        1.5,
        unit="multiplier",
        plausible=(1.0, 3.0),
        bounds=(0.0, 10.0),
        source="assumption; RAN 2018 [Release conditions]",
        doc="More contact (and trust building) while monitored.",
    )
    family_pickup: float = param(
        0.6,
        unit="probability",
        plausible=(0.3, 0.9),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Probability that family with full ties meets the person at the gate (scaled by ties).",
    )
    recall_stay_weeks: int = param(
        16,
        unit="weeks",
        plausible=(4, 52),
        bounds=(1, 520),
        source=ASSUMPTION,
        doc="Time back in custody after a recall.",
    )


class Agencies(_Group):
    """Staffing, caseload capacity and service success [RAN 2018, Material support;
    Mental health; Staff training; EVIDENCE 3]."""

    staffing_level: float = param(
        1.0,
        unit="multiplier",
        plausible=(0.3, 2.0),
        bounds=(0.0, 20.0),
        source="assumption; RAN 2018 [Staff training]",
        doc="Staffing level relative to the baseline for every agency (1 = baseline).",
    )
    probation_officers_per_1000: float = param(
        12.0,
        unit="officers / 1000 people",
        plausible=(5.0, 25.0),
        bounds=(0.0, 1000.0),
        source=ASSUMPTION,
        doc="Probation officers per 1,000 people in the simulated population.",
    )
    probation_caseload: int = param(
        36,
        unit="cases / officer",
        plausible=(20, 60),
        bounds=(1, 500),
        source="EVIDENCE 3: parliamentary answer Sept 2024 (35-37 cases); HMI Probation 2021/02",
        doc="Caseload capacity of one probation officer.",
    )
    exit_workers_per_1000: float = param(
        16.0,
        unit="workers / 1000 extremist cohort",
        plausible=(4.0, 40.0),
        bounds=(0.0, 1000.0),
        source=ASSUMPTION,
        doc="Exit workers per 1,000 people of the extremist cohort, whom they serve inside and "
        "outside; agencies.exit_ngo_share of them work for NGOs, the rest for the state.",
    )
    exit_ngo_share: float = param(
        1.0,
        unit="share of exit workers",
        plausible=(0.0, 1.0),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Providers of exit work] (exit work is done by NGOs, by "
        "the state, or by both side by side, as in Germany)",
        doc="Share of exit workers employed by NGOs. NGO workers build trust at the rate "
        "behaviour.trust_growth describes and pass on agencies.ngo_information_sharing of what "
        "a state worker passes on; state workers build trust at "
        "agencies.state_exit_trust_growth of that rate and share what they learn with the "
        "security services. Workers of each kind are spread evenly over the caseload slots.",
    )
    state_exit_trust_growth: float = param(
        0.6,
        unit="multiplier (NGO worker = 1)",
        plausible=(0.3, 1.0),
        bounds=(0.0, 5.0),
        source="assumption; RAN 2018 [Providers of exit work; Trust] (clients see state "
        "workers as part of the system that convicted them; no published ratio)",
        doc="Trust built in a week of contact with a state exit worker, relative to an NGO one.",
    )
    ngo_information_sharing: float = param(
        0.0,
        unit="share (state worker = 1)",
        plausible=(0.0, 0.5),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Providers of exit work] (NGOs such as Violence "
        "Prevention Network keep confidentiality except where harm is imminent)",
        doc="What an NGO exit worker passes to the security services, relative to a state "
        "exit worker.",
    )
    exit_information_detection: float = param(
        1.0,
        unit="relative increase",
        plausible=(0.0, 3.0),
        bounds=(0.0, 20.0),
        source="assumption; RAN 2018 [Multi-agency cooperation] (information from exit "
        "work helps security services see re-engagement; no published size)",
        doc="How much an exit worker who shares fully raises the weekly chance that their "
        "client's re-engagement is documented: the chance is multiplied by 1 + this x the "
        "worker's sharing (1 for a state worker, agencies.ngo_information_sharing for an NGO).",
    )
    exit_caseload: int = param(
        12,
        unit="cases / worker",
        plausible=(6, 25),
        bounds=(1, 500),
        source=ASSUMPTION,
        doc="Caseload capacity of one exit worker.",
    )
    exit_support_years: float = param(
        1.5,
        unit="years after release",
        plausible=(1.0, 5.0),
        bounds=(0.0, 30.0),
        source="EVIDENCE 3: EXIT-Deutschland (1-1.5 y in 60 %); VPN stabilisation up to 1 y",
        doc="How long exit support continues after release.",
    )
    housing_workers_per_1000: float = param(
        4.0,
        unit="workers / 1000 people",
        plausible=(1.0, 10.0),
        bounds=(0.0, 1000.0),
        source=ASSUMPTION,
        doc="Housing support workers per 1,000 people.",
    )
    housing_caseload: int = param(
        20,
        unit="cases / worker",
        plausible=(10, 40),
        bounds=(1, 500),
        source=ASSUMPTION,
        doc="Caseload of one housing worker.",
    )
    employment_workers_per_1000: float = param(
        4.0,
        unit="workers / 1000 people",
        plausible=(1.0, 10.0),
        bounds=(0.0, 1000.0),
        source=ASSUMPTION,
        doc="Employment and education advisers per 1,000 people.",
    )
    employment_caseload: int = param(
        25,
        unit="cases / worker",
        plausible=(10, 50),
        bounds=(1, 500),
        source=ASSUMPTION,
        doc="Caseload of one employment adviser.",
    )
    mental_health_workers_per_1000: float = param(
        2.0,
        unit="workers / 1000 people",
        plausible=(0.5, 6.0),
        bounds=(0.0, 1000.0),
        source=ASSUMPTION,
        doc="Mental health practitioners per 1,000 people.",
    )
    mental_health_caseload: int = param(
        25,
        unit="cases / worker",
        plausible=(10, 50),
        bounds=(1, 500),
        source=ASSUMPTION,
        doc="Caseload of one mental health practitioner.",
    )
    religious_counsellors_per_1000: float = param(
        2.0,
        unit="counsellors / 1000 extremist cohort",
        plausible=(0.0, 8.0),
        bounds=(0.0, 1000.0),
        source="assumption; RAN 2018 [Theological support]",
        doc="Vetted religious counsellors per 1,000 people of the extremist cohort (whom they "
        "serve).",
    )
    religious_caseload: int = param(
        20,
        unit="cases / counsellor",
        plausible=(10, 40),
        bounds=(1, 500),
        source=ASSUMPTION,
        doc="Caseload of one religious counsellor.",
    )
    police_officers_per_1000: float = param(
        6.0,
        unit="officers / 1000 extremist cohort",
        plausible=(2.0, 20.0),
        bounds=(0.0, 1000.0),
        source=ASSUMPTION,
        doc="Security/police officers monitoring released extremist offenders, per 1,000 people "
        "of the extremist cohort.",
    )
    police_caseload: int = param(
        30,
        unit="cases / officer",
        plausible=(10, 60),
        bounds=(1, 500),
        source=ASSUMPTION,
        doc="Monitoring caseload of one security/police officer.",
    )
    prison_key_workers_per_1000: float = param(
        20.0,
        unit="officers / 1000 people",
        plausible=(5.0, 40.0),
        bounds=(0.0, 1000.0),
        source=ASSUMPTION,
        doc="Prison key workers (officers with a personal caseload) per 1,000 people.",
    )
    prison_caseload: int = param(
        40,
        unit="cases / officer",
        plausible=(10, 80),
        bounds=(1, 500),
        source=ASSUMPTION,
        doc="Caseload of one prison key worker.",
    )
    housing_success: float = param(
        0.05,
        unit="probability / week",
        plausible=(0.02, 0.12),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly chance that a supported person without housing secures it (before stigma).",
    )
    housing_self: float = param(
        0.012,
        unit="probability / week",
        plausible=(0.003, 0.03),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly chance of securing housing unaided (before stigma).",
    )
    work_success: float = param(
        0.04,
        unit="probability / week",
        plausible=(0.01, 0.1),
        bounds=(0.0, 1.0),
        source="assumption (Visher et al. 2005: a job programme is not a job)",
        doc="Weekly chance that a supported person finds work or education (before stigma).",
    )
    work_self: float = param(
        0.012,
        unit="probability / week",
        plausible=(0.003, 0.03),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly chance of finding work or education unaided (before stigma).",
    )
    job_loss: float = param(
        0.008,
        unit="probability / week",
        plausible=(0.002, 0.02),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly chance of losing work.",
    )
    housing_loss: float = param(
        0.004,
        unit="probability / week",
        plausible=(0.001, 0.015),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly chance of losing housing.",
    )
    record_penalty: float = param(
        0.5,
        unit="share of chances lost",
        plausible=(0.3, 0.7),
        bounds=(0.0, 1.0),
        source="EVIDENCE 4: Pager 2003 (AJS 108(5)): callbacks roughly halved",
        doc="Share of job and housing chances lost to full stigma.",
    )
    treatment_effect: float = param(
        0.5,
        unit="share of log hazard ratio removed",
        plausible=(0.2, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; EVIDENCE 4: Hopkin et al. 2018 (mixed effect)",
        doc="Share of the mental-health log hazard ratio removed while in treatment.",
    )
    exit_work_effect: float = param(
        0.006,
        unit="per week",
        plausible=(0.001, 0.02),
        bounds=(0.0, 1.0),
        source="assumption; EVIDENCE 4: Andrews & Bonta 2010 (r 0.15 in practice)",
        doc="Weekly reduction of ideology from exit work at full trust.",
    )
    religious_effect: float = param(
        0.003,
        unit="per week",
        plausible=(0.0, 0.01),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Theological support]",
        doc="Weekly reduction of ideology from vetted religious counsel.",
    )
    police_detection: float = param(
        0.03,
        unit="probability / week",
        plausible=(0.005, 0.1),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly chance that active re-engagement is documented for a monitored person "
        "(agencies.unmonitored_detection of it without police monitoring).",
    )
    disruption_probability: float = param(
        0.5,
        unit="probability",
        plausible=(0.0, 1.0),
        bounds=(0.0, 1.0),
        source="assumption (RAN 2018 [Multi-agency cooperation]: security information serves "
        "to intervene; no published share)",
        doc="Chance that security services act on a documented re-engagement (arrest, "
        "disruption of contact with the group); 0: detection only documents and recalls.",
    )
    disruption_delay_weeks: int = param(
        4,
        unit="weeks",
        plausible=(0, 26),
        bounds=(0, 260),
        source=ASSUMPTION,
        doc="Weeks from documentation to the intervention.",
    )
    disruption_ties_loss: float = param(
        0.5,
        unit="share",
        plausible=(0.2, 0.9),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Share of the person's ties to the group that an intervention cuts (their capacity "
        "to offend with the group, read by the hazards through group ties).",
    )
    disruption_family_trust_loss: float = param(
        0.15,
        unit="share",
        plausible=(0.0, 0.5),
        bounds=(0.0, 1.0),
        source="assumption (RAN 2018 [Social support]: families distrust security agencies)",
        doc="Share of the family's trust in agencies lost when security services intervene.",
    )
    disruption_trust_loss: float = param(
        0.1,
        unit="share",
        plausible=(0.0, 0.5),
        bounds=(0.0, 1.0),
        source="assumption (RAN 2018 [Trust])",
        doc="Share of the person's trust in practitioners lost when security services intervene.",
    )
    police_family_trust_cost: float = param(
        0.002,
        unit="per week",
        plausible=(0.0, 0.01),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Weekly erosion of family trust in agencies while security services monitor.",
    )
    contact_prison: float = param(
        0.5,
        unit="contact (exit worker = 1)",
        plausible=(0.2, 0.8),
        bounds=(0.0, 10.0),
        source=ASSUMPTION,
        doc="Contact intensity with a prison key worker, relative to an exit worker's (the "
        "unit of contact that behaviour.trust_growth is given for).",
    )
    contact_probation: float = param(
        0.7,
        unit="contact (exit worker = 1)",
        plausible=(0.4, 1.0),
        bounds=(0.0, 10.0),
        source=ASSUMPTION,
        doc="Contact intensity with a probation officer, relative to an exit worker's.",
    )
    contact_religious: float = param(
        0.3,
        unit="contact (exit worker = 1)",
        plausible=(0.1, 0.5),
        bounds=(0.0, 10.0),
        source="assumption; RAN 2018 [Theological support]",
        doc="Contact intensity with a religious counsellor, relative to an exit worker's.",
    )
    contact_cap: float = param(
        1.5,
        unit="contact (exit worker = 1)",
        plausible=(1.0, 2.0),
        bounds=(0.0, 100.0),
        source=ASSUMPTION,
        doc="Most contact that counts toward trust growth in a week, however many "
        "practitioners a person has.",
    )
    exit_family_trust: float = param(
        0.005,
        unit="per week",
        plausible=(0.0, 0.01),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Weekly growth of the family's trust in agencies toward 1 while an exit worker "
        "works with the person.",
    )
    work_age_limit: float = param(
        65.0,
        unit="years",
        plausible=(60.0, 70.0),
        bounds=(0.0, 150.0),
        source="assumption (pension age)",
        doc="Age from which nobody looks for work or education, or gets employment help.",
    )
    police_ties_threshold: float = param(
        0.3,
        unit="index 0-1",
        plausible=(0.15, 0.45),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Group ties above which released people of the extremist cohort are monitored by "
        "the police after their licence.",
    )
    unmonitored_detection: float = param(
        0.2,
        unit="share",
        plausible=(0.0, 0.4),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Share of agencies.police_detection that applies to engaged people the police do "
        "not monitor.",
    )
    detection_family_trust_weight: float = param(
        0.5,
        unit="share",
        plausible=(0.0, 1.0),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Share of the detection chance that rests on the family's trust in agencies: "
        "detection x (1 - this + this x family trust).",
    )


class Behaviour(_Group):
    """How trust, hope, stigma, ties and belief change week to week [RAN 2018, Goals; Trust;
    Stigmatisation; Social support]."""

    trust_growth: float = param(
        0.03,
        unit="per week",
        plausible=(0.01, 0.08),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Goals; Trust] (trust takes months)",
        doc="Weekly growth of trust toward 1 with a practitioner in contact.",
    )
    trust_decay: float = param(
        0.01,
        unit="per week",
        plausible=(0.0, 0.03),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly decay of trust without any practitioner contact.",
    )
    unfairness_rate: float = param(
        0.04,
        unit="probability / week",
        plausible=(0.01, 0.1),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Trust]",
        doc="Weekly chance of an incident perceived as unfair, scaled by (1 - fairness).",
    )
    unfairness_trust_loss: float = param(
        0.4,
        unit="share of trust",
        plausible=(0.1, 0.7),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Trust]",
        doc="Share of trust lost in an unfair incident.",
    )
    grievance: float = param(
        0.02,
        unit="index / incident",
        plausible=(0.0, 0.05),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Prisons and prison regime]",
        doc="Ideology added by an unfair incident (discrimination feeds grievance), in full for "
        "those leaning toward a belief (ideology sympathy_threshold or more), less for others.",
    )
    community_fairness: float = param(
        0.7,
        unit="index 0-1",
        plausible=(0.4, 0.95),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Fairness of treatment by agencies after release.",
    )
    hope_per_milestone: float = param(
        0.12,
        unit="index / milestone",
        plausible=(0.05, 0.25),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Goals]",
        doc="Hope gained when a milestone is reached.",
    )
    boredom: float = param(
        0.006,
        unit="per week",
        plausible=(0.0, 0.02),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Goals]",
        doc="Weekly loss of hope without work, education or a programme.",
    )
    hope_from_trust: float = param(
        0.004,
        unit="per week",
        plausible=(0.0, 0.02),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly hope gained in proportion to trust in a practitioner.",
    )
    stigma_conviction_extremist: float = param(
        0.6,
        unit="index 0-1",
        plausible=(0.3, 0.9),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Stigmatisation]",
        doc="Stigma of a terrorism conviction at release.",
    )
    stigma_conviction_comparison: float = param(
        0.35,
        unit="index 0-1",
        plausible=(0.1, 0.6),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Stigma of an ordinary violent conviction at release.",
    )
    stigma_fade: float = param(
        0.004,
        unit="per week",
        plausible=(0.001, 0.01),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly fading of conviction stigma while living in the community.",
    )
    prejudice_weight: float = param(
        0.4,
        unit="index per unit prejudice",
        plausible=(0.0, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Stigmatisation]",
        doc="How much community prejudice adds to the stigma a person meets.",
    )
    family_support_growth: float = param(
        0.01,
        unit="per week",
        plausible=(0.0, 0.03),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Weekly growth of family ties while living with or near supportive family.",
    )
    family_conflict: float = param(
        0.01,
        unit="probability / week",
        plausible=(0.0, 0.04),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Weekly chance of a family conflict (scaled by stress), which halves family ties.",
    )
    ideology_drift_group: float = param(
        0.003,
        unit="per week",
        plausible=(0.0, 0.02),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly pull of ideology toward 1 in proportion to group ties.",
    )
    ideology_drift_rejection: float = param(
        0.003,
        unit="per week",
        plausible=(0.0, 0.01),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Stigmatisation]",
        doc="Weekly pull of ideology up in proportion to stigma (feeling rejected), in full for "
        "those leaning toward a belief (ideology sympathy_threshold or more), less for others.",
    )
    ideology_drift_bonds: float = param(
        0.004,
        unit="per week",
        plausible=(0.0, 0.015),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly pull of ideology down from family ties, work and hope.",
    )
    ties_decay: float = param(
        0.008,
        unit="per week",
        plausible=(0.0, 0.04),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly loosening of group ties with work, housing and family (bonds).",
    )
    peer_ties_pull: float = param(
        0.01,
        unit="per week",
        plausible=(0.0, 0.03),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly pull of group ties toward those of released network contacts.",
    )
    engaged_threshold: float = param(
        0.6,
        unit="index 0-1",
        plausible=(0.5, 0.9),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Group ties above which a person counts as actively engaged with the group.",
    )
    deradicalised_threshold: float = param(
        0.3,
        unit="index 0-1",
        plausible=(0.15, 0.45),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Ideology below which a person counts as deradicalised (belief).",
    )
    disengaged_threshold: float = param(
        0.2,
        unit="index 0-1",
        plausible=(0.1, 0.4),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Group ties below which a person counts as disengaged (behaviour).",
    )
    sympathy_threshold: float = param(
        0.3,
        unit="index 0-1",
        plausible=(0.1, 0.5),
        bounds=(0.01, 1.0),
        source="assumption; RAN 2018 [Stigmatisation]",
        doc="Ideology from which grievance and rejection feed a belief in full; below it they "
        "feed it as (ideology / this) ** sympathy_exponent.",
    )
    sympathy_exponent: float = param(
        2.0,
        unit="exponent",
        plausible=(1.5, 4.0),
        bounds=(1.0, 10.0),
        source="assumption (RAN 2018 [Stigmatisation]: rejection deepens an existing "
        "identification; no figure)",
        doc="How steeply the feed of grievance and rejection falls below sympathy_threshold. "
        "Above 1 it falls faster than the pull of bonds (proportional to ideology), so near 0 "
        "the bonds win and a person with no leaning is not radicalised by rejection alone; at 1 "
        "(the rule before) rejection could outgrow the bonds and create belief from nothing.",
    )
    custody_family_drift: float = param(
        0.2,
        unit="share of family_support_growth",
        plausible=(0.0, 0.5),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Family ties lost each week in custody to distance, as a share of "
        "family_support_growth (times family ties).",
    )
    custody_ties_decay: float = param(
        0.25,
        unit="share of ties_decay",
        plausible=(0.0, 0.5),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Group ties loosening each week in custody, cut off from the group, as a share of "
        "ties_decay (times group ties).",
    )
    family_growth_trust_weight: float = param(
        0.5,
        unit="share",
        plausible=(0.0, 1.0),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Share of family-ties growth that rests on the family's trust in agencies: growth "
        "x (1 - this + this x family trust).",
    )
    conflict_ties_loss: float = param(
        0.5,
        unit="share of family ties",
        plausible=(0.25, 0.75),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Share of family ties lost in a family conflict.",
    )
    therapy_milestone_weeks: int = param(
        12,
        unit="weeks",
        plausible=(4, 20),
        bounds=(1, 520),
        source="assumption; RAN 2018 [Goals]",
        doc="Weeks with mental health treatment, exit work or religious counsel that reach the "
        "therapy milestone.",
    )
    family_contact_threshold: float = param(
        0.5,
        unit="index 0-1",
        plausible=(0.3, 0.7),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Goals]",
        doc="Family ties above which the family-contact milestone is reached.",
    )

    openness_age_ratio: float = param(
        1.3,
        unit="ratio per 10 years younger",
        plausible=(1.0, 1.6),
        bounds=(0.5, 3.0),
        source="assumption; direction: Krosnick & Alwin 1989 (J Pers Soc Psychol 57(3)): "
        "attitudes change most readily in early adulthood (the impressionable years), far less "
        "later; no figure for extremist belief, so 1 (no effect of age) is in range",
        doc="Openness of belief to change by age, a continuous maturation curve: the weekly "
        "change of ideology (the drift of section 7.13 and the pull of wing-mates in custody) "
        "is multiplied by this ** ((30 - age) / 10), 1 at age 30.",
    )


class Community(_Group):
    """Receiving communities [RAN 2018, Stigmatisation; Trust; Capacity building]."""

    n_communities: int = param(
        20,
        unit="communities",
        plausible=(5, 100),
        bounds=(1, 100_000),
        source=ASSUMPTION,
        doc="Neighbourhoods people return to.",
    )
    organisations_per_community: int = param(
        2,
        unit="organisations",
        plausible=(0, 5),
        bounds=(0, 100),
        source=ASSUMPTION,
        doc="Faith and grassroots organisations per neighbourhood.",
    )
    prejudice_mean: float = param(
        0.4,
        unit="index 0-1",
        plausible=(0.1, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Stigmatisation]",
        doc="Mean prejudice of communities against people with a conviction.",
    )
    capacity_mean: float = param(
        0.4,
        unit="index 0-1",
        plausible=(0.1, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Capacity building]",
        doc="Mean capacity of a community to receive returners (adds to housing and work chances).",
    )
    trust_mean: float = param(
        0.5,
        unit="index 0-1",
        plausible=(0.2, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Trust]",
        doc="Mean trust of communities in institutions and exit workers (makes landlords and "
        "employers cooperate: housing and work chances, see trust_cooperation).",
    )
    press_coverage: float = param(
        0.15,
        unit="prejudice / terrorism offence",
        plausible=(0.0, 0.4),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Stigmatisation] (press coverage)",
        doc="Prejudice added to a community by press coverage of a terrorism offence there "
        "(press_spillover of it to every other community).",
    )
    prejudice_relaxation: float = param(
        0.01,
        unit="per week",
        plausible=(0.002, 0.05),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly return of prejudice toward its long-run level.",
    )
    peer_degree: float = param(
        6.0,
        unit="ties / person",
        plausible=(2.0, 15.0),
        bounds=(0.0, 100.0),
        source=ASSUMPTION,
        doc="Mean number of ties between people (within their home community).",
    )
    concentration: float = param(
        8.0,
        unit="beta concentration",
        plausible=(4.0, 12.0),
        bounds=(0.1, 1000.0),
        source=ASSUMPTION,
        doc="Concentration of communities' prejudice, capacity and trust around their means "
        "(beta a + b; larger: communities more alike).",
    )
    size_concentration: float = param(
        3.0,
        unit="Dirichlet concentration",
        plausible=(1.0, 5.0),
        bounds=(0.01, 1000.0),
        source=ASSUMPTION,
        doc="How alike communities are in size (concentration of the Dirichlet draw of their "
        "shares of the population; smaller is more unequal).",
    )
    organisation_capacity: float = param(
        0.05,
        unit="index / organisation",
        plausible=(0.0, 0.1),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Capacity building]",
        doc="Capacity to receive returners that each faith or grassroots organisation adds to "
        "its community.",
    )
    capacity_floor: float = param(
        0.5,
        unit="multiplier",
        plausible=(0.25, 0.75),
        bounds=(0.0, 10.0),
        source="assumption; RAN 2018 [Capacity building]",
        doc="Factor on housing and work chances in a community with no capacity; the factor is "
        "this plus the community's capacity.",
    )
    trust_cooperation: float = param(
        0.5,
        unit="multiplier per unit trust",
        plausible=(0.0, 1.0),
        bounds=(0.0, 2.0),
        source="assumption; RAN 2018 [Trust]",
        doc="How much community trust makes landlords and employers cooperate: housing and work "
        "chances x (1 - this / 2 + this x trust).",
    )
    press_spillover: float = param(
        0.1,
        unit="share of press_coverage",
        plausible=(0.0, 0.3),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Stigmatisation] (press coverage)",
        doc="Share of the prejudice from press coverage of a terrorism offence that every other "
        "community also gets.",
    )


class Recruiters(_Group):
    """Extremist recruiters in prison, at the gate and in the community [RAN 2018,
    Stigmatisation; Transition management; Material support]. No data exist: all assumptions."""

    in_prison_per_1000: float = param(
        5.0,
        unit="recruiters / 1000 people",
        plausible=(0.0, 20.0),
        bounds=(0.0, 1000.0),
        source=ASSUMPTION,
        doc="Active recruiters inside prison.",
    )
    community_per_1000: float = param(
        5.0,
        unit="recruiters / 1000 people",
        plausible=(0.0, 20.0),
        bounds=(0.0, 1000.0),
        source=ASSUMPTION,
        doc="Active recruiters in the community.",
    )
    approaches_per_week: float = param(
        1.0,
        unit="approaches / recruiter / week",
        plausible=(0.2, 3.0),
        bounds=(0.0, 100.0),
        source=ASSUMPTION,
        doc="Approaches each recruiter makes in a week.",
    )
    approach_success: float = param(
        0.12,
        unit="probability",
        plausible=(0.02, 0.3),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Chance that an approach to a fully vulnerable person succeeds.",
    )
    success_ties_gain: float = param(
        0.15,
        unit="index",
        plausible=(0.05, 0.3),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Group ties (and success_ideology_share of it in ideology) gained from a successful "
        "approach.",
    )
    gate_presence: float = param(
        0.15,
        unit="probability",
        plausible=(0.0, 0.5),
        bounds=(0.0, 1.0),
        source="assumption (no data); RAN 2018 [Transition management]",
        doc="Chance that recruiters wait at the gate for an unaccompanied releasee with full "
        "group ties (scaled by the person's group ties, so mostly the extremist cohort).",
    )
    gate_presence_accompanied: float = param(
        0.3,
        unit="share of gate_presence",
        plausible=(0.0, 1.0),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Transition management] (recruiters wait for those nobody "
        "meets)",
        doc="Recruiters choose whom to wait for: the chance for someone met by family or a "
        "practitioner, as a share of the chance for someone released unaccompanied.",
    )
    gate_success_unmet: float = param(
        0.6,
        unit="probability",
        plausible=(0.2, 0.9),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Chance a gate pick-up succeeds when nobody else meets the person.",
    )
    gate_success_met: float = param(
        0.15,
        unit="probability",
        plausible=(0.0, 0.4),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Chance a gate pick-up succeeds when family or a practitioner is at the gate.",
    )
    gate_ties_gain: float = param(
        0.35,
        unit="index",
        plausible=(0.1, 0.5),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Group ties gained from a successful gate pick-up.",
    )
    prison_wing_focus: float = param(
        4.0,
        unit="exponent",
        plausible=(0.0, 8.0),
        bounds=(0.0, 50.0),
        source="assumption; RAN 2018 [Prisons and prison regime]",
        doc="How strongly recruiters in prison sit on the wings of the most committed: wings are "
        "chosen with weight sum of ideology to this power (0: in proportion to wing size).",
    )
    success_ideology_share: float = param(
        0.5,
        unit="share of success_ties_gain",
        plausible=(0.0, 1.0),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Ideology gained from a successful approach, as a share of success_ties_gain (times "
        "1 - ideology).",
    )
    family_protection: float = param(
        0.5,
        unit="share",
        plausible=(0.2, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Share of vulnerability to recruiters removed at full family ties (in prison and "
        "outside).",
    )
    trust_protection: float = param(
        0.5,
        unit="share",
        plausible=(0.2, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Trust]",
        doc="Share of vulnerability to recruiters removed at full trust in practitioners (in "
        "prison and outside).",
    )
    stigma_vulnerability: float = param(
        0.5,
        unit="share",
        plausible=(0.2, 0.8),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Stigmatisation]",
        doc="Share of vulnerability after release that rests on stigma met: vulnerability x "
        "(1 - this + this x stigma).",
    )
    need_met_vulnerability: float = param(
        0.2,
        unit="share",
        plausible=(0.0, 0.4),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Material support]",
        doc="Vulnerability after release of a person with housing and work, relative to one "
        "with neither; no housing and no work each add half of the rest.",
    )
    community_target_ideology: float = param(
        0.2,
        unit="index 0-1",
        plausible=(0.1, 0.3),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Ideology above which released people outside the extremist cohort are approached "
        "by recruiters in the community.",
    )
    prison_link: float = param(
        0.3,
        unit="probability",
        plausible=(0.0, 0.6),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Prisons and prison regime] (recruitment inside builds "
        "contacts with active networks outside; longitudinal studies of prison radicalisation "
        "find it raises extremist activity after release, with no rate to fit)",
        doc="Someone recruited in prison keeps a contact with an active group (until a "
        "disruption cuts it): the contact comes to the gate with this chance (times "
        "recruiters.gate_presence_accompanied if someone else meets them), if that is more "
        "than the chance from their group ties; recruiters approach them in the community "
        "whatever their cohort or belief.",
    )
    targeting: float = param(
        1.0,
        unit="exponent",
        plausible=(0.0, 2.0),
        bounds=(0.0, 10.0),
        source="assumption; RAN 2018 [Prisons and prison regime; Stigmatisation] (recruiters "
        "seek out the isolated and those with unmet needs)",
        doc="How strongly recruiters in the community choose whom to approach: each target's "
        "share of a community's approaches is in proportion to their vulnerability to this "
        "power (0: everyone alike).",
    )
    disruption_removal: float = param(
        0.25,
        unit="recruiters / disruption",
        plausible=(0.0, 1.0),
        bounds=(0.0, 10.0),
        source="assumption; RAN 2018 [Multi-agency cooperation] (acting on information about "
        "one person exposes their contacts; no published figure)",
        doc="Recruiters removed from a community's pool (expected number) each time security "
        "services disrupt an engaged person living there.",
    )
    replenishment: float = param(
        0.02,
        unit="share / week",
        plausible=(0.005, 0.1),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Weekly share of the gap to its starting size by which a community's pool of "
        "recruiters from outside the followed people refills (new arrivals; about a year to "
        "refill most of it at 0.02).",
    )
    conversion: float = param(
        0.005,
        unit="probability / week",
        plausible=(0.0, 0.03),
        bounds=(0.0, 1.0),
        source="assumption; RAN 2018 [Transition management] (returners who re-engage can draw "
        "others in; no published rate)",
        doc="Weekly chance that a released person actively engaged with the group (group ties "
        "above behaviour.engaged_threshold) starts recruiting in their community; they recruit "
        "while engaged, released and not disrupted.",
    )
    online_approach: float = param(
        0.01,
        unit="probability / week",
        plausible=(0.0, 0.05),
        bounds=(0.0, 1.0),
        source="assumption (online recruitment needs no physical presence; no published rate "
        "for released terrorism offenders)",
        doc="Weekly chance that a released person recruiters target is approached online, "
        "whatever the recruiters present in their community.",
    )
    online_success_share: float = param(
        0.25,
        unit="share of approach_success",
        plausible=(0.0, 1.0),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="An online approach's chance of success as a share of an approach in person.",
    )

    age_vulnerability_ratio: float = param(
        1.3,
        unit="ratio per 10 years younger",
        plausible=(1.0, 1.6),
        bounds=(0.5, 3.0),
        source="assumption (no figures for openness to recruiters by age; recruits are mostly "
        "young adults, and belief is most open to change in early adulthood: Krosnick & Alwin "
        "1989); 1 (no effect of age) is in range",
        doc="Openness to recruiters' approaches in prison and in the community by age, a "
        "continuous maturation curve: vulnerability is multiplied by this ** ((30 - age) / 10), "
        "1 at age 30.",
    )


class Offending(_Group):
    """Weekly hazards of reoffending, terrorism reoffending, recall and death, and the effect of
    each risk and protective factor (log hazard ratios). Calibrated in scenarios/baseline.toml to
    EVIDENCE.md section 1."""

    base_hazard_comparison: float = param(
        0.01064,
        unit="probability / week",
        plausible=(0.004, 0.03),
        bounds=(0.0, 1.0),
        source="calibrated: MoJ proven reoffending 34-46 % in 1 y (EVIDENCE 1)",
        doc="Weekly hazard of a proven reoffence for a comparison-cohort person of mean propensity "
        "with no risk or protective factors.",
    )
    base_hazard_extremist: float = param(
        0.0003,
        unit="probability / week",
        plausible=(0.0003, 0.004),
        bounds=(0.0, 1.0),
        source="calibrated: Vande Velde et al. 2024 about 10 % any recidivism (EVIDENCE 1)",
        doc="Same for the extremist cohort (ordinary offending is rarer among them).",
    )
    terror_hazard: float = param(
        0.002639,
        unit="probability / week",
        plausible=(0.0002, 0.003),
        bounds=(0.0, 1.0),
        source="calibrated: Renard 2020 and others, 1.6-4.8 % (EVIDENCE 1)",
        doc="Weekly hazard of a terrorism offence at ideology 1 and group ties 1 (scaled by "
        "ideology x group ties).",
    )
    hr_prior_record: float = param(
        1.5,
        unit="hazard ratio",
        plausible=(1.0, 2.5),
        bounds=(0.1, 10.0),
        source=ASSUMPTION,
        doc="Hazard ratio for a prior record.",
    )
    hr_young: float = param(
        1.6,
        unit="hazard ratio",
        plausible=(1.0, 2.5),
        bounds=(0.1, 10.0),
        source=ASSUMPTION,
        doc="Hazard ratio under young_age (falls linearly to 1 at neutral_age, then to hr_old "
        "at old_age).",
    )
    hr_no_housing: float = param(
        1.5,
        unit="hazard ratio",
        plausible=(1.0, 2.5),
        bounds=(0.1, 10.0),
        source="assumption; RAN 2018 [Material support]",
        doc="Hazard ratio without stable housing.",
    )
    hr_no_work: float = param(
        1.4,
        unit="hazard ratio",
        plausible=(1.0, 2.0),
        bounds=(0.1, 10.0),
        source="assumption; EVIDENCE 4: Davis et al. 2013 (education: 43 % lower odds)",
        doc="Hazard ratio without work or education.",
    )
    hr_family: float = param(
        0.6,
        unit="hazard ratio",
        plausible=(0.4, 1.0),
        bounds=(0.01, 10.0),
        source="assumption; RAN 2018 [Social support]",
        doc="Hazard ratio at full family ties.",
    )
    hr_hope: float = param(
        0.6,
        unit="hazard ratio",
        plausible=(0.4, 1.0),
        bounds=(0.01, 10.0),
        source="assumption; RAN 2018 [Goals]",
        doc="Hazard ratio at full hope.",
    )
    hr_mental_health: float = param(
        1.8,
        unit="hazard ratio",
        plausible=(1.6, 2.0),
        bounds=(0.1, 10.0),
        source="EVIDENCE 4: Chang et al. 2015 (Lancet Psychiatry 2(10)): HR 1.6-2.0",
        doc="Hazard ratio for untreated psychosis or major depression.",
    )
    hr_group_ties: float = param(
        2.0,
        unit="hazard ratio",
        plausible=(1.0, 4.0),
        bounds=(0.1, 10.0),
        source=ASSUMPTION,
        doc="Hazard ratio at full group ties (any offence).",
    )
    hr_supervision: float = param(
        1.0,
        unit="hazard ratio",
        plausible=(0.85, 1.15),
        bounds=(0.1, 10.0),
        source="EVIDENCE 4: Koehler et al. 2013 (supervision alone: no benefit)",
        doc="Hazard ratio of being on licence, apart from what practitioners do.",
    )
    hr_trust: float = param(
        0.75,
        unit="hazard ratio",
        plausible=(0.5, 1.0),
        bounds=(0.01, 10.0),
        source="assumption; EVIDENCE 4: Lipsey et al. 2007 (about 25 % reduction)",
        doc="Hazard ratio at full trust in a practitioner one is in contact with.",
    )
    terror_hr_hope: float = param(
        0.5,
        unit="hazard ratio",
        plausible=(0.3, 1.0),
        bounds=(0.01, 10.0),
        source=ASSUMPTION,
        doc="Terrorism hazard ratio at full hope.",
    )
    conviction_probability: float = param(
        1.0,
        unit="probability",
        plausible=(0.5, 1.0),
        bounds=(0.0, 1.0),
        source=ASSUMPTION,
        doc="Share of proven reoffences that return the person to custody.",
    )
    resentence_years: float = param(
        1.0,
        unit="years",
        plausible=(0.25, 3.0),
        bounds=(0.02, 30.0),
        source=ASSUMPTION,
        doc="Mean new sentence for an ordinary reoffence (exponential).",
    )
    terror_resentence_years: float = param(
        8.0,
        unit="years",
        plausible=(4.0, 15.0),
        bounds=(0.5, 40.0),
        source="assumption (GLOBSEC 2018: 8 y 7 m)",
        doc="Mean new sentence for a terrorism offence.",
    )
    recall_hazard: float = param(
        0.0014,
        unit="probability / week",
        plausible=(0.0007, 0.01),
        bounds=(0.0, 1.0),
        source="assumption (0.0015 before family ties lowered breaches, then 0.0019; 0.0014 "
        "once trust removed at most a tenth of it, not half (recall_trust_reduction), so that "
        "the baseline's recalls within 1 and 3 years of release stay about where they were)",
        doc="Weekly hazard of recall for a breach of licence at no risk factors (doubled by "
        "group ties, raised by monitoring (recall_monitored) and no housing (recall_no_housing), "
        "lowered by trust (recall_trust_reduction) and family ties (recall_family_reduction)).",
    )
    mortality_30: float = param(
        0.0002,
        unit="probability / week",
        plausible=(0.0001, 0.0005),
        bounds=(0.0, 1.0),
        source="assumption (about 1 % a year at 30 for people released from prison)",
        doc="Weekly mortality at age 30 (doubling every mortality_doubling_years).",
    )
    mortality_doubling_years: float = param(
        8.0,
        unit="years",
        plausible=(6.0, 10.0),
        bounds=(1.0, 100.0),
        source="assumption (Gompertz law: adult mortality doubles about every 8 years)",
        doc="Years of age over which weekly mortality doubles.",
    )
    hr_old: float = param(
        0.6,
        unit="hazard ratio",
        plausible=(0.4, 0.8),
        bounds=(0.01, 10.0),
        source=ASSUMPTION,
        doc="Hazard ratio from old_age on (falls linearly from 1 at neutral_age).",
    )
    young_age: float = param(
        25.0,
        unit="years",
        plausible=(21.0, 29.0),
        bounds=(14.0, 40.0),
        source=ASSUMPTION,
        doc="Age below which hr_young applies in full (falls linearly to 1 at neutral_age).",
    )
    neutral_age: float = param(
        45.0,
        unit="years",
        plausible=(40.0, 50.0),
        bounds=(26.0, 59.0),
        source=ASSUMPTION,
        doc="Age at which the age hazard ratio is 1.",
    )
    old_age: float = param(
        60.0,
        unit="years",
        plausible=(55.0, 65.0),
        bounds=(46.0, 100.0),
        source=ASSUMPTION,
        doc="Age from which hr_old applies in full.",
    )
    recall_monitored: float = param(
        1.5,
        unit="hazard ratio",
        plausible=(1.0, 2.5),
        bounds=(0.1, 10.0),
        source="assumption; RAN 2018 [Release conditions]",
        doc="Multiplier on the recall hazard while electronically monitored (conditions that "
        "can be breached).",
    )
    recall_trust_reduction: float = param(
        0.1,
        unit="share",
        plausible=(0.0, 0.5),
        bounds=(0.0, 1.0),
        source="assumption, small: in a randomised trial of through-care (caseworkers inside and "
        "supervision agents outside planning together), Duwe 2012 (Justice Quarterly 29(3), "
        "MCORP) found fewer rearrests, reconvictions and new-offence reincarcerations, through "
        "work and social support, but no significant change in revocations for technical "
        "violations (checked in tests/test_mechanisms.py)",
        doc="Share of the recall hazard removed at full trust in practitioners.",
    )
    recall_family_reduction: float = param(
        0.5,
        unit="share",
        plausible=(0.0, 0.7),
        bounds=(0.0, 1.0),
        source="assumption (families help people keep to their licence: a home, a routine, "
        "reminders; as large as recall_trust_reduction); not fitted to, but checked against, "
        "Duwe & Clark 2013 (Criminal Justice "
        "Policy Review 24(3)): prisoners visited in custody had about 25 % lower risk of "
        "revocation for a technical violation and 13 % lower risk of a new felony conviction",
        doc="Share of the recall hazard for a breach removed at full family ties.",
    )
    recall_no_housing: float = param(
        1.3,
        unit="hazard ratio",
        plausible=(1.0, 2.0),
        bounds=(0.1, 10.0),
        source="assumption; RAN 2018 [Material support]",
        doc="Multiplier on the recall hazard without stable housing.",
    )
    housing_loss_sentence_weeks: int = param(
        26,
        unit="weeks",
        plausible=(13, 39),
        bounds=(0, 520),
        source=ASSUMPTION,
        doc="A new sentence longer than this costs the person their housing.",
    )
    terror_age_ratio: float = param(
        1.2,
        unit="ratio per 10 years younger",
        plausible=(1.0, 1.6),
        bounds=(0.5, 3.0),
        source="direction: Hasisi et al. 2020 (J Quant Criminol 36, terrorism recidivism in "
        "Israel: older at release, lower risk); Altier, Boyle & Horgan 2021 (less re-engagement "
        "with age); size assumption, below the ordinary age curve because terrorist offending "
        "peaks later and over a broader age range (Klausen, Morrill & Libretti 2016, Social "
        "Science Quarterly 97(1))",
        doc="Terrorism hazard by age, a continuous maturation curve: the hazard is multiplied "
        "by this ** ((30 - age) / 10), 1 at age 30; 1 = no effect of age.",
    )
    hr_female: float = param(
        0.76,
        unit="hazard ratio",
        plausible=(0.6, 1.0),
        bounds=(0.1, 10.0),
        source="Langan & Levin 2002 (BJS NCJ 193427, US prisoners released 1994): 58 % of women "
        "and 68 % of men rearrested within 3 years, about 0.76 as a hazard ratio; the range up "
        "to 1 is an assumption from E&W custody leavers, whose gap is smaller (MoJ one-year "
        "rates, 2006 Q1: 45.0 % women, 46.6 % men; written answer, Hansard 16 Dec 2008)",
        doc="Hazard ratio of a proven reoffence for women (any offence; no figures for "
        "terrorism offences, which have no term for sex).",
    )

    @model_validator(mode="after")
    def _ages_are_ordered(self) -> Offending:
        if not self.young_age < self.neutral_age < self.old_age:
            raise ValueError(
                f"young_age ({self.young_age}) < neutral_age ({self.neutral_age}) < old_age "
                f"({self.old_age}) must hold"
            )
        return self


def _practitioner_year(who: str, default: float, low: float, high: float, note: str) -> Any:
    return param(
        default,
        unit="EUR / practitioner-year",
        plausible=(low, high),
        bounds=(0.0, 1e7),
        source=f"assumption ({note})",
        doc=f"Yearly cost of one {who}: salary, employer's charges and overheads.",
    )


#: The offence mix that values an ordinary proven reoffence (any offence other than terrorism)
#: of a cohort convicted of violent offences: (offence type, share, Heeks et al. 2018 unit cost in
#: GBP at 2015/16 prices, where the figure comes from). The shares are an assumption (no
#: published breakdown of the proven reoffences of released violent offenders by offence type
#: was checked for this project): about half violence, some property crime, and a quarter of
#: offences without a direct victim (drugs, motoring, public order, breaches), which the
#: report does not cost. :attr:`Costs.ordinary_reoffence` defaults to the weighted mean.
ORDINARY_REOFFENCE_MIX: tuple[tuple[str, float, float, str], ...] = (
    ("violence with injury", 0.25, 14050.0, "EVIDENCE 6: Heeks et al. 2018"),
    ("violence without injury", 0.25, 5930.0, "EVIDENCE 6: Heeks et al. 2018"),
    ("robbery", 0.05, 11320.0, "EVIDENCE 6: Heeks et al. 2018"),
    (
        "theft, burglary and criminal damage",
        0.20,
        1000.0,
        "assumption: order of Heeks et al.'s property crime costs (figures not checked)",
    ),
    ("offences without a direct victim", 0.25, 0.0, "not costed by Heeks et al."),
)
ORDINARY_REOFFENCE_GBP = round(sum(share * cost for _, share, cost, _ in ORDINARY_REOFFENCE_MIX))
_MIX_TEXT = "; ".join(
    f"{share * 100:g} % {kind} at GBP {cost:,.0f}"
    for kind, share, cost, _ in ORDINARY_REOFFENCE_MIX
)


class Costs(_Group):
    """Unit costs behind the cost indicators (custody places, practitioners; interventions carry
    their own costs) and behind the benefit-cost figures of a comparison (costs of offences to
    victims and society, discounting). Used only for reporting: no cost changes what happens in
    the model. Costs to taxpayers are in EUR, stated assumptions of today's order of magnitude
    without a price year; costs of offences are in GBP at 2015/16 prices (Heeks et al. 2018,
    the Home Office's economic and social costs of crime) and are converted with
    ``eur_per_gbp`` without inflating them. Vary them in a sensitivity analysis."""

    custody_place_week: float = param(
        1000.0,
        unit="EUR / place-week",
        plausible=(600.0, 1600.0),
        bounds=(0.0, 1e6),
        source="assumption (order of magnitude: England and Wales spend about GBP 47,000 a year "
        "per prisoner, about EUR 1,050 a week; EU states range widely)",
        doc="Cost of one custody place for one week (transition planning in custody included).",
    )
    separation_place_week: float = param(
        1000.0,
        unit="EUR / place-week",
        plausible=(300.0, 3000.0),
        bounds=(0.0, 1e6),
        source="assumption (no published unit cost: separation units are small high-security "
        "units with specialised staff, prison.specialised_staff; in England and Wales 28 places "
        "held 9 people in April 2022, HM Inspectorate of Prisons 2022, EVIDENCE 3 and 5, so at "
        "that occupancy each person held also carries about two empty places: the upper end)",
        doc="Extra cost of a week held on a separation wing, on top of custody_place_week (the "
        "regime separation or mixed holds people there).",
    )
    prison_key_worker_year: float = _practitioner_year(
        "prison key worker", 55000.0, 40000.0, 80000.0, "prison officer pay plus overheads"
    )
    probation_officer_year: float = _practitioner_year(
        "probation officer", 65000.0, 45000.0, 90000.0, "probation officer pay plus overheads"
    )
    exit_worker_year: float = _practitioner_year(
        "NGO exit worker", 60000.0, 40000.0, 85000.0, "NGO social worker pay plus overheads"
    )
    police_officer_year: float = _practitioner_year(
        "police or security officer", 75000.0, 55000.0, 100000.0, "police pay plus overheads"
    )
    housing_worker_year: float = _practitioner_year(
        "housing worker", 55000.0, 40000.0, 80000.0, "local authority pay plus overheads"
    )
    employment_worker_year: float = _practitioner_year(
        "employment worker", 55000.0, 40000.0, 80000.0, "job centre pay plus overheads"
    )
    mental_health_worker_year: float = _practitioner_year(
        "mental health worker", 80000.0, 55000.0, 120000.0, "forensic nurse or psychologist pay"
    )
    religious_counsellor_year: float = _practitioner_year(
        "religious counsellor", 50000.0, 30000.0, 75000.0, "chaplaincy pay plus overheads"
    )
    terrorism_offence: float = param(
        1_000_000.0,
        unit="GBP (2015/16 prices) / offence",
        plausible=(100_000.0, 10_000_000.0),
        bounds=(0.0, 1e10),
        source="assumption (no published unit cost of a terrorism offence, EVIDENCE 6): most "
        "terrorism convictions are for preparation, possession or dissemination with no direct "
        "victim, a few for attacks that kill (one homicide costs about GBP 3.2 million, "
        "Heeks et al. 2018, as EVIDENCE 6 quotes it); the range spans both",
        doc="Cost to victims and society of one proven terrorism offence (the first of a "
        "person; any later one is valued as an ordinary reoffence).",
    )
    ordinary_reoffence: float = param(
        float(ORDINARY_REOFFENCE_GBP),
        unit="GBP (2015/16 prices) / offence",
        plausible=(2000.0, 14050.0),
        bounds=(0.0, 1e8),
        source="EVIDENCE 6: Heeks et al. 2018 unit costs as EVIDENCE 6 quotes them (not "
        "checked against the report's own table here), weighted by an assumed offence mix "
        f"({_MIX_TEXT}); range from a mostly non-violent mix to all violence with injury",
        doc="Cost to victims and society of one proven reoffence other than a terrorism "
        "offence; only proven offences are valued, so offences never proven are not counted.",
    )
    eur_per_gbp: float = param(
        1.36,
        unit="EUR / GBP",
        plausible=(1.15, 1.45),
        bounds=(0.5, 3.0),
        source="assumption (about the mean exchange rate of the 2015/16 financial year; not "
        "checked against the ECB's reference rates)",
        doc="Exchange rate that converts the GBP costs of offences into EUR (no inflation "
        "adjustment: they stay at 2015/16 prices).",
    )
    discount_rate: float = param(
        0.035,
        unit="per year",
        plausible=(0.0, 0.06),
        bounds=(0.0, 0.5),
        source="EVIDENCE 6: HM Treasury, The Green Book (3.5 % a year for the first 30 years)",
        doc="Social discount rate: a cost or offence in week w of the run counts "
        "(1 + rate)^(-w / 52) of its value at the start.",
    )


class Parameters(_Group):
    """All parameter groups; a scenario's ``[parameters.<group>]`` tables override them."""

    population: Population = Population()
    prison: Prison = Prison()
    release: Release = Release()
    agencies: Agencies = Agencies()
    behaviour: Behaviour = Behaviour()
    community: Community = Community()
    recruiters: Recruiters = Recruiters()
    offending: Offending = Offending()
    costs: Costs = Costs()

    def override(self, overrides: dict[str, dict[str, Any]]) -> Parameters:
        """A new, validated Parameters with ``{group: {name: value}}`` applied."""
        data = self.model_dump()
        for group, values in overrides.items():
            data.setdefault(group, {}).update(values)
        return Parameters.model_validate(data)

    def flat(self) -> dict[str, Any]:
        """``{"group.name": value}`` for every parameter."""
        return {
            f"{group}.{name}": value
            for group, values in self.model_dump().items()
            for name, value in values.items()
        }


@dataclass(frozen=True)
class ParamInfo:
    """One row of the register."""

    group: str
    name: str
    default: Any
    unit: str
    plausible: tuple[Any, ...]
    source: str
    doc: str

    @property
    def key(self) -> str:
        return f"{self.group}.{self.name}"


def iter_register() -> Iterator[ParamInfo]:
    """Every parameter in the register, group by group, in declaration order."""
    for group, group_field in Parameters.model_fields.items():
        model = group_field.annotation
        assert model is not None  # every group is annotated with its model class
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra or {}
            yield ParamInfo(
                group=group,
                name=name,
                default=field.default,
                unit=str(extra["unit"]),
                plausible=tuple(extra["plausible"]),
                source=str(extra["source"]),
                doc=field.description or "",
            )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


#: the sections of the project's evidence notes that sources cite as "EVIDENCE n" (the full
#: citation of each figure follows the section number in the source itself)
EVIDENCE_SECTIONS: dict[str, str] = {
    "1": "calibration targets",
    "2": "starting conditions",
    "3": "capacities and caseloads",
    "4": "effect sizes",
    "5": "prison structure",
    "6": "valuing outcomes",
}


def register_markdown(group: str | None = None) -> str:
    """The parameter register as a Markdown page (docs/parameters.md), with each parameter's
    prior (:mod:`~reintegration_sim.priors`); ``group``: only that group's section."""
    from .priors import prior_of  # priors reads the register: imported when the page is made

    lines = [
        "# Parameter register",
        "",
        "Generated from `src/reintegration_sim/parameters.py` by "
        "`reintegration-sim params --markdown > docs/parameters.md`; do not edit by hand.",
        "A scenario file overrides a parameter as `[parameters.GROUP] NAME = value`.",
        "Sources: 'EVIDENCE n' is section n of the project's evidence notes ("
        + "; ".join(f"{n} {title}" for n, title in EVIDENCE_SECTIONS.items())
        + "; the full citation follows it); "
        "'RAN 2018 [Section]' is a section of Baaken, Korn & Walkenhorst (2018), *The challenge "
        "of resocialisation*, RAN ex post paper; 'assumption' means no published figure exists "
        "and sensitivity analysis should vary it over its plausible range. 'prior' is the "
        "distribution a comparison with `--assumption-draws` draws the parameter from "
        "(see docs/uncertainty.md); 'fixed' parameters are drawn only when named in `--vary`.",
        "",
    ]
    if group is not None:
        lines = []
    current = None
    for info in iter_register():
        if group is not None and info.group != group:
            continue
        if info.group != current:
            if current is not None:
                lines.append("")
            current = info.group
            doc = Parameters.model_fields[current].annotation.__doc__ or ""
            lines += [
                f"## `{current}`",
                "",
                " ".join(doc.split()),
                "",
                "| parameter | default | unit | plausible range | source | prior | meaning |",
                "|---|---|---|---|---|---|---|",
            ]
        plausible = " / ".join(_fmt(v) for v in info.plausible)
        if len(info.plausible) == 2 and not isinstance(info.plausible[0], str):
            plausible = f"{_fmt(info.plausible[0])} – {_fmt(info.plausible[1])}"
        prior = prior_of(info.key)
        lines.append(
            f"| `{info.name}` | {_fmt(info.default)} | {info.unit} | {plausible} | "
            f"{info.source} | {'fixed' if prior is None else prior.describe()} | {info.doc} |"
        )
    lines.append("")
    return "\n".join(lines)
