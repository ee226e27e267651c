"""Every registered domain: its defaults resolve, and it pretrains three steps on its default data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tscl.domains import DOMAINS, get_domain, load_run_config
from tscl.train.build import check_config
from tscl.train.run import evaluate, pretrain


@pytest.mark.parametrize("name", sorted(DOMAINS))
def test_domain_is_well_formed(name: str) -> None:
    domain = get_domain(name)
    assert domain.name == name
    config = load_run_config(None, [f"domain={name}"])
    assert config.domain == name and config.dataset == domain.default_dataset
    check_config(config)  # every default component exists


# Evaluating the whole default data set takes minutes for these (40k beats, 10k cases,
# 17k hourly rows): make test-all runs them, make test the others.
SLOW_EVALUATION = {"ecg", "events", "forecast"}
# A smaller slice of the default data for the three-step check in make test.
QUICK = {
    "ecg": ["data.options.records=[101,106,118,119,203]"],
    "events": ["train.batch_size=16"],
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.slow) if name in SLOW_EVALUATION else name
        for name in sorted(DOMAINS)
    ],
)
def test_domain_pretrains_three_steps_and_evaluates(
    name: str, cli_workspace: Path
) -> None:
    overrides = [f"domain={name}", "train.max_steps=3", "train.progress=false"]
    if name == "events":
        overrides.append("train.batch_size=16")
    config = load_run_config(None, overrides)
    output = pretrain(config, run_dir=cli_workspace / "run")
    assert output.result.steps == 3
    assert all(row["loss"] == row["loss"] for row in output.result.history)  # no NaN
    metrics = evaluate(
        output.bundle, output.data, protocol=config.eval.protocol, seed=0
    )
    scores = [k for k in metrics if k in ("accuracy", "mse")]
    assert scores, metrics


@pytest.mark.parametrize("name", sorted(DOMAINS))
def test_domain_pretrains_three_steps(name: str, cli_workspace: Path) -> None:
    overrides = [f"domain={name}", "train.max_steps=3", "train.progress=false"]
    config = load_run_config(None, overrides + QUICK.get(name, []))
    output = pretrain(config, run_dir=cli_workspace / "run")
    assert output.result.steps == 3 and output.bundle_path.is_file()
    assert all(row["loss"] == row["loss"] for row in output.result.history)  # no NaN
