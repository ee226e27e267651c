"""Labelling a file of new recordings with a model that carries a classifier.

The model's encoder embeds the file exactly as ``tscl embed`` does (the
domain's preparation replayed from the bundle, the input contract checked),
and the probe stored with it (``EncoderBundle.classifier``) turns each
embedding into class probabilities: one row per window / beat / case with its
identifying columns, ``predicted`` and ``p_<class>``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tscl.bundle import EncoderBundle
from tscl.domains.embed_file import Encode, embed_file
from tscl.errors import TsclError
from tscl.eval.probe_state import probe_probabilities


def predict_file(bundle: EncoderBundle, path: Path, *, encode: Encode) -> pd.DataFrame:
    """One row per embedded window: its id columns, ``predicted`` and one probability per class."""
    if bundle.classifier is None:
        raise TsclError(
            "this model carries no classifier: register a run evaluated with "
            "eval.protocol=patient_cv (e.g. make experiment)"
        )
    table = embed_file(bundle, path, encode=encode)
    z = np.stack(table.pop("embedding").to_numpy()) if len(table) else np.empty((0, 0))
    names = list(bundle.classifier["class_names"])
    if not len(table):
        return table.assign(predicted=pd.Series(dtype=str))
    probabilities = probe_probabilities(bundle.classifier, z)  # (N, K)
    table["predicted"] = np.asarray(names, dtype=object)[probabilities.argmax(axis=1)]
    for k, name in enumerate(names):
        table[f"p_{name}"] = probabilities[:, k].astype(np.float32)
    return table
