"""A decision matrix as an explainable engine: a service profile -> the platforms ranked, with reasons.

Modules: :mod:`~mlopsbook.decide.profile` (the profile schema and its validation), :mod:`~mlopsbook.decide.limits`
(hard limits with their sources, ``data/limits/``), :mod:`~mlopsbook.decide.exposure` (cold-start exposure from the
simulator), :mod:`~mlopsbook.decide.sizing` (each platform sized for a profile: Lambda memory, workers,
replicas), :mod:`~mlopsbook.decide.rank` (ranking, reasons per criterion, deciding criterion, flip point),
:mod:`~mlopsbook.decide.widgets` (ipywidgets controls for a live kernel) and :mod:`~mlopsbook.decide.plots`. A post's
profiles and its verdict live in its reproduction (e.g.
:mod:`mlopsbook.reproductions.engineering_culture_leadership.decision`).
"""

from mlopsbook.decide.profile import Profile, ProfileError

__all__ = ["Profile", "ProfileError"]
