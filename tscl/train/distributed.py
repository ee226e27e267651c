"""Data-parallel pretraining on Ray Train: one process per worker, DDP gradients.

Each Ray Train worker builds the same method from the config, wraps it in
``DistributedDataParallel`` and runs the ordinary ``fit`` loop on its slice of
every global batch (``batch_size * num_workers`` samples). Rank 0 saves the
training checkpoint and the encoder bundle into a Ray checkpoint; the driver
copies both into the run folder, so the folder looks like a ``pretrain`` run.

Ray is imported inside functions only, so ``import tscl.train`` stays free of it.
Multi-node clusters need ``tscl`` installed on every node and a ``storage_path``
that every node and the driver can reach (a shared folder or a cloud URI).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import torch
from torch import nn

from tscl.bundle import EncoderBundle, load_bundle, save_bundle
from tscl.config import RunConfig, to_yaml
from tscl.data.sections import prepare_pretraining_array
from tscl.data.training import TrainingData
from tscl.errors import ConfigError, TsclError
from tscl.train.averaging import build_averaged
from tscl.train.build import build_method, resolve_steps
from tscl.train.checkpoint import load_checkpoint
from tscl.train.device import resolve_precision
from tscl.train.loop import (
    Distributed,
    StepCallback,
    TrainResult,
    fit,
)
from tscl.train.optimizers import build_group_optimizers
from tscl.train.run import (
    BUNDLE_NAME,
    CHECKPOINT_NAME,
    PretrainOutput,
    load_data,
    new_run_dir,
)

# Set before `import ray`: no auth token file, ports on 127.0.0.1, no usage reports.
QUIET_RAY_ENVIRONMENT = {
    "RAY_AUTH_MODE": "disabled",
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_AIR_NEW_OUTPUT": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
}


@dataclass
class DistributedOutput(PretrainOutput):
    """A ``PretrainOutput`` plus what each rank reported.

    Attributes:
        world_size: number of training processes that ran.
        weight_checksums: sha256 of each rank's final weights, by rank; all equal
            when the gradients were synchronised.
        rank_losses: each rank's logged losses, by rank (they differ: each rank
            sees its own slice of the batch).
    """

    world_size: int = 1
    weight_checksums: list[str] = field(default_factory=list)
    rank_losses: list[list[float]] = field(default_factory=list)


def weights_checksum(*modules: nn.Module | None) -> str:
    """sha256 over the bytes of every tensor of the modules' state dicts, by key."""
    digest = hashlib.sha256()
    for index, module in enumerate(modules):
        if module is None:
            continue
        for key, tensor in sorted(module.state_dict().items()):
            digest.update(f"{index}.{key}".encode())
            flat = tensor.detach().cpu().contiguous().reshape(-1)  # any shape -> (n,)
            digest.update(flat.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def mean_history(histories: Sequence[list[dict[str, float]]]) -> list[dict[str, float]]:
    """Per logged step, the mean of every metric over ranks: the global batch's loss."""
    merged = []
    for entries in zip(*histories, strict=True):
        steps = {entry["step"] for entry in entries}
        if len(steps) != 1:
            raise TsclError(f"ranks logged different steps {sorted(steps)}")
        keys = set.intersection(*(set(entry) for entry in entries)) - {"step"}
        row = {"step": entries[0]["step"]}
        row.update({k: sum(e[k] for e in entries) / len(entries) for k in sorted(keys)})
        merged.append(row)
    return merged


def resolve_use_gpu(use_gpu: bool | None, device: str, cluster_gpus: float) -> bool:
    """Whether workers use GPUs: ``use_gpu`` if given, else ``train.device`` decides.

    ``train.device: auto`` trains on GPUs when the cluster has any.
    """
    kind = device.split(":")[0]
    if kind not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"train.device: '{device}' is not one of auto, cpu, cuda")
    if use_gpu is None:
        if kind == "cuda" and cluster_gpus < 1:
            raise ConfigError(
                f"train.device: '{device}' but the Ray cluster has no GPU"
            )
        return kind == "cuda" or (kind == "auto" and cluster_gpus >= 1)
    if (use_gpu and kind == "cpu") or (not use_gpu and kind == "cuda"):
        raise ConfigError(f"train.device: '{device}' conflicts with use_gpu={use_gpu}")
    return use_gpu


@contextmanager
def ray_session(num_cpus: int) -> Iterator[bool]:
    """Uses the running Ray, or joins ``$RAY_ADDRESS``, or starts a quiet local one.

    Yields whether Ray was started here (a local cluster of ``num_cpus`` CPUs on
    127.0.0.1). Whatever was started or connected here is shut down at the end.
    """
    for key, value in QUIET_RAY_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    import ray

    if ray.is_initialized():
        yield False
        return
    quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR}
    address, temp_dir = os.environ.get("RAY_ADDRESS"), None
    if address:
        ray.init(address=address, **quiet)
    else:
        # Unix socket paths are limited to ~107 bytes: keep the session folder short.
        temp_dir = Path("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir())
        temp_dir = temp_dir / f"ray_{os.getpid()}"
        ray.init(
            num_cpus=num_cpus,
            include_dashboard=False,
            _temp_dir=str(temp_dir),
            **quiet,
        )
    try:
        yield address is None
    finally:
        ray.shutdown()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)


def ddp_wrapper(device: torch.device) -> Callable[[nn.Module], nn.Module]:
    """``module -> DistributedDataParallel(module)``, pinned to ``device`` on a GPU.

    Plain DDP rather than Ray's ``prepare_model``: ``fit`` already owns device
    placement, and the wrapper then works the same under torchrun.
    """

    def wrap(module: nn.Module) -> nn.Module:
        if device.type == "cuda":
            return nn.parallel.DistributedDataParallel(
                module, device_ids=[device], output_device=device
            )
        return nn.parallel.DistributedDataParallel(module)

    return wrap


def is_loopback_cluster(node_addresses: Sequence[str]) -> bool:
    """True when every node listens on loopback: one machine, no other can join."""
    return bool(node_addresses) and all(
        address in ("127.0.0.1", "::1", "localhost") for address in node_addresses
    )


def file_store_torch_config(backend: str, store_dir: str) -> Any:
    """A Ray ``TorchConfig`` whose workers meet through a file, not a TCP port.

    Ray's default rendezvous starts torch's TCPStore, which listens on every
    interface; on a single machine a ``FileStore`` in ``store_dir`` does the same
    job without opening a port. Classes are built here so that Ray is imported
    only when this is called.
    """
    from ray.train.backend import Backend
    from ray.train.torch import TorchConfig

    class FileStoreBackend(Backend):  # type: ignore[misc]
        share_cuda_visible_devices = True

        def on_start(self, worker_group: Any, backend_config: Any) -> None:
            import ray

            world_size = len(worker_group)
            store_file = Path(backend_config.store_dir) / f"pg-{uuid.uuid4().hex}"
            joins = [
                worker_group.execute_single_async(
                    rank,
                    _join_process_group,
                    backend=backend_config.backend,
                    world_rank=rank,
                    world_size=world_size,
                    store_file=str(store_file),
                    timeout_s=backend_config.timeout_s,
                )
                for rank in range(world_size)
            ]
            ray.get(joins)

        def on_shutdown(self, worker_group: Any, backend_config: Any) -> None:
            worker_group.execute(_leave_process_group)

    @dataclass
    class FileStoreTorchConfig(TorchConfig):  # type: ignore[misc]
        store_dir: str = ""

        @property
        def backend_cls(self) -> type:
            return FileStoreBackend

    return FileStoreTorchConfig(backend=backend, store_dir=store_dir)


def _join_process_group(
    backend: str, world_rank: int, world_size: int, store_file: str, timeout_s: int
) -> None:
    """Runs on each worker: joins the process group, gloo/NCCL sockets on loopback."""
    import torch.distributed as dist

    names = {name for _, name in socket.if_nameindex()}
    loopback = "lo0" if "lo0" in names and "lo" not in names else "lo"
    os.environ.setdefault("GLOO_SOCKET_IFNAME", loopback)
    os.environ.setdefault("NCCL_SOCKET_IFNAME", loopback)
    dist.init_process_group(
        backend,
        store=dist.FileStore(store_file, world_size),
        rank=world_rank,
        world_size=world_size,
        timeout=timedelta(seconds=timeout_s),
    )


def _leave_process_group() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def _gather(value: Any) -> list[Any]:
    """``value`` from every rank, by rank (just ``[value]`` without a process group)."""
    import torch.distributed as dist

    if not dist.is_initialized():
        return [value]
    values: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(values, value)
    return values


def _train_worker(loop_config: dict[str, Any]) -> None:
    """One Ray Train worker: build, fit under DDP, gather, report (+ checkpoint)."""
    import ray
    import ray.train
    from ray.train.torch import get_device

    context = ray.train.get_context()
    rank, world_size = context.get_world_rank(), context.get_world_size()
    config: RunConfig = loop_config["config"]
    device = get_device()
    if device.type == "cuda":
        torch.cuda.set_device(device)  # NCCL object collectives use the current device
    # The worker's device comes from Ray; progress bars would only reach worker logs.
    settings = replace(config.train, device=str(device), progress=False)
    train, val = (
        ray.get(ref) if ref is not None else None for ref in loop_config["data"]
    )
    torch.manual_seed(config.train.seed)  # the same initial weights on every rank
    method = build_method(config, loop_config["in_channels"])
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        result = fit(
            method,
            torch.from_numpy(train.copy()),  # object-store arrays are read-only
            settings,
            max_steps=loop_config["max_steps"],
            val_data=None if val is None else torch.from_numpy(val.copy()),
            checkpoint_path=Path(folder) / CHECKPOINT_NAME,
            config_text=to_yaml(config),
            distributed=Distributed(rank, world_size, wrap=ddp_wrapper(device)),
        )
        metrics = _rank_metrics(result, rank, world_size)
        checkpoint = None
        if rank == 0:
            _save_worker_bundle(Path(folder), result, loop_config)
            checkpoint = ray.train.Checkpoint.from_directory(folder)
        ray.train.report(metrics, checkpoint=checkpoint)


def _rank_metrics(result: TrainResult, rank: int, world_size: int) -> dict[str, Any]:
    """What rank 0 reports, gathered from every rank: the same on all ranks."""
    own = {
        "rank": rank,
        "checksum": weights_checksum(result.method, result.averaged),
        "history": result.history,
    }
    ranks = _gather(own)
    history = mean_history([entry["history"] for entry in ranks])
    return {
        "world_size": world_size,
        "ranks": [entry["rank"] for entry in ranks],
        "weight_checksums": [entry["checksum"] for entry in ranks],
        "rank_losses": [[h["loss"] for h in entry["history"]] for entry in ranks],
        "history": history,
        "loss": history[-1]["loss"] if history else float("nan"),
        "steps": result.steps,
        "seconds": result.seconds,
    }


def _save_worker_bundle(
    folder: Path, result: TrainResult, loop_config: dict[str, Any]
) -> None:
    bundle = EncoderBundle(
        encoder=result.encoder.cpu().eval(),
        config=loop_config["config"],
        in_channels=loop_config["in_channels"],
        scaler=loop_config["scaler"],
        info={
            "steps": result.steps,
            "source": loop_config["source"],
            "workers": loop_config["num_workers"],
        },
    )
    save_bundle(folder / BUNDLE_NAME, bundle)


def check_settings(config: RunConfig, in_channels: int, max_steps: int) -> None:
    """Builds what every worker will build: config mistakes fail before Ray starts."""
    method = build_method(config, in_channels)
    build_group_optimizers(method, config.train, max_steps)
    build_averaged(method.encoder, config.train.averaging, config.train.ema_decay)
    resolve_precision(config.train.precision, torch.device("cpu"))


def pretrain_distributed(
    config: RunConfig,
    *,
    num_workers: int,
    use_gpu: bool | None = None,
    data: TrainingData | None = None,
    run_dir: str | Path | None = None,
    callbacks: Sequence[StepCallback] = (),
    storage_path: str | None = None,
) -> DistributedOutput:
    """Pretrains with ``num_workers`` data-parallel Ray Train workers.

    Writes the same run folder as ``pretrain``: config.yaml, checkpoint.pt, encoder.pt.

    Args:
        num_workers: training processes (one per GPU with ``use_gpu``).
        use_gpu: None = from ``train.device`` (``auto``: GPUs if the cluster has any).
        callbacks: called on the driver after training with ``(step, metrics)`` for
            every logged step, metrics averaged over ranks.
        storage_path: where Ray Train persists its checkpoint (default
            ``run_dir/ray``, removed after the copy into ``run_dir``); must be
            shared storage on a multi-node cluster.
    """
    if (
        isinstance(num_workers, bool)
        or not isinstance(num_workers, int)
        or num_workers < 1
    ):
        raise ConfigError(f"workers: expected a whole number >= 1, got {num_workers!r}")
    run_dir = Path(run_dir) if run_dir is not None else new_run_dir(config)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.yaml").write_text(to_yaml(config))
    arrays = data if data is not None else load_data(config)
    check_settings(
        config, arrays.in_channels, resolve_steps(config, int(arrays.train_x.size))
    )
    storage = storage_path or str((run_dir / "ray").resolve())
    with ray_session(num_cpus=max(num_workers, os.cpu_count() or 1)) as started_here:
        import ray

        gpus = ray.cluster_resources().get("GPU", 0.0)
        gpu = resolve_use_gpu(use_gpu, config.train.device, gpus)
        if started_here and gpu and gpus < num_workers:
            raise ConfigError(
                f"workers: {num_workers} GPU workers but this machine has {gpus:g} GPUs"
            )
        metrics = _run_trainer(
            config, arrays, num_workers=num_workers, use_gpu=gpu, storage=storage
        )
        _copy_checkpoint(metrics.pop("checkpoint"), run_dir)
    if storage_path is None:  # its checkpoint now lives in run_dir itself
        shutil.rmtree(storage, ignore_errors=True)
    return _collect(config, arrays, run_dir, metrics, callbacks)


def _loop_config(
    config: RunConfig, arrays: TrainingData, num_workers: int
) -> dict[str, Any]:
    """What every worker receives; the arrays travel through the object store."""
    import ray

    train = prepare_pretraining_array(arrays.train_x, config.data.max_train_length)
    val = None
    if arrays.val_x is not None and len(arrays.val_x) > 1:
        val = prepare_pretraining_array(arrays.val_x, config.data.max_train_length)
    return {
        "config": config,
        "data": (ray.put(train), None if val is None else ray.put(val)),
        "in_channels": arrays.in_channels,
        "num_workers": num_workers,
        "max_steps": resolve_steps(config, int(arrays.train_x.size)),
        "scaler": arrays.scaler,
        "source": arrays.source,
    }


def cluster_torch_config(use_gpu: bool, store_dir: str) -> Any:
    """gloo on CPUs, NCCL on GPUs; a file rendezvous on a one-machine cluster."""
    import ray
    from ray.train.torch import TorchConfig

    backend = "nccl" if use_gpu else "gloo"
    nodes = [node["NodeManagerAddress"] for node in ray.nodes() if node["Alive"]]
    if is_loopback_cluster(nodes):
        return file_store_torch_config(backend, store_dir)
    return TorchConfig(backend=backend)


def _run_trainer(
    config: RunConfig,
    arrays: TrainingData,
    *,
    num_workers: int,
    use_gpu: bool,
    storage: str,
) -> dict[str, Any]:
    """Runs the Ray Train job; returns rank 0's metrics plus the Ray checkpoint."""
    from ray.train import RunConfig as RayRunConfig
    from ray.train import ScalingConfig, WorkerGroupError
    from ray.train.torch import TorchTrainer

    with tempfile.TemporaryDirectory(prefix="tscl_pg_") as store_dir:
        trainer = TorchTrainer(
            _train_worker,
            train_loop_config=_loop_config(config, arrays, num_workers),
            torch_config=cluster_torch_config(use_gpu, store_dir),
            scaling_config=ScalingConfig(num_workers=num_workers, use_gpu=use_gpu),
            run_config=RayRunConfig(
                name=f"pretrain-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}",
                storage_path=storage,
            ),
        )
        try:
            result = trainer.fit()
        except WorkerGroupError as err:
            user_error = unwrap_user_error(err)
            if user_error is None:
                raise
            raise user_error from err
    if result.checkpoint is None:
        raise TsclError("distributed pretraining ended without rank 0's checkpoint")
    return {**result.metrics, "checkpoint": result.checkpoint}


def unwrap_user_error(error: Exception) -> TsclError | None:
    """The first tscl error (config or data mistake) a worker raised, out of Ray's."""
    for failure in getattr(error, "worker_failures", {}).values():
        seen: BaseException | None = failure
        while seen is not None:
            if isinstance(seen, TsclError) and type(seen).__module__.startswith("tscl"):
                return seen
            seen = getattr(seen, "cause", None) or seen.__cause__
    return None


def _copy_checkpoint(checkpoint: Any, run_dir: Path) -> None:
    """Copies rank 0's checkpoint.pt and encoder.pt out of the Ray checkpoint."""
    with checkpoint.as_directory() as folder:
        for name in (CHECKPOINT_NAME, BUNDLE_NAME):
            shutil.copyfile(Path(folder) / name, run_dir / name)


def _collect(
    config: RunConfig,
    arrays: TrainingData,
    run_dir: Path,
    metrics: dict[str, Any],
    callbacks: Sequence[StepCallback],
) -> DistributedOutput:
    """Rebuilds bundle and method on the driver; replays the log to the callbacks."""
    state = load_checkpoint(run_dir / CHECKPOINT_NAME)
    method = build_method(config, arrays.in_channels)
    method.load_state_dict(state["method"])
    averaged = build_averaged(
        method.encoder, config.train.averaging, config.train.ema_decay
    )
    if averaged is not None and state.get("averaged") is not None:
        averaged.load_state_dict(state["averaged"])
    result = TrainResult(
        method=method.eval(),
        averaged=averaged,
        steps=state["step"],
        history=metrics["history"],
        checkpoint=run_dir / CHECKPOINT_NAME,
        seconds=metrics["seconds"],
    )
    for entry in result.history:
        metrics_at_step = {k: v for k, v in entry.items() if k != "step"}
        for callback in callbacks:
            callback(int(entry["step"]), metrics_at_step)
    return DistributedOutput(
        run_dir=run_dir,
        bundle=load_bundle(run_dir / BUNDLE_NAME),
        bundle_path=run_dir / BUNDLE_NAME,
        result=result,
        data=arrays,
        world_size=metrics["world_size"],
        weight_checksums=metrics["weight_checksums"],
        rank_losses=metrics["rank_losses"],
    )
