"""One setup for bulk and real-time inference on a real engine: Ray Serve, Ray Data, KubeRay, Airflow.

Modules:

- :mod:`ray_runtime` starts Ray once (a local cluster, or the one ``RAY_ADDRESS`` names) with every setting that keeps
  notebook output quiet and deterministic;
- :mod:`serve_app` is the real-time path: a Ray Serve application answering classification and NER over HTTP;
- :mod:`bulk` is the bulk path: a Ray Data job scoring one day's partition of documents into one Parquet partition;
- :mod:`idempotent` writes a partition to a staging folder and moves it into place atomically;
- :mod:`manifests` builds and validates the KubeRay RayService and RayJob that run the same code on Kubernetes;
- :mod:`load` is a bounded closed-loop HTTP load generator for 127.0.0.1;
- :mod:`experiments` runs the measurements shown in the book (scaling, a killed replica, a bulk re-run);
- :mod:`multinode` starts a head and worker raylets on this machine and kills a worker node under load;
- :mod:`autoscale` runs Ray's own autoscaler with the fake multi-node provider: a node added and removed;
- :mod:`prometheus` runs a real Prometheus server with the alert rules of ``deploy/observability/``;
- :mod:`simcompare` puts the simulator beside those runs and calibrates it on the measured control loop;
- :mod:`evidence` records the multi-node runs in ``data/rayengine/`` for the verdicts to read;

A post's verdicts on these measurements live in its reproduction (e.g.
:mod:`mlopsbook.reproductions.engineering_culture_leadership.engine`, claims C1 and C2).

Both paths call the same model module, :mod:`mlopsbook.inference.service`. Importing this package does not import Ray.
"""
