"""Against a real ``mlflow server`` on loopback: track, register, serve by alias; then lose the server.

The module starts one server (about 7.5 s). The last test stops it in the
middle of a run, so it must stay last in this file.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from mlflow.tracking import MlflowClient

from tscl.config import load_config
from tscl.data.training import TrainingData as Arrays
from tscl.errors import TsclError
from tscl.eval.plots import plot_loss_curves
from tscl.track import RunTracker, TrackingWarning, register, resend_unsent
from tscl.track.model import embed_series
from tscl.train.run import pretrain

# About 30 s on a quiet 2-core machine (server start, a fresh process loading the
# champion, losing the server mid-run); part of `make test` because it is how the
# tracking-server path is proven.

NAME = "served-encoder"
START_TIMEOUT_S = 120.0


@dataclass
class Server:
    uri: str
    database: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """SIGTERM to the server's own process group (it and its workers); SIGKILL if it hangs."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(server: Server, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"mlflow server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{server.uri}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"mlflow server did not answer /health in {START_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("server")
    port = free_port()
    database = root / "db.sqlite"
    command = [
        str(Path(sys.executable).with_name("mlflow")),
        "server",
        "--backend-store-uri",
        f"sqlite:///{database}",
        "--default-artifact-root",
        str(root / "art"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MLFLOW_TRACKING")
    }
    env.update(
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false", MLFLOW_DISABLE_TELEMETRY="true"
    )
    log = root / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    handle = Server(uri=f"http://127.0.0.1:{port}", database=database, process=process)
    try:
        wait_healthy(handle, log)
        yield handle
    finally:
        handle.stop()


def test_track_register_and_load_champion_in_a_new_process(
    server: Server,
    data_dir: Path,
    tmp_path: Path,
    ecg200: Arrays,
    fresh_process_output: Callable[[str], np.ndarray],
) -> None:
    config = load_config(
        "tiny", ["train.max_steps=4", "train.log_every=1", f"tracking.uri={server.uri}"]
    )
    arrays = ecg200
    with RunTracker(config, run_dir=tmp_path / "run", source=arrays.source) as tracker:
        output = pretrain(
            config,
            run_dir=tmp_path / "run",
            data=arrays,
            callbacks=[tracker.log_step],
        )
        model_uri = tracker.log_encoder(
            output.bundle, arrays.test_x, bundle_path=output.bundle_path
        )
    client = MlflowClient(server.uri)
    run = client.get_run(tracker.run_id)
    assert run.info.status == "FINISHED" and tracker.unsent == 0
    assert [m.step for m in client.get_metric_history(tracker.run_id, "loss")] == [
        1,
        2,
        3,
        4,
    ]
    assert model_uri is not None
    version = register(model_uri, NAME, uri=server.uri)
    assert int(client.get_model_version_by_alias(NAME, "champion").version) == version

    record = data_dir / "ecg" / "wfdb" / "mitdb" / "100"
    code = (
        "import json, wfdb, numpy as np\n"
        "from tscl.track import load_encoder\n"
        f"record = wfdb.rdrecord({str(record)!r}, sampfrom=3600, sampto=4320, channels=[0])\n"
        "window = record.p_signal.T.astype(np.float32)  # (720, 1) -> (1, 720)\n"
        f"print(json.dumps(load_encoder('models:/{NAME}@champion', uri={server.uri!r})(window).tolist()))\n"
    )
    z = fresh_process_output(code)
    import wfdb

    window = wfdb.rdrecord(
        str(record), sampfrom=3600, sampto=4320, channels=[0]
    ).p_signal.T.astype(np.float32)
    np.testing.assert_allclose(
        z, embed_series(output.bundle, window), rtol=1e-5, atol=1e-6
    )


def test_unreachable_server_fails_before_training(
    data_dir: Path, tmp_path: Path, ecg200: Arrays
) -> None:
    uri = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    config = load_config("tiny", ["train.max_steps=2", f"tracking.uri={uri}"])
    steps: list[int] = []
    with (
        pytest.raises(TsclError) as caught,
        RunTracker(config, run_dir=tmp_path / "run"),
    ):
        pretrain(
            config,
            run_dir=tmp_path / "run",
            data=ecg200,
            callbacks=[lambda step, metrics: steps.append(step)],
        )
    assert str(caught.value) == (
        f"tracking server {uri} is unreachable: connection refused "
        "(set tracking.uri or MLFLOW_TRACKING_URI)"
    )
    assert steps == [] and not (tmp_path / "run" / "checkpoint.pt").exists()


def test_server_lost_mid_run_keeps_training_and_records(
    server: Server,
    data_dir: Path,
    tmp_path: Path,
    ecg200: Arrays,
) -> None:
    config = load_config(
        "tiny", ["train.max_steps=6", "train.log_every=1", f"tracking.uri={server.uri}"]
    )
    run_dir = tmp_path / "run"

    def stop_server_at_step_2(step: int, metrics: dict[str, float]) -> None:
        if step == 2:
            server.stop()

    with (
        pytest.warns(TrackingWarning) as caught,
        RunTracker(config, run_dir=run_dir, flush_every=1) as tracker,
    ):
        output = pretrain(
            config,
            run_dir=run_dir,
            data=ecg200,
            callbacks=[tracker.log_step, stop_server_at_step_2],
        )
        tracker.log_figure(plot_loss_curves(output.result.history), "loss_curves")
    assert (
        output.result.steps == 6
        and (run_dir / "checkpoint.pt").is_file()
        and (run_dir / "encoder.pt").is_file()
    )
    spool = run_dir / "unsent_mlflow_records.jsonl"
    records = [json.loads(line) for line in spool.read_text().splitlines()]
    assert tracker.unsent == len(records) > 0
    assert sorted({r["step"] for r in records if r["kind"] == "metric"}) == [3, 4, 5, 6]
    assert [r["status"] for r in records if r["kind"] == "status"] == ["FINISHED"]
    assert [Path(r["path"]).name for r in records if r["kind"] == "artifact"] == [
        "loss_curves.png"
    ]
    last = str(caught[-1].message)
    assert (
        last.startswith(
            f"{len(records)} MLflow records of run {tracker.run_id} were not sent"
        )
        and str(spool) in last
    )

    # Nothing was lost: the records go into the server's own database afterwards.
    local = f"sqlite:///{server.database}"
    assert resend_unsent(spool, uri=local) == len(records)
    client = MlflowClient(local)
    assert client.get_run(tracker.run_id).info.status == "FINISHED"
    assert [m.step for m in client.get_metric_history(tracker.run_id, "loss")] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert [a.path for a in client.list_artifacts(tracker.run_id, "figures")] == [
        "figures/loss_curves.png"
    ]
