"""A discrete-event simulator of request streams on Ray Serve / KubeRay, AWS Lambda and a fixed pool.

Modules, by what they model: :mod:`~mlopsbook.simulate.arrivals` (Poisson, rate series, traces, service times),
:mod:`~mlopsbook.simulate.fixed_pool` (the M/M/c case, fast), :mod:`~mlopsbook.simulate.ray_serve` (Serve
autoscaling, nodes, failures), :mod:`~mlopsbook.simulate.lambda_` (cold starts, keep-alive, scaling limits),
:mod:`~mlopsbook.simulate.failures` (node death and its detection), :mod:`~mlopsbook.simulate.queueing` (Erlang C),
:mod:`~mlopsbook.simulate.results` (what a run reports), :mod:`~mlopsbook.simulate.scenario` (one run described by
CLI flags or a YAML file), :mod:`~mlopsbook.simulate.local_ray` (the real local Ray experiment, simulated) and
:mod:`~mlopsbook.simulate.plots`. A post's experiments and verdicts live in its reproduction
(``mlopsbook.reproductions.<post>``).
"""

from mlopsbook.simulate.results import Result, Timeline

__all__ = ["Result", "Timeline"]
