"""The ECG Domain: fields, defaults the config accepts, a light import, the tune space."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tscl.domains import load_run_config
from tscl.domains.ecg import ECG, embed_ecg_input, load_ecg
from tscl.domains.ecg.loader import settings_from_options
from tscl.sweep.space import load_space

REPO = Path(__file__).resolve().parents[3]


def test_domain_fields() -> None:
    assert ECG.name == "ecg" and ECG.default_dataset == "mitdb"
    assert ECG.formats == ("wfdb",) and ECG.tasks == ("beats",)
    assert ECG.load is load_ecg and ECG.embed_input is embed_ecg_input
    assert ECG.defaults["augment"] == []
    assert ECG.defaults["eval"] == {"protocol": "holdout"}


def test_defaults_are_valid_config_values() -> None:
    config = load_run_config(None, ["domain=ecg"])  # the defaults under no overrides
    assert config.augment == []
    assert config.method == "comet" and config.dataset == "mitdb"
    assert config.data.source.name == "grouped"  # every hierarchy level has positives
    assert config.encoder.name == "relative"
    # the relative encoder reads every channel after the lead and its template as static
    channels = settings_from_options(config.data.options).channels
    assert channels[:2] == ("MLII", "template_MLII")
    assert config.encoder.params["static_channels"] == len(channels) - 2 == 8
    assert (config.data.split, config.data.val_fraction, config.data.test_fraction) == (
        "group",
        0.2,
        0.2,
    )
    assert (config.train.max_steps, config.train.batch_size) == (300, 8)
    assert config.data.options["rhythm"] == "log"
    assert config.data.options["template"] is True
    assert config.data.options["deviation"] is True


def test_import_is_light() -> None:
    code = (
        "import sys, tscl.domains.ecg; "
        "print(sorted(m for m in ('scipy', 'wfdb', 'torch', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_tune_space_loads() -> None:
    space = load_space(REPO / "tune" / "ecg.yaml")
    assert space.base.domain == "ecg" and space.base.dataset == "mitdb"
    assert space.base.data.options["rhythm"] == "channels"
    assert space.base.data.source.name == "uniform"  # not the default's COMET batches
    assert space.metric == "val_macro_f1"


def test_a_renamed_component_keeps_none_of_the_domains_params() -> None:
    # the domain's relative encoder and grouped source have params the others lack
    config = load_run_config(
        "ecg",
        ["encoder.name=dilated_conv", "data.source.name=uniform", "method=ts2vec"],
    )
    assert config.encoder.params == {} and config.data.source.params == {}
    kept = load_run_config("ecg", ["data.source.params.windows_per_recording=3"])
    assert kept.data.source.params == {
        "recordings_per_subject": 2,
        "windows_per_recording": 3,
    }
