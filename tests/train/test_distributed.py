"""Data-parallel pretraining on Ray Train (issue 5, acceptance 4): 2 CPU workers."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tscl.bundle import load_bundle
from tscl.config import load_config
from tscl.data.read_ts import read_ts
from tscl.data.training import TrainingData as Arrays
from tscl.domains.archive.load import archive_data as archive_arrays
from tscl.errors import ConfigError, DataError
from tscl.train.distributed import (
    DistributedOutput,
    cluster_torch_config,
    is_loopback_cluster,
    mean_history,
    pretrain_distributed,
    ray_session,
    resolve_use_gpu,
    unwrap_user_error,
    weights_checksum,
)
from tscl.train.run import embed

# Ray Data's own deprecation notices, raised while Ray Train imports it.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray")


@dataclass
class TwoWorkerRun:
    output: DistributedOutput
    logged: list[tuple[int, dict[str, float]]]


@pytest.fixture(scope="module")
def ecg200(data_dir: Path) -> Arrays:
    folder = data_dir / "ucr" / "ECG200"
    return archive_arrays(
        read_ts(folder / "ECG200_TRAIN.ts"), read_ts(folder / "ECG200_TEST.ts")
    )


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[bool]:
    """One quiet local Ray for the whole module (starting one costs ~9 s)."""
    with ray_session(num_cpus=2) as started_here:
        yield started_here


@pytest.fixture(scope="module")
def two_worker_run(
    ecg200: Arrays, ray_cluster: bool, tmp_path_factory: pytest.TempPathFactory
) -> TwoWorkerRun:
    config = load_config(
        "tiny", ["train.max_steps=30", "train.log_every=1", "train.device=cpu"]
    )
    logged: list[tuple[int, dict[str, float]]] = []
    output = pretrain_distributed(
        config,
        num_workers=2,
        data=ecg200,
        run_dir=tmp_path_factory.mktemp("distributed") / "run",
        callbacks=[lambda step, metrics: logged.append((step, metrics))],
    )
    return TwoWorkerRun(output=output, logged=logged)


def test_two_ranks_ran_and_the_loss_falls(two_worker_run: TwoWorkerRun) -> None:
    output = two_worker_run.output
    assert output.world_size == 2
    assert output.result.steps == 30
    losses = [entry["loss"] for entry in output.result.history]
    assert len(losses) == 30 and all(math.isfinite(v) for v in losses)
    assert np.mean(losses[-5:]) < np.mean(losses[:5])
    # Each rank trained on its own slice of every global batch: different losses,
    # and the reported loss is their mean (the loss of the global batch).
    first, second = output.rank_losses
    assert len(first) == len(second) == 30 and first != second
    assert losses == pytest.approx(
        [(a + b) / 2 for a, b in zip(first, second, strict=True)]
    )


def test_gradients_were_synchronised(two_worker_run: TwoWorkerRun) -> None:
    output = two_worker_run.output
    rank0, rank1 = output.weight_checksums
    assert rank0 == rank1
    # The driver's copy, rebuilt from rank 0's checkpoint, holds those same weights.
    result = output.result
    assert weights_checksum(result.method, result.averaged) == rank0


def test_run_folder_and_encoder_embed_data(
    two_worker_run: TwoWorkerRun, ecg200: Arrays
) -> None:
    output = two_worker_run.output
    names = {"config.yaml", "checkpoint.pt", "encoder.pt"}
    assert {p.name for p in output.run_dir.iterdir()} == names
    bundle = load_bundle(output.bundle_path)
    assert bundle.info["workers"] == 2 and bundle.info["steps"] == 30
    z = embed(bundle.encoder, bundle.preprocess(ecg200.test_x), device="cpu")
    assert z.shape == (len(ecg200.test_x), 32) and np.isfinite(z).all()
    assert z.std(axis=0).max() > 0  # not a constant map
    # The bundle's encoder is the driver's inference encoder.
    assert weights_checksum(bundle.encoder) == weights_checksum(output.result.encoder)
    steps = [step for step, _ in two_worker_run.logged]
    assert steps == list(range(1, 31))
    assert [m["loss"] for _, m in two_worker_run.logged] == [
        h["loss"] for h in output.result.history
    ]


def test_a_one_machine_cluster_meets_through_a_file(
    ray_cluster: bool, tmp_path: Path
) -> None:
    # Torch's TCPStore would listen on every interface; the local run opens no port.
    torch_config = cluster_torch_config(use_gpu=False, store_dir=str(tmp_path))
    assert type(torch_config).__name__ == "FileStoreTorchConfig"
    assert torch_config.backend == "gloo" and torch_config.store_dir == str(tmp_path)


def test_config_mistakes_fail_before_ray_starts(ecg200: Arrays, tmp_path: Path) -> None:
    config = load_config("tiny", ["train.schedule=linear"])
    with pytest.raises(ConfigError, match="train.schedule"):
        pretrain_distributed(config, num_workers=2, data=ecg200, run_dir=tmp_path)
    config = load_config("tiny", ["encoder.params.dept=3"])
    with pytest.raises(ConfigError, match="dept"):
        pretrain_distributed(config, num_workers=2, data=ecg200, run_dir=tmp_path)


def test_a_worker_s_tscl_error_is_unwrapped_from_ray_s() -> None:
    from ray.exceptions import RayTaskError
    from ray.train import WorkerGroupError

    original = DataError("x.ts", "expected 1 channel")
    wrapped = RayTaskError("train", "traceback", original).as_instanceof_cause()
    failures = {0: RuntimeError("rank 0 lost"), 1: wrapped}
    assert unwrap_user_error(WorkerGroupError("two ranks", failures)) is original
    lost = WorkerGroupError("one rank", {0: RuntimeError("lost")})
    assert unwrap_user_error(lost) is None


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_rejects_bad_worker_counts(workers: object, tmp_path: Path) -> None:
    config = load_config("tiny", [])
    with pytest.raises(ConfigError, match="workers"):
        pretrain_distributed(
            config,
            num_workers=workers,  # type: ignore[arg-type]
            run_dir=tmp_path,
        )


def test_weights_checksum_sees_a_one_ulp_change() -> None:
    torch.manual_seed(0)
    first, second = nn.Linear(3, 2), nn.Linear(3, 2)
    second.load_state_dict(first.state_dict())
    assert weights_checksum(first) == weights_checksum(second)
    with torch.no_grad():
        second.bias[0] = torch.nextafter(second.bias[0], torch.tensor(math.inf))
    assert weights_checksum(first) != weights_checksum(second)
    assert weights_checksum(first, None) == weights_checksum(first)


def test_mean_history_averages_each_logged_step_over_ranks() -> None:
    rank0 = [{"step": 1, "loss": 2.0, "lr": 0.1}, {"step": 2, "loss": 1.0, "lr": 0.1}]
    rank1 = [{"step": 1, "loss": 4.0, "lr": 0.1}, {"step": 2, "loss": 0.5, "lr": 0.1}]
    assert mean_history([rank0, rank1]) == [
        {"step": 1, "loss": 3.0, "lr": 0.1},
        {"step": 2, "loss": 0.75, "lr": 0.1},
    ]


@pytest.mark.parametrize(
    ("use_gpu", "device", "gpus", "expected"),
    [
        (None, "auto", 0, False),
        (None, "auto", 2, True),
        (None, "cpu", 2, False),
        (None, "cuda", 1, True),
        (True, "auto", 0, True),
        (False, "auto", 4, False),
    ],
)
def test_resolve_use_gpu(
    use_gpu: bool | None, device: str, gpus: float, expected: bool
) -> None:
    assert resolve_use_gpu(use_gpu, device, gpus) is expected


@pytest.mark.parametrize(
    ("use_gpu", "device", "gpus"),
    [(None, "cuda", 0), (True, "cpu", 1), (False, "cuda:0", 1), (None, "tpu", 0)],
)
def test_resolve_use_gpu_rejects_conflicts(
    use_gpu: bool | None, device: str, gpus: float
) -> None:
    with pytest.raises(ConfigError, match="train.device"):
        resolve_use_gpu(use_gpu, device, gpus)


def test_only_an_all_loopback_cluster_counts_as_one_machine() -> None:
    assert is_loopback_cluster(["127.0.0.1"])
    assert is_loopback_cluster(["127.0.0.1", "::1"])
    assert not is_loopback_cluster(["127.0.0.1", "10.0.0.5"])
    assert not is_loopback_cluster([])
