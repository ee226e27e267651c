from __future__ import annotations

import pytest

from tscl.config import RunConfig, flatten, from_yaml, load_config, to_yaml
from tscl.errors import ConfigError


def test_public_override_keys() -> None:
    config = load_config(
        overrides=[
            "method=ts2vec",
            "domain=ecg",
            "dataset=ECG200",
            "encoder=resnet1d",
            "train.max_steps=7",
            "train.batch_size=4",
            "train.seed=3",
            "train.device=cpu",
            "tracking.uri=sqlite:////tmp/x.db",
        ]
    )
    assert isinstance(config, RunConfig)
    assert config.encoder.name == "resnet1d"
    assert (config.train.max_steps, config.train.batch_size, config.train.seed) == (
        7,
        4,
        3,
    )
    assert config.train.device == "cpu" and config.tracking.uri == "sqlite:////tmp/x.db"


def test_yaml_round_trip_and_flatten() -> None:
    config = load_config(overrides=["encoder.params.hidden_dims=32", "train.lr=0.01"])
    assert from_yaml(to_yaml(config)) == config
    flat = flatten(config)
    assert flat["encoder.params.hidden_dims"] == 32 and flat["train.lr"] == 0.01


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("train.max_step=5", "train.max_step"),
        ("train.max_steps=abc", "train.max_steps"),
        ("bogus=1", "bogus"),
        ("train.lr=fast", "train.lr"),
    ],
)
def test_bad_overrides_name_the_key(override: str, named: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(overrides=[override])
    message = str(info.value)
    assert named in message and "\n" not in message


def test_suggests_close_key() -> None:
    with pytest.raises(ConfigError, match="max_steps"):
        load_config(overrides=["train.max_step=5"])


def test_missing_preset() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config("no_such_preset.yaml")
