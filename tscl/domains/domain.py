"""A domain: what one family of data (ECG, EEG, motion, event logs...) brings to a run.

A ``Domain`` is data, not a class hierarchy: its name, default data set, the
config defaults of its recipe (method, encoder, augmentations, windowing,
evaluation protocol), and functions that load a data set (a catalog name or a
path) into ``TrainingData`` and prepare new files for ``tscl embed``. The
trainer never sees a domain: it gets batch sources built from the data.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from tscl.config import RunConfig
    from tscl.data.training import DataSet, TrainingData

# (preprocessing recorded at training, the run's config, a file) -> rows to embed + id columns
EmbedInput = Callable[
    [Mapping[str, Any], "RunConfig", Path], "tuple[DataSet, pd.DataFrame]"
]


@dataclass(frozen=True)
class Domain:
    """Defaults and data handling of one data family.

    Attributes:
        name: the ``domain=`` value.
        description: one line for ``--help`` and the README.
        default_dataset: the catalog name ``tscl pretrain domain=<name>`` runs on.
        formats: file formats its loader reads (card formats / file kinds).
        defaults: nested config values applied under the user's YAML and
            overrides (e.g. ``{"method": "ts2vec", "data": {"window": 320}}``).
        load: config -> split data with hierarchy ids, labels and the
            preprocessing to replay; ``config.dataset`` is a catalog name or a path.
        embed_input: prepares a new file for ``tscl embed`` the way training
            data was prepared (None: the generic readers are used).
        tasks: evaluation tasks it offers (``data.options.task``), first = default.
        cv_figure: (data, out-of-fold predicted codes of ``data.train``, class
            names) -> a Figure of predictions in context, for patient-CV runs.
        predict_figure: (preprocessing, input path, predicted rows) -> a Figure
            of a new file's predictions (``tscl predict --figure``).
        evaluators: ``eval.protocol`` names this domain supplies, each
            (bundle, data, *, seed) -> metrics (e.g. forecasting's ridge per horizon).
    """

    name: str
    description: str
    default_dataset: str
    formats: tuple[str, ...]
    load: Callable[[RunConfig], TrainingData]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    embed_input: EmbedInput | None = None
    tasks: tuple[str, ...] = ()
    cv_figure: Callable[..., Any] | None = None
    predict_figure: Callable[..., Any] | None = None
    evaluators: Mapping[str, Callable[..., dict[str, Any]]] = field(
        default_factory=dict
    )


def lazy(target: str) -> Callable[..., Any]:
    """``"module:function"`` as a function that imports its module on first call.

    Keeps a domain's heavy imports (MNE, scipy, wfdb, pandas) out of start-up:
    ``tscl --help`` and the registry never import them.
    """
    module_name, _, name = target.partition(":")

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module_name), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"See ``{module_name}.{name}``."
    return call


def ts2vec_subject_recipe(
    options: Mapping[str, Any], *, batch_size: int, max_steps: int = 600
) -> dict[str, Any]:
    """Defaults shared by the signal domains: TS2Vec at the authors' encoder size,
    subject-independent train / validation / test (20% / 20%), and a logistic
    probe chosen on the validation subjects (``holdout``)."""
    return {
        "method": "ts2vec",
        "encoder": {
            "name": "dilated_conv",
            "params": {"hidden_dims": 64, "output_dims": 320, "depth": 10},
        },
        "augment": [],
        "data": {
            "split": "group",
            "val_fraction": 0.2,
            "test_fraction": 0.2,
            "options": dict(options),
        },
        "train": {"max_steps": max_steps, "batch_size": batch_size},
        "eval": {"protocol": "holdout"},
    }
