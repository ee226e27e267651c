"""The archive domain: UCR/UEA-style labelled series, TS2Vec's recipe and SVM protocol."""

from __future__ import annotations

from tscl.domains.archive.load import load_archive
from tscl.domains.domain import Domain

ARCHIVE = Domain(
    name="archive",
    description="UCR/UEA classification archives (.ts): official split, RBF-SVM probe",
    default_dataset="ECG200",
    formats=("ts",),
    load=load_archive,
    defaults={"method": "ts2vec", "eval": {"protocol": "svm"}},
    tasks=("classification",),
)
