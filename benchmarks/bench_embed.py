"""``tscl embed`` throughput in beats per second on MIT-BIH DS1 records, beside the authors' TS2Vec encode.

    python -m benchmarks.bench_embed [--records 101 106 108] [--repeats 3] [--pretrain-steps 200]

An ECG encoder is pretrained with the ``ecg_ts2vec`` recipe for
``pretrain_steps`` steps, logged as an MLflow model into a temporary local
store and loaded back with ``tscl.track.load_encoder``, exactly as ``tscl
embed --model URI`` loads it. Each repeat then embeds every record three ways,
interleaved so machine drift hits all alike:

- ``tscl embed``: ``embed_file`` on the WFDB record, what the CLI runs after
  loading the model: read, band-pass, cut beat windows, scale, encode;
- ``tscl encode``: the loaded model on the prepared beat windows only;
- the authors' TS2Vec (PyPI ``ts2vec`` 0.1, same architecture, untrained: speed
  does not depend on the weights) ``encode(..., encoding_window="full_series")``
  on the same windows at the same batch size (64).

Only DS1 records are used (record 100 is a DS2 record: smoke tests only).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks.common import SuiteSkipped, data_dir, print_tables, write_results
from tscl.config import load_config

ENCODE_BATCH = 64  # tscl.embedding.embed's default, given to the reference too
DS2 = {"100"}


def pretrained_model(steps: int, folder: Path) -> tuple[Any, float]:
    """(the encoder loaded as ``tscl embed`` loads it, seconds to load it)."""
    from tscl.track import RunTracker, load_encoder
    from tscl.train.run import pretrain

    uri = f"sqlite:///{folder / 'mlflow.db'}"
    config = load_config(
        "ecg_ts2vec",
        [f"train.max_steps={steps}", "train.progress=false", f"tracking.uri={uri}"]
        + [f"output_dir={folder}"],
    )
    output = pretrain(config, run_dir=folder / "run")
    with RunTracker(config, run_dir=folder / "run") as tracker:
        model_uri = tracker.log_encoder(
            output.bundle, output.data.train.x[:2], bundle_path=output.bundle_path
        )
    began = time.perf_counter()
    encoder = load_encoder(str(model_uri), uri=uri)
    return encoder, time.perf_counter() - began


def reference_encoder(in_channels: int) -> Any:
    from ts2vec import TS2Vec  # the bench extra: pip install -e ".[bench]"

    torch.manual_seed(0)
    return TS2Vec(input_dims=in_channels, device="cpu", batch_size=ENCODE_BATCH)


def timed(call: Any) -> tuple[Any, float]:
    began = time.perf_counter()
    out = call()
    return out, time.perf_counter() - began


def one_repeat(encoder: Any, reference: Any, paths: list[Path]) -> dict[str, float]:
    """Beats and seconds of each side over every record."""
    from tscl.domains import get_domain
    from tscl.domains.embed_file import embed_file

    bundle = encoder.bundle
    prepare = get_domain("ecg").embed_input
    seconds = {"tscl embed": 0.0, "tscl encode": 0.0, "authors' TS2Vec encode": 0.0}
    beats = 0
    for path in paths:
        table, elapsed = timed(lambda p=path: embed_file(bundle, p, encode=encoder))
        seconds["tscl embed"] += elapsed
        rows, _ = prepare(bundle.preprocessing, bundle.config, path)
        x = np.ascontiguousarray(np.asarray(rows.x).transpose(0, 2, 1))  # (N, T, C)
        z, elapsed = timed(lambda x=x: encoder(x))
        seconds["tscl encode"] += elapsed
        theirs, elapsed = timed(
            lambda x=x: reference.encode(
                x, encoding_window="full_series", batch_size=ENCODE_BATCH
            )
        )
        seconds["authors' TS2Vec encode"] += elapsed
        if not len(table) == len(z) == len(theirs):
            raise RuntimeError(f"{path.name}: sides embedded different beat counts")
        beats += len(table)
    return {"beats": beats, **{k: beats / v for k, v in seconds.items()}}


def run(records: list[str], repeats: int, pretrain_steps: int) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md)."""
    if DS2 & set(records):
        raise ValueError(f"records: {sorted(DS2 & set(records))} are DS2 (smoke only)")
    folder = data_dir() / "ecg" / "wfdb" / "mitdb"
    paths = [folder / name for name in records]
    missing = [p.name for p in paths if not p.with_suffix(".hea").is_file()]
    if missing:
        raise SuiteSkipped(f"MIT-BIH records {missing} are absent under {folder}")
    threads = torch.get_num_threads()
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder, load_s = pretrained_model(pretrain_steps, Path(tmp))
        reference = reference_encoder(encoder.bundle.in_channels)
        found = []
        for repeat in range(repeats):
            found.append(one_repeat(encoder, reference, paths))
            print(f"  repeat {repeat}: {found[-1]}", flush=True)
    sides = [k for k in found[0] if k != "beats"]
    per_side = {side: [row[side] for row in found] for side in sides}
    theirs = per_side["authors' TS2Vec encode"]

    def versus(side: str) -> list[float]:
        return [a / b for a, b in zip(per_side[side], theirs, strict=True)]

    ratio = versus("tscl encode")
    return {
        "tables": [
            {
                "title": f"Beats per second over {len(records)} DS1 records "
                f"({found[0]['beats']:,} beats), {threads} CPU threads, batch "
                f"{ENCODE_BATCH}; mean ± std over {repeats} repeats",
                "columns": ["side", "beats / s", "x authors' encode", "what is timed"],
                "formats": ["", ",.0f", ".2f", ""],
                "rows": [
                    ["tscl embed", per_side["tscl embed"], versus("tscl embed")]
                    + ["read, filter, cut beats, scale, encode"],
                    ["tscl encode", per_side["tscl encode"], ratio]
                    + ["the loaded model on the prepared beats"],
                    ["authors' TS2Vec encode", theirs, None]
                    + ["encode(full_series) on the same beats"],
                ],
            }
        ],
        "metrics": {
            "embed_beats_per_s": float(np.mean(per_side["tscl embed"])),
            "encode_ratio_vs_reference": float(np.mean(ratio)),
            "model_load_s": load_s,
        },
        "checks": {
            "tscl encode at least as fast as the authors' TS2Vec encode": float(
                np.mean(ratio)
            )
            >= 1.0
        },
        "notes": [
            f"Loading the model from MLflow took {load_s:.1f} s (once per `tscl embed` call; "
            "not in the rates).",
            f"The encoder was pretrained for {pretrain_steps} steps on DS1 beats; speed does "
            "not depend on how long.",
        ],
        "sources": ["authors' TS2Vec: PyPI ts2vec 0.1, run side by side in this run"],
        "repeats": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", nargs="+", default=["101", "106", "108"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pretrain-steps", type=int, default=200)
    args = parser.parse_args()
    payload = run(args.records, args.repeats, args.pretrain_steps)
    print_tables(payload)
    print(f"results: {write_results('embed', payload)}")


if __name__ == "__main__":
    main()
