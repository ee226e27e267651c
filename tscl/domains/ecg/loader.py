"""``load_ecg``: ECG records -> cleaned beat windows split by patient (TrainingData).

Records come from a catalog card or the user's WFDB files (``records``); every
record is cleaned and cut into beat windows (``beats.record_beats``:
annotated beats, or detected R peaks when a record has no ``.atr``), and the
beats are split patient-independently: by fractions of the patients
(``data.val_fraction`` / ``data.test_fraction``, seed ``train.seed``) or by
explicit patient lists (``test_subjects`` / ``val_subjects``, for
cross-validation folds). The per-channel scaler is fitted on the training
patients only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from tscl.data.aami import AAMI_CLASSES
from tscl.data.dataset_ref import as_path
from tscl.data.normalize import ChannelScaler
from tscl.data.splits import Split, check_no_leak, group_split
from tscl.data.training import SignalSet, TrainingData, encode_ids
from tscl.domains.ecg.beats import Beats, BeatSettings, beat_set, class_codes
from tscl.domains.ecg.records import card_records, path_records
from tscl.errors import ConfigError, DataError

if TYPE_CHECKING:
    from tscl.config import RunConfig

SETTING_OPTIONS = (
    "leads",
    "notch_hz",
    "baseline",
    "rhythm",
    "neighbours",
    "template",
    "downsample",
    "deviation",
)
OPTIONS = (*SETTING_OPTIONS, "records", "test_subjects", "val_subjects", "task")
SPLITS = ("group", "official")  # MIT-BIH's own split is patient-wise too
DETECTOR = "wfdb.processing.XQRS + wfdb.processing.correct_peaks"


def check_config(config: RunConfig) -> None:
    """ConfigError on an unknown ``data.options`` key or task, split or normalisation."""
    options, data = config.data.options, config.data
    if data.split not in SPLITS:
        raise ConfigError(
            f"data.split: ECG beats are split by patient ({' or '.join(SPLITS)}), "
            f"got {data.split!r}"
        )
    if data.normalize not in ("auto", "channel", "none"):
        raise ConfigError(
            f"data.normalize: auto | channel | none, got {data.normalize!r}"
        )
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"data.options.{unknown[0]}: unknown ECG option; valid: {', '.join(OPTIONS)}"
        )
    if options.get("task", "beats") != "beats":
        raise ConfigError(
            f"data.options.task: ECG offers 'beats', got {options['task']!r}"
        )


def settings_from_options(options: Mapping[str, Any]) -> BeatSettings:
    """BeatSettings from ``data.options`` (leads as a name or a list)."""
    values = {key: options[key] for key in SETTING_OPTIONS if key in options}
    if isinstance(values.get("leads"), str):
        values["leads"] = (values["leads"],)
    if "leads" in values:
        values["leads"] = tuple(values["leads"])
    return BeatSettings(**values)


def read_records(dataset: str, wanted: Any) -> tuple[list[Any], dict[str, str], str]:
    """Records, {file: sha256} and the data set's name, from a card or a path."""
    path = as_path(dataset)
    if path is None:
        records, files = card_records(dataset, wanted)
        return records, files, dataset
    if not path.exists() and not path.with_suffix(".hea").is_file():
        raise DataError(path, "no such WFDB record or folder")
    records, files = path_records(path, wanted)
    return records, files, str(path)


def _patients(beats: Beats, names: Any, key: str) -> set[str]:
    """Patient ids of ``names`` (patient ids or record names, e.g. 201 -> 201_202)."""
    by_record = dict(zip(beats.recording.tolist(), beats.subject.tolist(), strict=True))
    known = set(beats.subject.tolist())
    chosen = set()
    for name in [str(n) for n in names]:
        if name not in known and name not in by_record:
            raise ConfigError(f"data.options.{key}: no patient or record {name!r}")
        chosen.add(name if name in known else by_record[name])
    return chosen


def explicit_split(
    beats: Beats, options: Mapping[str, Any], *, val_fraction: float, seed: int
) -> Split:
    """Test (and val) patients from lists; val drawn from the rest when not listed."""
    if options.get("test_subjects") is None:
        raise ConfigError("data.options.val_subjects needs data.options.test_subjects")
    test = _patients(beats, options["test_subjects"], "test_subjects")
    is_test = np.isin(beats.subject, sorted(test))
    if options.get("val_subjects") is not None:
        val = _patients(beats, options["val_subjects"], "val_subjects")
        if val & test:
            raise ConfigError(f"patients {sorted(val & test)} are both val and test")
        is_val = np.isin(beats.subject, sorted(val))
    elif val_fraction > 0:
        rest = np.flatnonzero(~is_test)
        labels = beats.labels[rest] if beats.labelled else None
        drawn = group_split(
            beats.subject[rest], val=0.0, test=val_fraction, seed=seed, labels=labels
        )
        is_val = np.zeros(len(beats), dtype=bool)
        is_val[rest[drawn.test]] = True
    else:
        is_val = np.zeros(len(beats), dtype=bool)
    train = np.flatnonzero(~is_test & ~is_val)
    return Split(train=train, val=np.flatnonzero(is_val), test=np.flatnonzero(is_test))


def split_beats(beats: Beats, config: RunConfig) -> Split:
    """Patient-independent split of the beats, leak-checked."""
    options, data = config.data.options, config.data
    if data.split not in SPLITS:
        raise ConfigError(
            f"data.split: ECG beats are split by patient ({' or '.join(SPLITS)}), "
            f"got {data.split!r}"
        )
    if (
        options.get("test_subjects") is not None
        or options.get("val_subjects") is not None
    ):
        split = explicit_split(
            beats, options, val_fraction=data.val_fraction, seed=config.train.seed
        )
    elif data.val_fraction == 0 and data.test_fraction == 0:
        split = Split(train=np.arange(len(beats)))  # every patient trains (patient_cv)
    else:
        split = group_split(
            beats.subject,
            val=data.val_fraction,
            test=data.test_fraction,
            seed=config.train.seed,
            labels=beats.labels if beats.labelled else None,
        )
    check_no_leak(split, beats.subject, name="patient")
    cross_validated = config.eval.protocol == "patient_cv"
    if not len(split.train) or not (len(split.test) or cross_validated):
        raise DataError(
            "split",
            "the patient split left no train or no test beats "
            "(only eval.protocol=patient_cv runs without a test split)",
        )
    return split


def _scaler(
    normalize: str, train_x: np.ndarray, settings: BeatSettings
) -> ChannelScaler | None:
    """Per-channel scaler of the training beats; a template channel gets its lead's."""
    if normalize == "none":
        return None
    scaler = ChannelScaler().fit(train_x)
    if settings.template:
        leads = len(settings.leads)
        assert scaler.mean is not None and scaler.std is not None
        scaler.mean[leads : 2 * leads] = scaler.mean[:leads]
        scaler.std[leads : 2 * leads] = scaler.std[:leads]
    return scaler


def signal_set(
    beats: Beats, index: np.ndarray, scaler: ChannelScaler | None
) -> SignalSet:
    """The beats at ``index`` as a SignalSet (codes over all ``beats``, ids kept)."""
    ids, names = {}, {}
    for level in ("subject", "recording"):
        ids[level], names[level] = encode_ids(getattr(beats, level))
    x = beats.x[index]
    return SignalSet(
        x=x if scaler is None else scaler.transform(x),
        y=class_codes(beats.labels[index]) if beats.labelled else None,
        ids={level: codes[index] for level, codes in ids.items()},
        id_names=names,
    )


def preprocessing(
    settings: BeatSettings, fs: float, scaler: ChannelScaler | None
) -> dict[str, Any]:
    """Everything ``embed_ecg_input`` replays on a new record."""
    return {
        "domain": "ecg",
        "task": "beats",
        "fs": fs,
        "beats": settings.to_dict(),
        "channels": list(settings.channels),
        "window": settings.length,
        "detector": DETECTOR,
        "scaler": None if scaler is None else scaler.to_dict(),
    }


def record_fs(records: list[Any], where: str) -> float:
    """The one sampling rate of all records (windows are cut in samples)."""
    rates = sorted({float(series.fs) for series in records if series.fs is not None})
    if len(rates) != 1 or any(series.fs is None for series in records):
        raise DataError(where, f"records need one sampling rate, found {rates}")
    return rates[0]


def load_ecg(config: RunConfig) -> TrainingData:
    """Beat windows of ``config.dataset`` (card or WFDB path), split by patient."""
    check_config(config)
    options = dict(config.data.options)
    settings = settings_from_options(options)
    records, files, name = read_records(config.dataset, options.get("records"))
    fs = record_fs(records, name)
    beats = beat_set(records, settings)
    split = split_beats(beats, config)
    scaler = _scaler(config.data.normalize, beats.x[split.train], settings)
    parts = {
        part: signal_set(beats, index, scaler) for part, index in split.parts().items()
    }
    return TrainingData(
        train=parts["train"],
        val=parts["val"] if len(split.val) else None,
        test=parts["test"],
        class_names=list(AAMI_CLASSES) if beats.labelled else [],
        preprocessing=preprocessing(settings, fs, scaler),
        source={
            "dataset": name,
            "files": files,
            "records": [series.recording for series in records],
            "detected": list(beats.detected),
            "patients": {
                part: sorted(set(beats.subject[index].tolist()))
                for part, index in split.parts().items()
            },
        },
    )
