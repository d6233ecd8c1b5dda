"""Many replications to numbers: running replications (:mod:`.experiment`), Kaplan-Meier
summaries (:mod:`.survival`), scenarios paired on common random numbers (:mod:`.comparison`),
the outcome vocabulary (:mod:`.measures`), sensitivity analysis (:mod:`.sensitivity`) and
calibration (:mod:`.calibration`). Returns tables; writes no result folders."""
