"""The integration layer's expensive fixtures, each started at most once per pytest run.

- ``local_ray``: one local Ray session (two CPUs, ``tests/support/`` on the workers' ``PYTHONPATH``), shared by every
  test that needs one; ``engine``: the NLP Serve application on it, deployed once.
- ``own_ray_cluster``: for tests that start clusters of their own (Airflow's job, the token checks): the
  shared session is ended first, so two clusters never run at once on two cores. The tests that use the shared
  session are run first (collection order below), so it starts once and ends once.
- ``lambda_packages``: the Lambda zips, built once (cached under build/); ``lambda_client``: AWS's runtime interface client on CPython 3.12 (pyenv's); ``deploy_env``: cfn-lint and the SAM
  translator's environment; ``promtool_bin``: Debian's binary. Each fails naming what to install
  when it is missing: an integration test never skips for a missing tool.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUPPORT = ROOT / "tests" / "support"
SHARED_RAY_FIXTURES = {"local_ray", "engine"}


class SharedRay:
    """The run's local Ray session and Serve application, started on first use and ended on request."""

    def __init__(self) -> None:
        self.info = None
        self.engine = None
        self.starts = 0

    def ensure(self):  # noqa: ANN201
        if self.info is None:
            from mlopsbook.engine import ray_runtime

            # Ray workers inherit the environment: they import the stand-in scorer from tests/support/
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SUPPORT), os.environ.get("PYTHONPATH")]))
            self.info = ray_runtime.start(num_cpus=2)
            self.starts += 1
        return self.info

    def serve(self):  # noqa: ANN201
        if self.engine is None:
            from mlopsbook.engine import serve_app
            from mlopsbook.lab import experiments

            self.ensure()
            self.engine = experiments.Engine(serve_app.LOCAL_SCALING)
        return self.engine

    def stop(self) -> None:
        if self.info is not None:
            from mlopsbook.engine import ray_runtime

            ray_runtime.stop()  # ends the Serve application with the session
        self.info = self.engine = None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Among the integration tests, those on the shared Ray session first (stable otherwise), so that it starts and
    ends once; tests of other layers keep their places."""
    here = Path(__file__).parent
    places = [i for i, item in enumerate(items) if here in Path(str(item.path)).parents]
    ordered = sorted((items[i] for i in places),
                     key=lambda item: not SHARED_RAY_FIXTURES & set(getattr(item, "fixturenames", ())))
    for i, item in zip(places, ordered):
        items[i] = item


@pytest.fixture(scope="session")
def shared_ray():  # noqa: ANN201
    shared = SharedRay()
    yield shared
    shared.stop()


@pytest.fixture
def local_ray(shared_ray: SharedRay):  # noqa: ANN201
    return shared_ray.ensure()


@pytest.fixture
def engine(shared_ray: SharedRay):  # noqa: ANN201
    return shared_ray.serve()


@pytest.fixture
def own_ray_cluster(shared_ray: SharedRay) -> None:
    shared_ray.stop()


@pytest.fixture(scope="session")
def lambda_client() -> Path:
    from mlopsbook.lambdakit import runtime_facts

    rt = runtime_facts.facts()
    if runtime_facts.find_python(rt.python) is None:
        pytest.fail(f"no CPython {rt.python} here: `pyenv install {rt.python}` (or a python{rt.python} on PATH)",
                    pytrace=False)
    return runtime_facts.client_python(rt)


@pytest.fixture(scope="session")
def lambda_packages() -> tuple[dict, Path]:
    """The Lambda packages' manifest and folder, as `make lambda-packages` builds them (cached under build/inference/,
    from the wheel cache)."""
    from mlopsbook.nlp import measure

    return measure.package_manifest(), measure.package_manifest_dir()


@pytest.fixture(scope="session")
def deploy_env() -> Path:
    bin_dir = ROOT / ".venv-deploy" / "bin"
    if not (bin_dir / "cfn-lint").is_file():
        pytest.fail(".venv-deploy is missing: run `make deploy-env` first", pytrace=False)
    return bin_dir


def _debian_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: apt-get install -y prometheus (.ci/run installs it)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def promtool_bin() -> str:
    return _debian_binary("promtool")
