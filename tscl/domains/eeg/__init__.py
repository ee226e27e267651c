"""EEG: MNE preprocessing (FIR band-pass, average reference, µV), epochs, subject splits.

Heavy imports (MNE, pandas) happen inside the loader functions.
"""

from __future__ import annotations

from tscl.domains.domain import Domain, lazy, ts2vec_subject_recipe

load_eeg = lazy("tscl.domains.eeg.load:load_eeg")
embed_eeg_input = lazy("tscl.domains.eeg.embed:embed_eeg_input")
DEFAULTS = ts2vec_subject_recipe({"task": "eyes"}, batch_size=16)

EEG = Domain(
    name="eeg",
    description=(
        "EEG (EDF/EDF+, tables, UEA .ts): MNE band-pass 1-40 Hz, average reference, "
        "µV epochs, subject-independent splits"
    ),
    default_dataset="eegmmidb",
    formats=("edf", "csv", "ts"),
    load=load_eeg,
    defaults=DEFAULTS,
    embed_input=embed_eeg_input,
    tasks=("eyes", "fist", "eye_state"),
)

__all__ = ["DEFAULTS", "EEG", "embed_eeg_input", "load_eeg"]
