"""Issue 14, acceptances 1 and 5: loading a model never runs code; ``tscl embed`` checks its input.

One tiny ECG200 pretraining (a real SQLite store, the real CLI) provides the
run folder and the logged model; payloads are planted in copies of its files.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pytest
import torch
from mlflow.tracking import MlflowClient
from reliability_helpers import one_line_error, plant

from tscl.cli import main
from tscl.estimator import ContrastiveEncoder
from tscl.saved_state import UnsafeFileError


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> dict[str, Any]:
    """A 3-step tiny pretraining of ECG200 logged to a fresh SQLite store."""
    root = tmp_path_factory.mktemp("saved")
    patch = pytest.MonkeyPatch()
    patch.chdir(root)
    patch.setenv("TSCL_CACHE_DIR", str(root / "cache"))
    patch.setenv("TSCL_DATA_MIRROR", str(data_dir))
    patch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    patch.delenv("MLFLOW_TRACKING_URI", raising=False)
    uri = f"sqlite:///{root / 'mlflow.db'}"
    run_dir = root / "run"
    args = ["pretrain", "--config", "tiny", "train.max_steps=3"]
    assert main([*args, f"tracking.uri={uri}", "--run-dir", str(run_dir)]) == 0
    client = MlflowClient(uri)
    (run,) = client.search_runs([client.get_experiment_by_name("tscl").experiment_id])
    model_uri = run.data.tags["tscl.model_uri"]
    model = client.get_logged_model(model_uri.removeprefix("models:/"))
    yield {
        "root": root,
        "uri": uri,
        "run_dir": run_dir,
        "model_uri": model_uri,
        "model_dir": Path(urlparse(model.artifact_location).path),
    }
    patch.undo()


def embed(trained: dict[str, Any], source: Path) -> tuple[int, str]:
    output = trained["root"] / "out" / f"{source.name}.parquet"
    code = main(
        [
            "embed",
            "--model",
            trained["model_uri"],
            "--input",
            str(source),
            "--output",
            str(output),
            "--tracking-uri",
            trained["uri"],
        ]
    )
    return code, str(output)


def saved_array(trained: dict[str, Any], name: str, values: np.ndarray) -> Path:
    path = trained["root"] / "inputs" / f"{name}.npy"
    path.parent.mkdir(exist_ok=True)
    np.save(path, values)
    return path


def runs_in(trained: dict[str, Any]) -> int:
    client = MlflowClient(trained["uri"])
    experiment = client.get_experiment_by_name("tscl").experiment_id
    return len(client.search_runs([experiment]))


def test_evaluate_refuses_a_planted_bundle(
    trained: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = shutil.copytree(trained["run_dir"], tmp_path / "run")
    marker = tmp_path / "marker"
    state = torch.load(run_dir / "encoder.pt", weights_only=True)
    plant(run_dir / "encoder.pt", marker, state)
    before = runs_in(trained)
    code = main(["evaluate", "--run", str(run_dir), f"tracking.uri={trained['uri']}"])
    line = one_line_error(capsys.readouterr().err)
    assert code == 2 and "refused" in line and "encoder.pt" in line
    assert not marker.exists()
    assert runs_in(trained) == before  # no evaluation run was started


def test_estimator_load_refuses_a_planted_bundle(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = plant(tmp_path / "model.pt", marker, {"format": "tscl-encoder/2"})
    with pytest.raises(UnsafeFileError, match="refused") as info:
        ContrastiveEncoder.load(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    assert not marker.exists()


def test_embed_runs_no_code_from_the_store(
    trained: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The model's entry file is never run; a planted weights file is refused."""
    source = saved_array(trained, "ok", np.random.default_rng(0).normal(size=(3, 96)))
    entry = trained["model_dir"] / "pyfunc_entry.py"  # MLflow runs it on pyfunc load
    bundle = trained["model_dir"] / "artifacts" / "encoder.pt"
    original_entry, original_bundle = entry.read_bytes(), bundle.read_bytes()
    code_marker, pickle_marker = tmp_path / "code_ran", tmp_path / "unpickled"
    try:
        entry.write_text(
            f"open({str(code_marker)!r}, 'w').close()\n" + entry.read_text()
        )
        code, output = embed(trained, source)
        assert code == 0 and Path(output).is_file()
        assert not code_marker.exists()

        plant(bundle, pickle_marker, torch.load(bundle, weights_only=True))
        capsys.readouterr()
        code, _ = embed(trained, source)
        line = one_line_error(capsys.readouterr().err)
        assert code == 2 and "refused" in line and "encoder.pt" in line
        assert not pickle_marker.exists()
    finally:
        entry.write_bytes(original_entry)
        bundle.write_bytes(original_bundle)


def nan_rows() -> np.ndarray:
    x = np.random.default_rng(1).normal(size=(4, 96))
    x[[1, 3]] = np.nan
    return x


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("three_channels", np.zeros((2, 96, 3)), "has 3 channels"),
        ("strings", np.array([["a", "b"], ["c", "d"]]), "holds strings"),
        ("complex", np.ones((2, 96)) * (1 + 2j), "holds complex numbers"),
        ("all_nan_rows", nan_rows(), "series 1, 3 (2 of 4) have no observed values"),
        ("inf", np.full((2, 96), np.inf), "contains inf"),
        ("one_dimensional", np.zeros(96), "got shape (96,)"),
    ],
)
def test_embed_checks_arrays_against_the_input_contract(
    trained: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    name: str,
    values: np.ndarray,
    expected: str,
) -> None:
    source = saved_array(trained, name, values)
    code, output = embed(trained, source)
    line = one_line_error(capsys.readouterr().err)
    assert code == 2 and expected in line and str(source) in line
    assert not Path(output).exists()


def test_embed_refuses_a_two_lead_record_for_a_one_channel_encoder(
    trained: dict[str, Any], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = data_dir / "ecg" / "wfdb" / "mitdb" / "100"  # smoke use of a DS2 record
    code, output = embed(trained, record)
    line = one_line_error(capsys.readouterr().err)
    assert code == 2 and "has 2 channels" in line and "expects 1" in line
    assert len(line) < 300 and not Path(output).exists()
