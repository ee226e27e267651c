"""A forecasting model's heads in its bundle, and its forecast for the last window of a CSV.

``attach_heads`` stores the ridges the forecasting evaluation chose (one per
horizon, fitted on the training rows) in the encoder bundle, with what they
read (the embedding, the raw lags, the target form). ``predict_frame`` reads
a CSV up to time t, builds the same scaled inputs (calendar covariates and
targets, scaled with the training statistics), encodes the causal window
ending at t and writes the forecast for t+1 .. t+H in the file's units.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from tscl.bundle import EncoderBundle
from tscl.data.normalize import ChannelScaler
from tscl.domains.forecast.protocol import anchor_windows
from tscl.errors import DataError, TsclError

HEAD = "forecast_h{horizon}.{part}"
PADDING = 200


def attach_heads(
    bundle: EncoderBundle, series: Any, scores: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """Stores each horizon's chosen ridge in ``bundle``; returns the choices as run params."""
    chosen: dict[str, dict[str, Any]] = {}
    params: dict[str, Any] = {}
    for horizon, result in scores.items():
        if "head" not in result:
            continue
        for part in ("weights", "bias"):
            key = HEAD.format(horizon=horizon, part=part)
            bundle.heads[key] = torch.from_numpy(
                np.ascontiguousarray(result["head"][part])
            )
        name = str(result["features"])
        lags = int(name.split("+")[1].split()[0]) if "+" in name else 0
        chosen[str(horizon)] = {"lags": lags, "relative": bool(result["relative"])}
        params[f"forecast.features_h{horizon}"] = name
        params[f"forecast.relative_h{horizon}"] = bool(result["relative"])
    bundle.info["forecast"] = {
        "heads": chosen,
        "padding": PADDING,
        "targets": list(series.target_names),
        "covariates": int(series.x.shape[0]) - series.num_targets,
        "channel_independent": bool(series.channel_independent),
        "anchored": bool(series.anchored),
    }
    return params


def _read(
    bundle: EncoderBundle, path: Path
) -> tuple[np.ndarray, pd.DatetimeIndex, list[str]]:
    """The CSV's [covariates; targets] (C, T) scaled as in training, its timestamps, target names."""
    from tscl.data.read_csv import read_csv_series
    from tscl.domains.forecast.load import _date_column
    from tscl.eval.forecast import time_features

    spec = bundle.info["forecast"]
    date = bundle.config.data.options.get("date") or _date_column(path)
    if not path.is_file():
        raise DataError(path, "file not found (expected a CSV series)")
    series = read_csv_series(path, **({"time_column": date} if date else {}))
    if series.timestamps is None:
        raise DataError(path, "forecasting needs a date column (data.options.date)")
    missing = [t for t in spec["targets"] if t not in series.channels]
    if missing:
        raise DataError(
            path, f"no target column(s) {missing}; columns are {list(series.channels)}"
        )
    stamps = pd.DatetimeIndex(series.timestamps)
    values = series.values[[series.channels.index(t) for t in spec["targets"]]]
    x = np.concatenate([time_features(stamps).T.astype(np.float32), values])
    scaled = ChannelScaler.from_dict(bundle.scaler).transform(x[None])[0]
    return scaled, stamps, list(spec["targets"])


@torch.no_grad()
def _embed_last(
    bundle: EncoderBundle, window: np.ndarray, covariates: int, spec: dict[str, Any]
) -> np.ndarray:
    """The embedding of the window's last step, (D,), or per target concatenated (C_t * D,)."""
    encoder = bundle.encoder.eval()
    if spec.get("anchored"):
        window = anchor_windows(torch.from_numpy(window[None]), covariates)[0].numpy()
    if not spec.get("channel_independent") or window.shape[0] - covariates < 2:
        return encoder(torch.from_numpy(window[None]))[0, :, -1].numpy()
    rows = [
        window[[*range(covariates), covariates + index]]
        for index in range(window.shape[0] - covariates)
    ]  # each target alone beside the covariates, as in training
    return np.concatenate(
        [encoder(torch.from_numpy(row[None]))[0, :, -1].numpy() for row in rows]
    )


def predict_frame(
    bundle: EncoderBundle, path: str | Path, *, horizon: int | None = None
) -> pd.DataFrame:
    """The forecast of t+1 .. t+H after the CSV's last row t: a date column and one per target."""
    spec = bundle.info.get("forecast")
    if not spec or not spec.get("heads"):
        raise TsclError(
            "this model has no forecasting head: pretrain it on a forecasting data set "
            "with --evaluate (eval.protocol=forecast)"
        )
    available = sorted(int(h) for h in spec["heads"])
    horizon = horizon or available[-1]
    if horizon not in available:
        raise TsclError(f"--horizon {horizon}: this model forecasts {available} steps")
    x, stamps, targets = _read(bundle, Path(path))
    if len(stamps) < 2:
        raise DataError(
            path, "needs at least 2 rows (the step between rows dates the forecast)"
        )
    choice = spec["heads"][str(horizon)]
    padding = int(spec["padding"])
    window = x[:, -(padding + 1) :]
    if window.shape[1] < padding + 1:  # NaN before the file starts: unobserved
        window = np.pad(
            window, ((0, 0), (padding + 1 - window.shape[1], 0)), constant_values=np.nan
        )
    z = _embed_last(bundle, window, int(spec["covariates"]), spec)
    history = np.nan_to_num(x[int(spec["covariates"]) :], nan=0.0)  # (C_t, T) scaled
    parts = [z]
    if choice["lags"]:
        lags = int(choice["lags"])
        recent = history[:, -lags:]
        recent = np.pad(recent, ((0, 0), (lags - recent.shape[1], 0)))
        parts.append(recent.reshape(-1))  # channel-major, as in training
    feature = np.concatenate(parts).astype(np.float64)
    weights = (
        bundle.heads[HEAD.format(horizon=horizon, part="weights")].double().numpy()
    )
    bias = bundle.heads[HEAD.format(horizon=horizon, part="bias")].double().numpy()
    pred = feature @ weights + bias  # (H * C_t,), step-major
    if choice["relative"]:
        pred = pred + np.tile(history[:, -1], horizon)
    pred = pred.reshape(horizon, len(targets))  # (H, C_t), scaled
    scaler = ChannelScaler.from_dict(bundle.scaler)
    rows = slice(int(spec["covariates"]), None)
    values = pred * scaler.std[rows] + scaler.mean[rows]  # back to the file's units
    step = stamps[-1] - stamps[-2]
    dates = stamps[-1] + step * np.arange(1, horizon + 1)
    frame = pd.DataFrame(values, columns=targets)
    frame.insert(0, "date", dates)
    return frame


def predict_file(
    bundle: EncoderBundle, source: Path, output: Path, horizon: int | None = None
) -> int:
    """Writes :func:`predict_frame` of ``source`` to the CSV ``output`` whole (never half); returns H."""
    frame = predict_frame(bundle, source, horizon=horizon)
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.tmp")
    frame.to_csv(temp, index=False)
    temp.replace(output)
    return len(frame)
