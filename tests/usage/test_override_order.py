"""``key=value`` overrides may stand anywhere on the command line (before or after flags)."""

from __future__ import annotations

import pytest

from tscl.cli import parse_args


def test_overrides_after_a_flag_are_collected_in_order() -> None:
    args = parse_args(
        [
            "pretrain",
            "train.seed=0",
            "--evaluate",
            "train.seed=1",
            "--config",
            "ts2vec",
            "dataset=ECG200",
        ]
    )
    assert args.evaluate and args.config == "ts2vec"
    # Command-line order is kept, so the later train.seed wins when applied.
    assert args.overrides == ["train.seed=0", "train.seed=1", "dataset=ECG200"]


def test_evaluate_takes_overrides_after_run() -> None:
    assert parse_args(["evaluate", "--run", "r", "eval.protocol=svm"]).overrides == [
        "eval.protocol=svm"
    ]


@pytest.mark.parametrize(
    "argv",
    [["pretrain", "--bogus"], ["data", "list", "x=1"]],
)
def test_anything_else_unknown_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        parse_args(argv)
    assert stop.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_config_show_prints_the_resolved_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import yaml

    from tscl.cli import main

    assert main(["config", "show", "domain=motion", "train.lr=0.01"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    # The domain's defaults, overrides on top.
    assert shown["domain"] == "motion" and shown["dataset"] == "seglearn_watch"
    assert shown["train"]["lr"] == 0.01
    assert shown["data"]["options"]["window_seconds"] == 4.0


def test_config_show_refuses_a_bad_name(capsys: pytest.CaptureFixture[str]) -> None:
    from tscl.cli import main

    assert main(["config", "show", "method=bogus"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown method 'bogus'" in err[0]
