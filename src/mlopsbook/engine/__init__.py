"""The deployable Ray engine: one setup for bulk and real-time inference (Ray Serve, Ray Data, KubeRay, Airflow).

This package is what the KubeRay image runs; the experiments that measure it live in :mod:`mlopsbook.lab`.

Modules:

- :mod:`ray_runtime` starts Ray once (a local cluster, or the one ``RAY_ADDRESS`` names) with every setting that keeps
  notebook output quiet and deterministic;
- :mod:`serve_app` is the real-time path: a Ray Serve application answering classification and NER over HTTP;
- :mod:`bulk` is the bulk path: a Ray Data job scoring one day's partition of documents into one Parquet partition;
- :mod:`idempotent` writes a partition to a staging folder and moves it into place atomically;
- :mod:`manifests` builds the KubeRay RayService and RayJob that run the same code on Kubernetes, and
  :mod:`manifest_checks` validates them.

Both paths call the same model module, :mod:`mlopsbook.nlp.service`. Importing this package does not import Ray.
"""
