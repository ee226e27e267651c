"""The model `tscl pretrain` logs installs in a fresh virtual environment and predicts there.

The fresh environment holds only what the model's ``requirements.txt`` resolves
to: pip resolves the file against the configured package index (dry run), and
every resolved distribution is linked into a new venv from the test's own
environment (installing them anew is about 3 minutes and 1.7 GB here). tscl is
not among them: it must come from the model's own artifacts, which the new
process proves by printing ``tscl.__file__``.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import mlflow
import numpy as np
import pytest
from mlflow.tracking import MlflowClient

import tscl
from tscl.cli import main
from tscl.track.model import MODEL_URI_TAG, load_model_bundle

# pip's resolution against the index is about 30 s, the run and the new process another 30 s.
pytestmark = pytest.mark.slow

CHECKOUT = Path(tscl.__file__).resolve().parents[1]

PREDICT = """
import json, sys
import numpy as np
import mlflow
model = mlflow.pyfunc.load_model(sys.argv[1])
x = np.load(sys.argv[2])
tscl = sys.modules["tscl"]  # imported by loading the model
print(json.dumps({"tscl": tscl.__file__, "embeddings": model.predict(x).tolist()}))
"""


def resolved_distributions(requirements: Path) -> list[str]:
    """The distribution names pip resolves ``requirements`` to from the index (nothing installed)."""
    report = requirements.with_name("report.json")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            str(report),
            "-r",
            str(requirements),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [
        item["metadata"]["name"] for item in json.loads(report.read_text())["install"]
    ]


def link_distributions(names: list[str], site: Path) -> None:
    """Links every top-level file or folder of each named installed distribution into ``site``."""
    for name in names:
        dist = importlib.metadata.distribution(name)
        root = Path(dist.locate_file("")).resolve()
        for top in {Path(f).parts[0] for f in dist.files or ()}:
            source, target = root / top, site / top
            if top != ".." and source.exists() and not target.exists():
                target.symlink_to(source)


def fresh_venv(path: Path, requirements: Path) -> Path:
    """A new venv holding just the resolved requirements; returns its python."""
    venv.create(path, with_pip=False)
    (site,) = (path / "lib").glob("python*/site-packages")
    link_distributions(resolved_distributions(requirements), site)
    return path / "bin" / "python"


def test_logged_model_installs_in_a_fresh_venv_and_predicts(
    cli_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    uri = f"sqlite:///{cli_workspace / 'mlflow.db'}"
    argv = [
        "pretrain",
        "--config",
        "tiny",
        "dataset=ECG200",
        "train.max_steps=2",
        "train.progress=false",
        f"tracking.uri={uri}",
    ]
    assert main(argv) == 0
    client = MlflowClient(uri)
    (run,) = client.search_runs([client.get_experiment_by_name("tscl").experiment_id])
    model_uri = run.data.tags[MODEL_URI_TAG]
    mlflow.set_tracking_uri(uri)
    folder = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri))

    requirements = (folder / "requirements.txt").read_text().split()
    assert requirements and not any(r.startswith("tscl") for r in requirements)
    assert (folder / "code" / "tscl" / "track" / "model.py").is_file()

    work = tmp_path_factory.mktemp("fresh")
    python = fresh_venv(work / "venv", folder / "requirements.txt")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MLFLOW_TRACKING", "PYTHON", "VIRTUAL_ENV"))
    }
    env["MLFLOW_TRACKING_URI"] = uri
    cwd = work / "cwd"
    cwd.mkdir()
    absent = subprocess.run(
        [str(python), "-c", "import tscl"], cwd=cwd, env=env, capture_output=True
    )
    assert absent.returncode != 0, "the fresh venv must not see any tscl of its own"

    bundle = load_model_bundle(model_uri)
    series = np.random.default_rng(0).normal(size=(3, 96, bundle.in_channels))
    np.save(cwd / "x.npy", series.astype(np.float32))
    done = subprocess.run(
        [str(python), "-c", PREDICT, model_uri, "x.npy"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    origin = Path(out["tscl"]).resolve()
    assert origin.parts[-3:] == ("code", "tscl", "__init__.py")
    assert not origin.is_relative_to(CHECKOUT)

    expected = mlflow.pyfunc.load_model(model_uri).predict(series.astype(np.float32))
    np.testing.assert_allclose(np.array(out["embeddings"]), expected, atol=1e-5)
