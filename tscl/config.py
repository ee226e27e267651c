"""Run configuration: frozen dataclasses, YAML presets and ``key=value`` overrides.

This is the only module that imports OmegaConf. ``load_config`` merges the
schema defaults, an optional YAML file and a dot-list of overrides, rejects
unknown keys and wrong types (naming the key), and returns a plain
``RunConfig``.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from tscl.errors import ConfigError

PRESETS_DIR = Path(__file__).parent / "configs"
# Keys whose value may be given as a bare name: `encoder=resnet1d` means `encoder.name=resnet1d`.
COMPONENT_KEYS = ("encoder", "loss", "pairs", "data.source")
# Keys holding a list of components: `augment=[jitter,scaling]` means two entries with default params.
COMPONENT_LIST_KEYS = ("augment",)


@dataclass(frozen=True)
class Component:
    """A registry entry by name plus its constructor keyword arguments."""

    name: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DataConfig:
    """How the data set is turned into training arrays."""

    split: str = "official"  # official | stratified | group
    val_fraction: float = 0.0  # fraction (of samples or groups) held out for validation
    test_fraction: float = 0.2  # for data sets without an official test split
    window: int = (
        0  # window length for recordings (0 = whole series / data set default)
    )
    stride: int = 0  # 0 = window (no overlap)
    normalize: str = "auto"  # auto | none | channel (fit on the training split only)
    max_train_length: int = (
        3000  # longer training series are cut into sections (TS2Vec)
    )
    options: dict[str, Any] = field(default_factory=dict)  # the domain loader's options
    # How training batches are drawn: uniform | grouped (k windows of m recordings of p
    # subjects per batch) | slices (random contiguous slices per event sequence).
    source: Component = field(default_factory=lambda: Component("uniform"))


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation and runtime settings."""

    max_steps: int = (
        0  # 0 = the method's default (TS2Vec: 200, or 600 above 100,000 values)
    )
    batch_size: int = 8
    lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_steps: int = 0
    schedule: str = "constant"  # constant | cosine
    grad_clip: float = 0.0  # 0 = off
    averaging: str = (
        "swa"  # swa | ema | none: the averaged encoder is used for inference
    )
    ema_decay: float = 0.999
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    precision: str = "auto"  # auto (bf16 autocast on CUDA) | fp32 | bf16
    compile: bool = False
    workers: int = (
        1  # > 1: data-parallel pretraining on Ray Train ($RAY_ADDRESS or a local Ray)
    )
    num_threads: int = 0  # 0 = leave torch's default
    checkpoint_every: int = 0  # steps; 0 = only at the end
    val_every: int = 50  # steps between validation losses (data sets with a validation split); 0 = off
    progress: bool = True
    log_every: int = 10


@dataclass(frozen=True)
class EvalConfig:
    """Downstream evaluation protocol."""

    protocol: str = "svm"  # svm | logistic | knn | finetune | forecast | patient_cv
    label_fractions: list[float] = field(default_factory=lambda: [1.0])
    folds: int = 5  # patient_cv: group-disjoint folds of the patients
    label_seeds: list[int] = field(
        default_factory=lambda: [0, 1, 2]
    )  # patient_cv draws
    horizons: list[int] = field(default_factory=lambda: [24, 48, 168, 336, 720])
    # forecast: raw target lags tried beside the embedding (0 = the embedding alone) and
    # target forms (true = change from the last value); the validation-best is scored
    lags: list[int] = field(default_factory=lambda: [0, 201])
    relative: list[bool] = field(default_factory=lambda: [False, True])
    # forecast: factors on the embedding beside raw lags (w penalises it 1 / w^2 times as hard
    # as the lags); each is a candidate, so a weak embedding cannot drown the lags
    embedding_weights: list[float] = field(
        default_factory=lambda: [0.01, 0.03, 0.1, 0.3, 1.0]
    )


@dataclass(frozen=True)
class TrackingConfig:
    """Where runs are recorded (MLflow)."""

    uri: str = ""  # "" = $MLFLOW_TRACKING_URI or the local sqlite store
    experiment: str = "tscl"
    enabled: bool = True
    system_metrics: bool = (
        True  # CPU, memory (and GPU) utilisation sampled during the run
    )


@dataclass(frozen=True)
class RunConfig:
    """Everything one pretraining run needs."""

    method: str = "ts2vec"
    domain: str = ""  # "" = inferred from the data set (its card or file format)
    dataset: str = "ECG200"  # a catalog name or a path to your own file / folder
    encoder: Component = field(default_factory=lambda: Component("dilated_conv"))
    augment: list[Component] = field(default_factory=list)  # applied to each view
    loss: Component = field(default_factory=Component)  # "" = the method's own loss
    pairs: Component = field(
        default_factory=Component
    )  # "" = the method's own positives
    method_params: dict[str, Any] = field(default_factory=dict)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    output_dir: str = "runs"


@dataclass(frozen=True)
class Range:
    """The values a numeric setting accepts: ``low`` <= value <= ``high`` (or strictly, if open)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def holds(self, value: float) -> bool:
        if self.low is not None and (
            value < self.low or (self.low_open and value == self.low)
        ):
            return False
        return self.high is None or not (
            value > self.high or (self.high_open and value == self.high)
        )

    def describe(self) -> str:
        low = (
            "" if self.low is None else f"{'>' if self.low_open else '>='} {self.low:g}"
        )
        high = (
            ""
            if self.high is None
            else f"{'<' if self.high_open else '<='} {self.high:g}"
        )
        return " and ".join(part for part in (low, high) if part)


# Every numeric setting's range (list settings: each entry); a contract test holds it complete.
RANGES: dict[str, Range] = {
    "data.val_fraction": Range(0, 1, high_open=True),
    "data.test_fraction": Range(0, 1, high_open=True),
    "data.window": Range(0),
    "data.stride": Range(0),
    "data.max_train_length": Range(1),
    "train.max_steps": Range(0),
    "train.batch_size": Range(1),
    "train.lr": Range(0, low_open=True),
    "train.weight_decay": Range(0),
    "train.warmup_steps": Range(0),
    "train.grad_clip": Range(0),
    "train.ema_decay": Range(0, 1),
    "train.seed": Range(0, 2**32 - 1),
    "train.workers": Range(1),
    "train.num_threads": Range(0),
    "train.checkpoint_every": Range(0),
    "train.val_every": Range(0),
    "train.log_every": Range(1),
    "eval.label_fractions": Range(0, 1, low_open=True),
    "eval.horizons": Range(1),
    "eval.lags": Range(0),
    "eval.embedding_weights": Range(0, low_open=True),
    "eval.folds": Range(2),
    "eval.label_seeds": Range(0),
}


def check_ranges(config: RunConfig) -> None:
    """Every numeric setting lies in its ``RANGES`` entry.

    Raises:
        ConfigError: one line naming the key, the value and the range expected.
    """
    flat = flatten(config)
    for key, allowed in RANGES.items():
        value = flat[key]
        for item in value if isinstance(value, list) else [value]:
            if not allowed.holds(item):
                raise ConfigError(
                    f"config key '{key}': {item!r} is out of range; expected {allowed.describe()}"
                )
    if config.data.val_fraction + config.data.test_fraction >= 1:
        raise ConfigError(
            "config keys 'data.val_fraction' + 'data.test_fraction': "
            f"{config.data.val_fraction} + {config.data.test_fraction} leave no training data; "
            "expected a sum < 1"
        )


def _normalise_overrides(overrides: Sequence[str]) -> list[str]:
    result = []
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override '{item}' is not of the form key=value")
        key, value = item.split("=", 1)
        if key in COMPONENT_KEYS and not value.lstrip().startswith("{"):
            key = f"{key}.name"
        result.append(f"{key}={value}")
    return result


def _component_layer(layer: Any) -> Any:
    """Bare names in a YAML / override layer -> component entries ({name: ...})."""
    for key in COMPONENT_LIST_KEYS:
        items = layer.get(key) if hasattr(layer, "get") else None
        if items is not None and OmegaConf.is_list(items):
            layer[key] = [
                {"name": item} if isinstance(item, str) else item for item in items
            ]
    for key in COMPONENT_KEYS:
        value = OmegaConf.select(layer, key, default=None)
        if isinstance(value, str):
            OmegaConf.update(layer, key, {"name": value}, merge=False)
    return layer


def _suggest(key: str) -> str:
    names = [f.name for f in dataclasses.fields(RunConfig)]
    for sub in (DataConfig, TrainConfig, EvalConfig, TrackingConfig):
        prefix = {
            DataConfig: "data",
            TrainConfig: "train",
            EvalConfig: "eval",
            TrackingConfig: "tracking",
        }[sub]
        names += [f"{prefix}.{f.name}" for f in dataclasses.fields(sub)]
    if key in names:
        return ""
    close = difflib.get_close_matches(key, names, n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def resolve_preset(path: str | Path) -> Path:
    """A YAML path as given, or the name of a packaged preset in tscl/configs/."""
    candidate = Path(path)
    if candidate.is_file():
        return candidate
    packaged = PRESETS_DIR / f"{candidate.name.removesuffix('.yaml')}.yaml"
    if packaged.is_file():
        return packaged
    raise ConfigError(f"config file '{path}' not found (nor a preset in {PRESETS_DIR})")


def load_config(
    path: str | Path | None = None,
    overrides: Sequence[str] = (),
    *,
    base: RunConfig | None = None,
    defaults: dict[str, Any] | None = None,
) -> RunConfig:
    """Merges schema defaults (or ``base``), ``defaults`` (a domain's), a YAML file and overrides.

    Raises:
        ConfigError: naming the key, for unknown keys, wrong types or bad YAML.
    """
    schema = OmegaConf.structured(base if base is not None else RunConfig)
    layers = [schema]
    try:
        if defaults:
            layers.append(_component_layer(OmegaConf.create(defaults)))
        if path is not None:
            preset = resolve_preset(path)
            layers.append(_component_layer(OmegaConf.load(preset)))
        dotlist = OmegaConf.from_dotlist(_normalise_overrides(overrides))
        layers.append(_component_layer(dotlist))
        merged = OmegaConf.merge(*layers)
        config = OmegaConf.to_object(merged)
    except OmegaConfBaseException as err:
        key = getattr(err, "full_key", None) or ""
        message = str(err).splitlines()[0].rstrip(".")
        hint = "" if "Did you mean" in message else _suggest(key)
        end = "" if message.endswith(("?", ".")) else "."
        raise ConfigError(f"config key '{key}': {message}{end}{hint}") from err
    except Exception as err:  # YAML syntax errors and the like
        if isinstance(err, ConfigError):
            raise
        raise ConfigError(f"config {path}: {' '.join(str(err).split())}") from err
    assert isinstance(config, RunConfig)
    return config


def to_yaml(config: RunConfig) -> str:
    """The config as YAML text (logged as an artifact, stored in checkpoints)."""
    return OmegaConf.to_yaml(OmegaConf.structured(config))


def from_yaml(text: str) -> RunConfig:
    """Inverse of ``to_yaml``."""
    merged = OmegaConf.merge(OmegaConf.structured(RunConfig), OmegaConf.create(text))
    config = OmegaConf.to_object(merged)
    assert isinstance(config, RunConfig)
    return config


def flatten(config: RunConfig) -> dict[str, Any]:
    """Dotted-key view of the config (``train.lr`` -> 0.001), for logging as params."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(f"{prefix}{f.name}.", getattr(value, f.name))
        elif isinstance(value, dict) and value:
            for key, item in value.items():
                walk(f"{prefix}{key}.", item)
        else:
            flat[prefix.rstrip(".")] = value

    walk("", config)
    return flat
