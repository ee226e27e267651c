"""ECG: cleaned beat windows with rhythm context, AAMI classes, patient-wise splits.

``ECG`` loads a WFDB data set (the ``mitdb`` card, or a record / folder of
records on disk), cleans each record (leads, powerline notch, optional
baseline removal, 0.5-40 Hz band-pass), cuts a window around every beat
(annotated, or detected by wfdb's XQRS when there is no ``.atr``), appends the
beat's normalised RR intervals as constant channels, and splits by patient.
Heavy imports (scipy, wfdb) wait until a function runs.
"""

from __future__ import annotations

from tscl.domains.domain import Domain, lazy, ts2vec_subject_recipe


def ecg_recipe() -> dict:
    """The ECG default recipe (chosen by leave-patients-out CV inside MIT-BIH DS1, see
    benchmarks/bench_ecg.py): each beat beside its record's median beat and its rhythm
    (RR ratios, irregularity), encoded by the patient-relative encoder, TS2Vec's
    losses; split by patient 60/20/20 with a probe chosen on the validation patients
    (``configs/ecg.yaml`` cross-validates over every patient instead)."""
    recipe = ts2vec_subject_recipe(
        {
            "leads": ["MLII"],
            "notch_hz": 60.0,
            "rhythm": "extended",
            "template": True,
            "downsample": 2,
        },
        batch_size=8,
        max_steps=300,
    )
    recipe["encoder"] = {"name": "relative", "params": dict(ENCODER)}
    return recipe


# The patient-relative encoder of the default: 4 deviation dims, its size, 5 rhythm features.
ENCODER = {
    "static_channels": 5,
    "inner": "dilated_conv",
    "hidden_dims": 32,
    "output_dims": 4,
    "depth": 6,
}
# Beat windows of config.dataset split by patient.
load_ecg = lazy("tscl.domains.ecg.loader:load_ecg")
# A new record's beats prepared as in training.
embed_ecg_input = lazy("tscl.domains.ecg.embed:embed_ecg_input")

ECG = Domain(
    name="ecg",
    description="ECG beats (WFDB): cleaned beat windows with RR rhythm channels, "
    "AAMI classes, patient-independent splits",
    default_dataset="mitdb",
    formats=("wfdb",),
    load=load_ecg,
    defaults=ecg_recipe(),
    embed_input=embed_ecg_input,
    tasks=("beats",),
    cv_figure=lazy("tscl.domains.ecg.strip:cv_strip"),
    predict_figure=lazy("tscl.domains.ecg.strip:input_strip"),
)

__all__ = ["ECG", "embed_ecg_input", "load_ecg"]
