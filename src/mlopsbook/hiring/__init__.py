"""Hiring frameworks as data, and the evidence on selection methods (validity, selection, rater noise).

- :mod:`~mlopsbook.hiring.framework`: roles, levels, competencies with behavioural anchors, the interview loop
  (``data/hiring/framework-*.yaml``), validated by a schema.
- :mod:`~mlopsbook.hiring.scorecard`: interviewers' scorecards, their validation and their aggregation into a level
  recommendation under stated calibration rules (``mlopsbook hiring score``).
- :mod:`~mlopsbook.hiring.validity`: the published validity of selection methods (``data/hiring/validity-*.csv``).
- :mod:`~mlopsbook.hiring.selection`: the standard selection model: simulated candidate pools, top-k selection by a
  predictor of given validity, expected performance of hires, and its closed form.
- :mod:`~mlopsbook.hiring.raters`: rater noise, anchored rubrics and inter-rater reliability (ICC).
- :mod:`~mlopsbook.hiring.playbook`: the playbook's tables, built from the framework data.
- :mod:`~mlopsbook.hiring.plots`: the figures of the evidence page.

The verdict on the post's claim C10 is its reproduction's (:mod:`mlopsbook.reproductions.engineering_culture_leadership.hiring`).
"""
