"""R-peak detection for records without beat annotations (wfdb's XQRS).

``wfdb.processing.XQRS`` finds the QRS complexes and
``wfdb.processing.correct_peaks`` moves each detection onto the local extremum
of the lead, so the sample index is the R peak the windows are centred on.
"""

from __future__ import annotations

import warnings

import numpy as np

from tscl.data.records import Series
from tscl.errors import DataError

SEARCH_RADIUS_S = 0.05  # peak correction looks this far either side of a detection
SMOOTH_WINDOW_S = 0.15  # moving average the correction compares the lead against


def detect_beats(series: Series, lead: str = "MLII") -> np.ndarray:
    """R-peak sample indices of one lead, found by XQRS and corrected to the peak.

    Args:
        series: the record (raw or cleaned), values (C, T), with ``fs``.
        lead: name of the lead to detect on.

    Returns:
        (K,) int64 sorted, unique sample indices (empty when nothing is found).
    """
    source = series.recording or "series"
    if series.fs is None:
        raise DataError(source, "beat detection needs a sampling rate")
    if lead not in series.channels:
        raise DataError(
            source,
            f"no lead '{lead}' to detect beats on; leads are {list(series.channels)}",
        )
    fs = float(series.fs)
    signal = np.nan_to_num(
        series.values[series.channels.index(lead)].astype(np.float64)
    )
    if len(signal) < int(2 * fs) or not np.ptp(signal) > 0:
        return np.zeros(0, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wfdb imports raise pandas deprecations
        from wfdb import processing

        xqrs = processing.XQRS(sig=signal, fs=fs)
        xqrs.detect(verbose=False)
        peaks = np.asarray(xqrs.qrs_inds, dtype=np.int64)
        if len(peaks):
            peaks = processing.correct_peaks(
                signal,
                peak_inds=peaks,
                search_radius=max(1, int(round(SEARCH_RADIUS_S * fs))),
                smooth_window_size=max(2, int(round(SMOOTH_WINDOW_S * fs))),
            )
    peaks = np.asarray(peaks, dtype=np.int64)
    return np.unique(peaks[(peaks >= 0) & (peaks < len(signal))])
