"""``ContrastiveEncoder``: the scikit-learn-style face of tscl.

>>> model = ContrastiveEncoder(method="ts2vec", random_state=0).fit(X_train)
>>> Z = model.transform(X_test)                 # (N, 320) full-series embeddings

Arrays are ``(N, T, C)`` or ``(N, T)`` as in TS2Vec and scikit-learn (NaN
allowed for gaps and variable lengths); internally tscl is channels-first.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from tscl.builders import RECIPE_ENCODER_DEFAULTS
from tscl.bundle import EncoderBundle, load_bundle, save_bundle
from tscl.config import Component, DataConfig, RunConfig, TrainConfig
from tscl.data.normalize import ChannelScaler
from tscl.data.sections import prepare_pretraining_array
from tscl.embedding import embed
from tscl.errors import DataError, TsclError
from tscl.methods.ts2vec import default_steps
from tscl.train.build import build_method
from tscl.train.device import resolve_device
from tscl.train.loop import TrainResult, fit

# Shortest series fit() trains on: random crops need a few steps to choose from.
MIN_TRAIN_LENGTH = 4


def as_channels_first(X: Any, *, name: str = "X") -> np.ndarray:
    """(N, T) or (N, T, C) array-like -> (N, C, T) float32; inf is rejected."""
    x = np.asarray(X, dtype=np.float32)
    if x.ndim == 2:
        x = x[:, :, None]  # (N, T) -> (N, T, 1)
    if x.ndim != 3:
        raise DataError(
            name, f"expected an array of shape (N, T) or (N, T, C), got {x.shape}"
        )
    if np.isinf(x).any():
        raise DataError(name, "contains inf; use NaN for missing values")
    return np.ascontiguousarray(x.transpose(0, 2, 1))  # (N, T, C) -> (N, C, T)


class ContrastiveEncoder(TransformerMixin, BaseEstimator):
    """Contrastive pretraining of a time-series encoder, scikit-learn style.

    The defaults are TS2Vec's: output 320, hidden 64, depth 10, batch 8, lr 1e-3,
    200 iterations (600 when the data holds more than 100,000 values), training
    series cut to 3000 steps, an SWA-averaged encoder for inference.

    Args:
        method: a key of ``tscl.methods.METHODS``.
        encoder: a key of ``tscl.encoders.ENCODERS``.
        output_dims, hidden_dims, depth: encoder size.
        batch_size, lr, n_iters, max_train_length: optimisation (n_iters None = the recipe's rule).
        random_state: seed for weights, crops, masks and batch order.
        device: "auto", "cpu", "cuda"...
        encode_batch_size: batch size used by ``transform`` / ``encode``.
        verbose: show a progress bar while training.
    """

    def __init__(
        self,
        method: str = "ts2vec",
        *,
        encoder: str = "dilated_conv",
        output_dims: int = 320,
        hidden_dims: int = 64,
        depth: int = 10,
        batch_size: int = 8,
        lr: float = 1e-3,
        n_iters: int | None = None,
        max_train_length: int = 3000,
        random_state: int | None = None,
        device: str = "auto",
        encode_batch_size: int = 64,
        verbose: bool = False,
    ) -> None:
        self.method = method
        self.encoder = encoder
        self.output_dims = output_dims
        self.hidden_dims = hidden_dims
        self.depth = depth
        self.batch_size = batch_size
        self.lr = lr
        self.n_iters = n_iters
        self.max_train_length = max_train_length
        self.random_state = random_state
        self.device = device
        self.encode_batch_size = encode_batch_size
        self.verbose = verbose

    def fit(self, X: Any, y: Any = None) -> ContrastiveEncoder:
        """Pretrains on ``X`` (N, T) or (N, T, C); ``y`` is ignored (self-supervised)."""
        x = as_channels_first(X)
        if x.shape[2] < MIN_TRAIN_LENGTH:
            raise DataError(
                "X",
                f"has shape {np.shape(X)}: {x.shape[2]} time steps of {x.shape[1]} channels; "
                f"expected (N, T, C) with T >= {MIN_TRAIN_LENGTH} (time before channels; "
                "a channels-first (N, C, T) array is X.transpose(0, 2, 1))",
            )
        train = prepare_pretraining_array(x, self.max_train_length)
        if len(train) < 2:
            raise DataError(
                "X", f"need at least 2 series with observed values, got {len(train)}"
            )
        config = self._run_config()
        steps = self.n_iters if self.n_iters is not None else default_steps(x.size)
        settings = replace(config.train, progress=self.verbose)
        torch.manual_seed(settings.seed)  # initial weights come from the seed too
        method = build_method(config, x.shape[1])
        result: TrainResult = fit(
            method, torch.from_numpy(train), settings, max_steps=steps
        )
        self.n_channels_in_ = x.shape[1]
        self.scaler_: dict[str, Any] | None = None  # fit() takes X as it is
        self.encoder_ = result.encoder.cpu().eval()
        self.n_iters_ = result.steps
        self.loss_history_ = [row["loss"] for row in result.history]
        self.fit_seconds_ = result.seconds
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Full-series embeddings (N, output_dims): max-pooled over time."""
        return self.encode(X, window="full")

    def encode(self, X: Any, window: str = "full", *, padding: int = 200) -> np.ndarray:
        """Embeddings of ``X``.

        Args:
            window: "full" -> (N, D) pooled over the whole series; "sliding" ->
                (N, T, D) causal per-timestep embeddings, where step t sees only
                steps t - padding .. t (the TS2Vec forecasting protocol).
            padding: context length for "sliding".
        """
        check_is_fitted(self, "encoder_")
        x = as_channels_first(X)
        if x.shape[1] != self.n_channels_in_:
            hint = (
                "; expected (N, T, C): a channels-first (N, C, T) array is X.transpose(0, 2, 1)"
                if x.shape[2] == self.n_channels_in_
                else ""
            )
            raise DataError(
                "X",
                f"has {x.shape[1]} channels, the encoder was fitted on {self.n_channels_in_}{hint}",
            )
        if getattr(self, "scaler_", None) is not None:
            x = ChannelScaler.from_dict(self.scaler_).transform(x).astype(np.float32)
        if window == "full":
            return embed(
                self.encoder_, x, batch_size=self.encode_batch_size, device=self.device
            )
        if window == "sliding":
            from tscl.eval.forecast import causal_sliding_embed

            device = resolve_device(self.device)
            encoder = self.encoder_.to(device)

            def encode_fn(batch: torch.Tensor) -> torch.Tensor:
                with torch.no_grad():
                    return encoder(batch.to(device)).float().cpu()

            out = np.stack(
                [
                    causal_sliding_embed(encode_fn, series, padding=padding)
                    for series in x
                ]
            )
            self.encoder_.cpu()
            return out
        raise TsclError(f"encode: window must be 'full' or 'sliding', got '{window}'")

    def _run_config(self) -> RunConfig:
        """These hyperparameters as the run config an encoder bundle records."""
        return RunConfig(
            method=self.method,
            dataset="",  # arrays passed to fit()
            encoder=Component(
                self.encoder,
                {
                    "hidden_dims": self.hidden_dims,
                    "output_dims": self.output_dims,
                    "depth": self.depth,
                },
            ),
            data=DataConfig(max_train_length=self.max_train_length, normalize="none"),
            train=TrainConfig(
                max_steps=self.n_iters or 0,
                batch_size=self.batch_size,
                lr=self.lr,
                seed=0 if self.random_state is None else int(self.random_state),
                device=self.device,
                averaging="swa",
            ),
        )

    @staticmethod
    def _params_from_config(config: RunConfig) -> dict[str, Any]:
        """Constructor arguments that reproduce a run config (a bundle written by ``tscl pretrain``)."""
        encoder = {
            **RECIPE_ENCODER_DEFAULTS.get(config.method, {}),
            **config.encoder.params,
        }
        return {
            "method": config.method,
            "encoder": config.encoder.name,
            "output_dims": encoder.get("output_dims", 320),
            "hidden_dims": encoder.get("hidden_dims", 64),
            "depth": encoder.get("depth", 10),
            "batch_size": config.train.batch_size,
            "lr": config.train.lr,
            "n_iters": config.train.max_steps or None,
            "max_train_length": config.data.max_train_length,
            "random_state": config.train.seed,
        }

    def save(self, path: str | Path) -> Path:
        """Writes the encoder bundle (the format ``tscl pretrain`` writes), with these hyperparameters."""
        check_is_fitted(self, "encoder_")
        bundle = EncoderBundle(
            encoder=self.encoder_,
            config=self._run_config(),
            in_channels=self.n_channels_in_,
            scaler=getattr(self, "scaler_", None),
            info={"estimator": self.get_params(), "steps": self.n_iters_},
        )
        return save_bundle(path, bundle)

    @classmethod
    def load(cls, path: str | Path) -> ContrastiveEncoder:
        """Reads an encoder bundle: one written by ``save`` or a run's ``encoder.pt``.

        A run's bundle brings its recorded normalisation, which ``transform``
        and ``encode`` then apply to their input.
        """
        bundle = load_bundle(path)
        params = bundle.info.get("estimator") or cls._params_from_config(bundle.config)
        model = cls(**params)
        model.encoder_ = bundle.encoder.eval()
        model.n_channels_in_ = bundle.in_channels
        model.scaler_ = bundle.scaler
        model.n_iters_ = bundle.info.get("steps")
        return model
