"""Training and scoring the end-to-end forecaster on a ``ForecastData`` split, without look-ahead.

The model trains on sections of the training rows only; forecasts for each
split come from causal windows (the ``lookback`` steps ending at t, reaching
back into earlier splits, never past t), and are scored on the same samples
as the ridge protocol: t = 0 .. T_s - H - 1 of the split, targets t+1 .. t+H.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from tscl.config import TrainConfig
from tscl.data.sections import prepare_pretraining_array
from tscl.domains.forecast.end_to_end import EndToEndForecaster
from tscl.domains.forecast.protocol import ForecastData, causal_split_features
from tscl.eval.forecast_baselines import forecast_errors, future_windows
from tscl.train.loop import fit


def train_end_to_end(
    model: EndToEndForecaster,
    data: ForecastData,
    *,
    steps: int,
    seed: int = 0,
    batch_size: int = 8,
    lr: float = 1e-3,
    section_length: int = 3000,
    val_steps: Sequence[int] = (),
) -> EndToEndForecaster:
    """Fits ``model`` on sections of the training rows (``tscl.train.loop.fit``, no weight averaging).

    With ``val_steps`` (multiples of 10, the loop's logging interval) the
    model's validation MSE over every step of its horizon is measured after
    each of those steps and at the end, and the weights of the best are kept:
    the number of steps is chosen on validation.
    """
    rows = prepare_pretraining_array(
        data.x[None, :, data.split("train")], section_length
    )  # (sections, C, W), training rows only
    settings = TrainConfig(
        seed=seed, batch_size=batch_size, lr=lr, averaging="none", progress=False
    )
    best: dict[str, Any] = {"mse": float("inf"), "state": None, "step": 0}

    def validate(step: int, _: dict[str, float]) -> None:
        if step not in set(val_steps) and step != steps:
            return
        mse = validation_mse(model, data)
        model.train()
        if mse < best["mse"]:
            state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            best.update(mse=mse, state=state, step=step)

    torch.manual_seed(seed)
    callbacks = [validate] if val_steps else []
    fit(model, torch.from_numpy(rows), settings, max_steps=steps, callbacks=callbacks)
    if best["state"] is not None:
        model.load_state_dict(best["state"])
    model.chosen_steps = int(best["step"] or steps)
    return model.eval()


def validation_mse(model: EndToEndForecaster, data: ForecastData) -> float:
    """MSE of the model's full-horizon forecasts on the validation split (rows up to each t)."""
    forecasts = direct_split_forecasts(model, data, splits=("val",))
    targets = data.targets("val")
    true = future_windows(targets, 0, len(targets), model.horizon)
    return forecast_errors(forecasts["val"][: len(true)], true)["mse"]


@torch.no_grad()
def direct_split_forecasts(
    model: EndToEndForecaster,
    data: ForecastData,
    *,
    batch_size: int = 256,
    splits: Sequence[str] = ("train", "val", "test"),
) -> dict[str, np.ndarray]:
    """The model's forecast at every step of each split: (T_s, H, C_t), from rows up to t only."""
    model = model.eval()
    device = next(model.parameters()).device

    def encode_fn(windows: torch.Tensor) -> torch.Tensor:
        out = model.forecast(windows.to(device))  # (B, H, C_t)
        return out.reshape(len(out), -1, 1)  # (B, H * C_t, 1): the "feature" of step t

    flat = causal_split_features(
        encode_fn,
        data,
        padding=model.lookback - 1,
        batch_size=batch_size,
        splits=splits,
    )
    shape = (model.horizon, model.num_targets)
    return {name: value.reshape(len(value), *shape) for name, value in flat.items()}


def score_direct(
    forecasts: dict[str, np.ndarray],
    data: ForecastData,
    horizons: Sequence[int],
) -> dict[int, dict[str, Any]]:
    """Test MSE / MAE and validation MSE per horizon of (T_s, H_max, C_t) forecasts (first H steps)."""
    scores: dict[int, dict[str, Any]] = {}
    for horizon in map(int, horizons):
        result: dict[str, Any] = {}
        for split in ("val", "test"):
            targets = data.targets(split)  # (T_s, C_t)
            true = future_windows(targets, 0, len(targets), horizon)  # (n, H, C_t)
            pred = forecasts[split][: len(true), :horizon]
            errors = forecast_errors(pred, true)
            if split == "val":
                result["val_mse"] = errors["mse"]
            else:
                result.update(errors)
        scores[horizon] = result
    return scores
