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
    benchmarks/bench_ecg.py): each beat beside its record's median beat, its rhythm
    (log RR ratios, irregularity) and its deviation from that median beat over the
    window, QRS and T (log relative RMS); the patient-relative encoder learns with
    COMET's hierarchical positives (observation, beat, record, patient) how far the
    beat's shape is from the usual one (the size of the difference in a 32-dim
    space) and carries rhythm and deviation channels; split by
    patient 60/20/20 with a probe chosen on the validation patients
    (``configs/ecg.yaml`` cross-validates over every patient instead)."""
    recipe = ts2vec_subject_recipe(
        {
            "leads": ["MLII"],
            "notch_hz": 60.0,
            "rhythm": "log",
            "template": True,
            "deviation": True,
            "downsample": 2,
        },
        batch_size=8,
        max_steps=300,
    )
    # patient / record / beat positives; COMET's recipe defaults bring its grouped batches
    # (2 beats of each of 2 records per patient drawn, so every level has positives).
    recipe["method"] = "comet"
    recipe["encoder"] = {"name": "relative", "params": dict(ENCODER)}
    return recipe


# The patient-relative encoder of the default: the size of z(beat) - z(usual beat) in a
# 32-dim learned space (the difference vector itself generalised worse across patients:
# benchmarks/bench_ecg.py), then 5 rhythm and 3 deviation channels as given.
ENCODER = {
    "static_channels": 8,
    "inner": "dilated_conv",
    "hidden_dims": 32,
    "output_dims": 32,
    "depth": 6,
    "difference": False,
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
