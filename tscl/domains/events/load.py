"""``load_events(config)``: an event log (catalog card or a user's file) -> TrainingData.

Catalog logs use their task's fixed split (the JSON files in ``splits/``, or
``data.options.split_file``); a user's log is split by subject with
``tscl.data.splits.group_split``. Unlabelled cases (BPI 2012 ``unknown``, BPI
2011 without a diagnosis code) are in no split: they are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tscl.data.catalog import load_card
from tscl.data.dataset_ref import as_path
from tscl.data.digest import file_sha256 as _sha256
from tscl.data.fetch import ensure_fetched, verified_path
from tscl.data.splits import check_no_leak, group_split
from tscl.data.training import EventSet, TrainingData, encode_ids
from tscl.domains.events import prepare, tasks
from tscl.errors import ConfigError, DataError

if TYPE_CHECKING:
    from tscl.config import RunConfig

SPLITS_DIR = Path(__file__).parent / "splits"
TASKS = {
    "outcome": (tasks.read_outcome_log, tasks.OUTCOME_CLASSES, "bpi2012_outcome.json"),
    "diagnosis": (
        tasks.read_diagnosis_log,
        tasks.DIAGNOSIS_CLASSES,
        "bpi2011_diagnosis.json",
    ),
}
DATASET_TASKS = {
    "bpi2012_loan_applications": "outcome",
    "bpi2011_hospital_log": "diagnosis",
}
COLUMN_OPTIONS = (
    "case_col",
    "activity_col",
    "time_col",
    "label_col",
    "subject_col",
    "categorical",
    "numeric",
)
OPTIONS = ("task", "split_file", *COLUMN_OPTIONS)
TABLE_SUFFIXES = (".parquet", ".csv", ".csv.gz")


def _options(config: RunConfig) -> dict[str, Any]:
    options = dict(config.data.options)
    for key in options:
        if key not in OPTIONS:
            raise ConfigError(
                f"data.options.{key}: unknown option for the events domain; valid: {', '.join(OPTIONS)}"
            )
    task = options.get("task")
    if task is not None and task not in (*TASKS, "generic"):
        raise ConfigError(
            f"data.options.task: {task!r} is not one of {', '.join([*TASKS, 'generic'])}"
        )
    return options


def _beside(folder: Path, stem: str) -> Path | None:
    return next(
        (
            folder / f"{stem}{s}"
            for s in TABLE_SUFFIXES
            if (folder / f"{stem}{s}").is_file()
        ),
        None,
    )


def locate_tables(path: Path) -> tuple[Path, Path | None]:
    """(events table, cases table or None) of a log file or a folder holding events.* [cases.*]."""
    if path.is_dir():
        events = _beside(path, "events")
        if events is None:
            raise DataError(
                path, "expected events.parquet or events.csv in this folder"
            )
        return events, _beside(path, "cases")
    if not path.is_file():
        raise DataError(path, "event log not found")
    cases = _beside(path.parent, "cases")
    return path, None if cases is None or cases == path else cases


def read_case_log(
    task: Mapping[str, Any], events: Path, cases: Path | None
) -> tasks.CaseLog:
    """The ``CaseLog`` of a log under a task spec ({"name": ..., column options})."""
    name = task["name"]
    if name == "generic":
        return tasks.read_generic_log(events, cases, task)
    if cases is None:
        raise DataError(
            events,
            f"task {name!r} needs the cases table (cases.parquet / cases.csv) beside it",
        )
    return TASKS[name][0](events, cases)


def _catalog_source(name: str) -> tuple[Path, Path | None, dict[str, Any]]:
    card = load_card(name)
    if card.reader != "event_log":
        raise DataError(name, f"card reader is {card.reader!r}, expected 'event_log'")
    ensure_fetched(card.name)
    directory = verified_path(card.name)
    cases = card.reader_args.get("cases")
    source = {"dataset": card.name, "files": {f.path: f.sha256 for f in card.files}}
    return (
        directory / card.reader_args["events"],
        None if cases is None else directory / cases,
        source,
    )


def _fixed_split(
    log: tasks.CaseLog, task: str, options: Mapping[str, Any]
) -> tuple[dict[str, np.ndarray], str]:
    split_file = Path(options.get("split_file") or SPLITS_DIR / TASKS[task][2])
    return prepare.split_rows(
        log, prepare.read_split_file(split_file), split_file
    ), split_file.name


def _group_split(log: tasks.CaseLog, config: RunConfig) -> dict[str, np.ndarray]:
    labelled = np.array([label is not None for label in log.labels])
    rows = np.flatnonzero(labelled) if labelled.any() else np.arange(len(log))
    groups, _ = encode_ids([log.subjects[i] for i in rows])
    labels = encode_ids([log.labels[i] for i in rows])[0] if labelled.any() else None
    split = group_split(
        groups,
        val=config.data.val_fraction,
        test=config.data.test_fraction,
        seed=config.train.seed,
        labels=labels,
    )
    check_no_leak(split, groups)
    return {
        "train": rows[split.train],
        "val": rows[split.val],
        "test": rows[split.test],
    }


def load_events(config: RunConfig) -> TrainingData:
    """Read, cut, split and code an event log; vocabularies and scalers fitted on train."""
    options = _options(config)
    path = as_path(config.dataset)
    if path is None:
        events, cases, source = _catalog_source(config.dataset)
        task = options.get("task") or DATASET_TASKS.get(source["dataset"], "generic")
    else:
        events, cases = locate_tables(path)
        files = [p for p in (events, cases) if p is not None]
        source = {"dataset": str(path), "files": {str(p): _sha256(p) for p in files}}
        task = options.get("task", "generic")
    spec = {"name": task, **{k: options[k] for k in COLUMN_OPTIONS if k in options}}
    log = read_case_log(spec, events, cases)
    if task == "generic":
        parts, source["split"] = (
            _group_split(log, config),
            {"kind": "group", "seed": config.train.seed},
        )
        class_names = sorted({label for label in log.labels if label is not None})
    else:
        parts, split_name = _fixed_split(log, task, options)
        source["split"] = {"kind": "fixed", "file": split_name}
        class_names = list(TASKS[task][1])
    return _training_data(log, parts, spec, class_names, source)


def _training_data(
    log: tasks.CaseLog,
    parts: dict[str, np.ndarray],
    spec: dict[str, Any],
    class_names: list[str],
    source: dict[str, Any],
) -> TrainingData:
    preprocessing = {**prepare.fit_preprocessing(log, parts["train"]), "task": spec}
    names = class_names or None
    splits = {
        part: prepare.encode_log(log, rows, preprocessing, names)
        for part, rows in parts.items()
    }
    in_split = sum(len(rows) for rows in parts.values())
    source.update(
        counts={part: len(rows) for part, rows in parts.items()},
        cases_outside_split=len(log) - in_split,
    )
    return TrainingData(
        train=splits["train"],
        val=splits["val"] if len(parts["val"]) else None,
        test=splits["test"],
        class_names=class_names,
        preprocessing=preprocessing,
        source=source,
    )


def embed_events_input(
    preprocessing: Mapping[str, Any], config: RunConfig, path: Path
) -> tuple[EventSet, pd.DataFrame]:
    """A new log coded with the training vocabularies and scalers -> (EventSet, case ids).

    ``path`` is an events table (a cases table beside it is read too) or a
    folder holding ``events.*`` [``cases.*``]. Labels are not read (``y`` None).
    """
    events, cases = locate_tables(Path(path))
    spec = {k: v for k, v in preprocessing["task"].items() if k != "label_col"}
    log = read_case_log(spec, events, cases)
    data = prepare.encode_log(log, np.arange(len(log)), preprocessing, None)
    return data, pd.DataFrame({"case_id": log.case_ids})
