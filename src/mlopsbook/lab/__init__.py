"""Experiments that measure the Ray engine (:mod:`mlopsbook.engine`) on this machine.

Modules:

- :mod:`load` is a bounded closed-loop HTTP load generator for 127.0.0.1;
- :mod:`experiments` runs the measurements shown in the book (scaling, a killed replica, a bulk re-run);
- :mod:`multinode` starts a head and worker raylets on this machine and kills a worker node under load;
- :mod:`autoscale` runs Ray's own autoscaler with the fake multi-node provider: a node added and removed;
- :mod:`prometheus` runs a real Prometheus server with the alert rules of ``deploy/observability/``;
- :mod:`simcompare` puts the simulator beside those runs and calibrates it on the measured control loop;
- :mod:`evidence` records the multi-node runs in ``data/rayengine/`` for the verdicts to read;
- :mod:`plots` draws the experiments' figures.

A post's verdicts on these measurements live in its reproduction (e.g.
:mod:`mlopsbook.reproductions.engineering_culture_leadership.engine`). Importing this package does not import Ray.
"""
