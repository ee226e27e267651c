"""The encoder as an MLflow pyfunc model: any-length series in, full-series embeddings out.

The logged model holds the encoder bundle file (artifact ``encoder``), which
``load_context`` reads with ``load_bundle``, and tscl itself as code (the
model's ``code/tscl``, which MLflow puts on ``sys.path`` when it loads the
model); its requirements are the packages tscl needs to load and predict,
all served by a package index. So the model installs in a fresh environment
from its own requirements, without tscl installed.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
from mlflow.models import ModelSignature
from mlflow.models.model import ModelInfo
from mlflow.types import Schema, TensorSpec

from tscl.bundle import EncoderBundle, load_bundle
from tscl.errors import DataError, TsclError

MODEL_NAME = "model"
ENTRY_FILE = Path(__file__).with_name("pyfunc_entry.py")  # models-from-code entry
MODEL_URI_TAG = "tscl.model_uri"  # run tag naming the encoder model the run logged
EXAMPLE_ROWS = 2
# What loading and predicting imports (tscl itself travels as the model's code).
REQUIREMENTS = (
    "torch",
    "numpy",
    "mlflow",
    "omegaconf",
    "pyyaml",
    "filelock",
    "matplotlib",
)
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the imported tscl package


def embed_series(bundle: EncoderBundle, series: Any) -> np.ndarray:
    """Embeds (N, T) / (N, T, C) series with the bundle's preprocessing. -> (N, D) float32."""
    from tscl.embedding import embed

    x = bundle.check_input(series, "model_input").transpose(0, 2, 1)  # -> (N, C, T)
    x = bundle.preprocess(np.ascontiguousarray(x))
    return embed(bundle.encoder, x, device="cpu").astype(np.float32)


class EncoderModel(mlflow.pyfunc.PythonModel):
    """pyfunc wrapper: ``predict`` maps (N, T) / (N, T, C) float32 to (N, D) embeddings."""

    def load_context(self, context: mlflow.pyfunc.PythonModelContext) -> None:
        self.bundle = load_bundle(context.artifacts["encoder"])

    def predict(
        self,
        context: mlflow.pyfunc.PythonModelContext,
        model_input: np.ndarray,
        params: dict[str, Any] | None = None,
    ) -> np.ndarray:
        """(N, T) or (N, T, C) series of any length T -> (N, D) max-over-time embeddings."""
        return embed_series(self.bundle, model_input)


def model_signature(in_channels: int, out_dim: int) -> ModelSignature:
    """Inputs (-1, -1, C) float32 (any batch, any length); outputs (-1, D) float32."""
    inputs = Schema([TensorSpec(np.dtype(np.float32), (-1, -1, in_channels))])
    outputs = Schema([TensorSpec(np.dtype(np.float32), (-1, out_dim))])
    return ModelSignature(inputs=inputs, outputs=outputs)


def pip_requirements() -> list[str]:
    """Pinned requirements of the installed packages (local version labels like +cpu dropped)."""
    pins = []
    for name in REQUIREMENTS:
        try:
            version = importlib.metadata.version(name).split("+", 1)[0]
        except importlib.metadata.PackageNotFoundError:
            pins.append(name)
        else:
            pins.append(f"{name}=={version}")
    return pins


def example_rows(bundle: EncoderBundle, input_example: np.ndarray) -> np.ndarray:
    """The first rows of an (N, C, T) example as the model's (n, T, C) float32 input example."""
    example = np.asarray(input_example, dtype=np.float32)[:EXAMPLE_ROWS]
    if (
        example.ndim != 3
        or example.shape[1] != bundle.in_channels
        or example.shape[0] == 0
    ):
        raise DataError(
            "input_example",
            f"expected (N, {bundle.in_channels}, T) series, got shape {example.shape}",
        )
    return np.ascontiguousarray(example.transpose(0, 2, 1))  # (N, C, T) -> (N, T, C)


def embedding_size(bundle: EncoderBundle, input_example: np.ndarray | None) -> int:
    """D, measured by embedding the first row of an (N, C, T) example (the encoder's out_dim without one)."""
    if input_example is None:
        return int(getattr(bundle.encoder, "out_dim", 0))
    return int(embed_series(bundle, example_rows(bundle, input_example)[:1]).shape[1])


def log_encoder_model(
    bundle: EncoderBundle,
    bundle_path: str | Path,
    input_example: np.ndarray | None,
    *,
    card_path: str | Path | None = None,
    registered_model_name: str | None = None,
) -> ModelInfo:
    """Logs the bundle as a pyfunc model named "model" into the active run, tscl as its code.

    Args:
        input_example: (N, C, T) series; its first rows become the input example
            (None for encoders of other inputs, e.g. event sequences: no signature).
        card_path: a model card file stored inside the model as artifact ``model_card``.

    Returns:
        The model info; ``info.model_uri`` is what to register or load.
    """
    example = None if input_example is None else example_rows(bundle, input_example)
    artifacts = {"encoder": str(Path(bundle_path).resolve())}
    if card_path is not None:
        artifacts["model_card"] = str(Path(card_path).resolve())
    return mlflow.pyfunc.log_model(
        name=MODEL_NAME,
        python_model=str(ENTRY_FILE),
        artifacts=artifacts,
        signature=None
        if example is None
        else model_signature(bundle.in_channels, embedding_size(bundle, input_example)),
        input_example=example,
        pip_requirements=pip_requirements(),
        code_paths=[str(PACKAGE_DIR)],
        registered_model_name=registered_model_name,
        metadata={
            "tscl_method": bundle.config.method,
            "tscl_dataset": bundle.config.dataset,
        },
    )


class LoadedEncoder:
    """A loaded encoder model, callable on numpy batches.

    Calling it with (N, T) or (N, T, C) series returns (N, D) float32 embeddings;
    (N, T) is read as one channel. ``pyfunc`` is the underlying MLflow model.
    """

    def __init__(self, pyfunc: mlflow.pyfunc.PyFuncModel) -> None:
        self.pyfunc = pyfunc

    def __call__(self, series: Any) -> np.ndarray:
        x = self.bundle.check_input(series)  # (N, T, C) float32, as the signature wants
        return np.asarray(self.pyfunc.predict(x), dtype=np.float32)

    predict = __call__

    @property
    def bundle(self) -> EncoderBundle:
        """The encoder bundle inside the model: its config records the preprocessing."""
        return self.pyfunc.unwrap_python_model().bundle

    @property
    def metadata(self) -> Any:
        """The MLflow model metadata (signature, run id, model id)."""
        return self.pyfunc.metadata


def load_encoder_model(model_uri: str) -> LoadedEncoder:
    """Loads a logged or registered encoder (``runs:/``, ``models:/name@alias``, ...).

    This is MLflow's pyfunc loading, which runs the model's entry file
    (``python_model.py``) from the store; ``load_model_bundle`` reads only the
    weights and runs nothing.
    """
    return LoadedEncoder(mlflow.pyfunc.load_model(model_uri))


def load_model_bundle(model_uri: str) -> EncoderBundle:
    """The encoder bundle inside a logged model, read as data: no code from the store runs.

    The model folder is downloaded, its ``MLmodel`` file parsed as plain YAML,
    and the ``encoder`` artifact it names loaded with ``load_bundle``
    (``weights_only=True``).

    Raises:
        TsclError: one line when the model holds no encoder artifact.
    """
    import yaml

    folder = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri))
    try:
        spec = yaml.safe_load((folder / "MLmodel").read_text(encoding="utf-8"))
        entry = spec["flavors"]["python_function"]["artifacts"]["encoder"]
        path = (folder / str(entry["path"])).resolve()
    except (OSError, KeyError, TypeError, yaml.YAMLError) as err:
        raise TsclError(
            f"model {model_uri}: not a tscl encoder model (no encoder artifact in MLmodel)"
        ) from err
    if not path.is_relative_to(folder.resolve()):
        raise TsclError(
            f"model {model_uri}: its encoder artifact lies outside the model"
        )
    return load_bundle(path)
