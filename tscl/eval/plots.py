"""Figures for a run: loss curves, a 2-D map of embeddings, a confusion matrix, a forecast against truth.

Every function returns a ``matplotlib.figure.Figure`` drawn on the Agg canvas
(no display, no pyplot global state), so it can be saved as PNG from any
process or logged by the tracker. Nothing here imports MLflow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tscl.errors import DataError

# Keys of a training history that are not loss values.
NON_LOSS_KEYS = frozenset({"step", "lr", "samples_per_s"})
TSNE_MAX_POINTS = 5000  # explicit method="tsne" refuses more points
# method="auto" uses t-SNE only up to here: sklearn's t-SNE took 80 s for 2000 points
# on a shared 2-core CPU, too long for a figure at the end of a run.
AUTO_TSNE_MAX_POINTS = 500
FIGURE_SIZE = (6.4, 4.8)  # inches; at dpi 150 a 960 x 720 PNG
FIGURE_DPI = 150


def new_figure(
    size: tuple[float, float] = FIGURE_SIZE, dpi: int = FIGURE_DPI
) -> Figure:
    """An empty figure attached to the Agg canvas; constrained layout keeps labels inside."""
    figure = Figure(figsize=size, dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def plot_loss_curves(
    history: Sequence[Mapping[str, float]], *, title: str = "Training loss"
) -> Figure:
    """Loss terms (and validation loss) against the step; the learning rate below when it changes.

    Args:
        history: one dict per logged step, with ``step`` and ``loss`` and
            optionally other loss terms, ``val_loss``, ``lr``, ``samples_per_s``
            (the ``TrainResult.history`` of a run).

    Raises:
        DataError: if the history is empty or a row lacks ``step``.
    """
    if not history:
        raise DataError(
            "history", "no logged steps to plot (expected train.log_every <= max_steps)"
        )
    if any("step" not in row for row in history):
        raise DataError("history", "every row needs a 'step' key")
    names = sorted({key for row in history for key in row} - NON_LOSS_KEYS)
    rates = {row["lr"] for row in history if "lr" in row}
    has_lr = len(rates) > 1  # a constant rate gets no panel of its own
    if len(rates) == 1:
        title = f"{title} (learning rate {next(iter(rates)):.3g})"
    figure = new_figure()
    axes = figure.subplots(2 if has_lr else 1, 1, sharex=True, squeeze=False)[:, 0]
    for name in names:
        points = [(row["step"], row[name]) for row in history if name in row]
        steps, values = zip(*points, strict=True)
        axes[0].plot(
            steps, values, marker="." if len(points) < 50 else None, label=name
        )
    axes[0].set_ylabel("loss")
    axes[0].legend(loc="upper right")
    axes[0].grid(alpha=0.3)
    if has_lr:
        points = [(row["step"], row["lr"]) for row in history if "lr" in row]
        axes[1].plot(*zip(*points, strict=True), color="grey")
        axes[1].set_ylabel("learning rate")
        axes[1].grid(alpha=0.3)
    axes[-1].set_xlabel("step")
    figure.suptitle(title)
    return figure


def project_2d(
    z: np.ndarray, method: str = "auto", seed: int = 0
) -> tuple[np.ndarray, str]:
    """Projects embeddings (N, D) to (N, 2) with PCA or t-SNE.

    Args:
        method: ``pca``, ``tsne`` (at most 5000 points) or ``auto`` (t-SNE up to
            500 points, PCA above).

    Returns:
        The (N, 2) coordinates and the name of the method used.
    """
    if method not in ("auto", "pca", "tsne"):
        raise DataError("method", f"'{method}' is not one of auto, pca, tsne")
    count = len(z)
    if method == "tsne" and count > TSNE_MAX_POINTS:
        raise DataError(
            "z", f"t-SNE is limited to {TSNE_MAX_POINTS} points, got {count}; use pca"
        )
    use_tsne = method == "tsne" or (method == "auto" and count <= AUTO_TSNE_MAX_POINTS)
    if use_tsne and count > 3:
        from sklearn.manifold import TSNE

        perplexity = min(30.0, (count - 1) / 3)  # t-SNE needs perplexity < N
        tsne = TSNE(
            n_components=2, perplexity=perplexity, init="pca", random_state=seed
        )
        return tsne.fit_transform(z.astype(np.float64)), "t-SNE"
    from sklearn.decomposition import PCA

    components = min(2, count, z.shape[1])
    coords = PCA(n_components=components, random_state=seed).fit_transform(z)
    if components < 2:  # (N, 1) -> (N, 2) with a zero second axis
        coords = np.concatenate([coords, np.zeros((count, 2 - components))], axis=1)
    return coords, "PCA"


def plot_embedding_map(
    z: np.ndarray,
    labels: np.ndarray | None = None,
    class_names: Sequence[str] | None = None,
    *,
    method: str = "auto",
    seed: int = 0,
    title: str = "Embeddings",
    split: str | None = None,
) -> Figure:
    """A 2-D scatter of embeddings coloured by label.

    Args:
        z: embeddings, (N, D), finite.
        labels: (N,) integer codes or names; None draws one colour.
        class_names: names for integer codes (``class_names[code]``).
        method: see :func:`project_2d`.
        title: what is shown (e.g. data set and method); the projection, the
            split and N are added.
        split: the split the rows come from ("test"...), named in the title.
    """
    z = np.asarray(z)
    if z.ndim != 2 or len(z) < 2:
        raise DataError(
            "z", f"expected embeddings (N, D) with N >= 2, got shape {z.shape}"
        )
    if not np.all(np.isfinite(z)):
        raise DataError("z", "embeddings contain NaN or infinite values")
    if labels is not None and len(labels) != len(z):
        raise DataError("labels", f"expected {len(z)} labels, got {len(labels)}")
    coords, used = project_2d(z, method=method, seed=seed)
    figure = new_figure()
    axis = figure.subplots()
    if labels is None:
        axis.scatter(coords[:, 0], coords[:, 1], s=8)
    else:
        for value in np.unique(labels):
            chosen = np.asarray(labels) == value
            name = _label_name(value, class_names)
            axis.scatter(coords[chosen, 0], coords[chosen, 1], s=8, label=name)
        axis.legend(loc="best", markerscale=2, fontsize="small", title="class")
    where = f"{split} split, " if split else ""
    axis.set_title(f"{title} ({where}{used}, N={len(z)})")
    axis.set_xlabel(f"{used} 1")
    axis.set_ylabel(f"{used} 2")
    axis.set_xticks([])
    axis.set_yticks([])
    return figure


def plot_confusion_matrix(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    class_names: Sequence[str] | None = None,
    *,
    title: str = "Confusion matrix",
) -> Figure:
    """Row-normalised confusion matrix (each true class sums to 1), counts in the cells.

    Args:
        y_true, y_pred: (N,) integer class codes.
        class_names: ``class_names[code]``; classes absent from both arrays are left out.
    """
    from sklearn.metrics import confusion_matrix

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape or len(y_true) == 0:
        raise DataError(
            "y_pred",
            f"expected two equal non-empty 1-D label arrays, got {y_true.shape} and {y_pred.shape}",
        )
    codes = np.unique(np.concatenate([y_true, y_pred]))
    names = [_label_name(code, class_names) for code in codes]
    counts = confusion_matrix(y_true, y_pred, labels=codes)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    size = max(4.0, 0.7 * len(codes) + 2.5)
    figure = new_figure((size + 1.0, size))
    axis = figure.subplots()
    image = axis.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    for i in range(len(codes)):
        for j in range(len(codes)):
            axis.text(
                j,
                i,
                f"{counts[i, j]}",
                ha="center",
                va="center",
                color="white" if share[i, j] > 0.5 else "black",
                fontsize="small",
            )
    axis.set_xticks(range(len(codes)), names)
    axis.set_yticks(range(len(codes)), names)
    axis.set_xlabel("predicted class")
    axis.set_ylabel("true class")
    axis.set_title(title)
    figure.colorbar(image, ax=axis, label="share of the true class")
    return figure


def _label_name(value: object, class_names: Sequence[str] | None) -> str:
    if class_names is not None and isinstance(value, (int, np.integer)):
        if not 0 <= int(value) < len(class_names):
            raise DataError(
                "class_names",
                f"label code {value} has no name ({len(class_names)} names)",
            )
        return str(class_names[int(value)])
    return str(value)


def plot_forecast(
    truth: np.ndarray,
    pred: np.ndarray,
    *,
    context: np.ndarray | None = None,
    title: str = "Forecast",
) -> Figure:
    """A predicted horizon against the true values, after optional context.

    Args:
        truth: true values over the horizon, (T,).
        pred: predicted values over the same horizon, (T,).
        context: observed values before the horizon, (L,), drawn first.
    """
    truth, pred = (
        np.asarray(truth, dtype=np.float64),
        np.asarray(pred, dtype=np.float64),
    )
    if truth.ndim != 1 or truth.shape != pred.shape or len(truth) == 0:
        raise DataError(
            "pred",
            f"expected truth and pred of one shape (T,), got {truth.shape} and {pred.shape}",
        )
    offset = 0
    figure = new_figure()
    axis = figure.subplots()
    if context is not None:
        context = np.asarray(context, dtype=np.float64).ravel()
        offset = len(context)
        axis.plot(np.arange(offset), context, color="grey", label="context")
        axis.axvline(offset - 0.5, color="grey", linestyle=":")
    horizon = np.arange(offset, offset + len(truth))
    axis.plot(horizon, truth, color="black", label="truth")
    axis.plot(horizon, pred, color="tab:red", linestyle="--", label="prediction")
    mse = float(np.mean((truth - pred) ** 2))
    axis.set_title(f"{title} (MSE {mse:.4g})")
    axis.set_xlabel("time step")
    axis.legend(loc="best")
    axis.grid(alpha=0.3)
    return figure


def plot_event_strip(
    values: np.ndarray,
    fs: float,
    events: np.ndarray,
    predicted: Sequence[str],
    *,
    true: Sequence[str] | None = None,
    start_s: float = 0.0,
    title: str = "Predicted classes",
    units: str = "scaled units",
) -> Figure:
    """A stretch of one signal with each event (e.g. a beat) marked in its predicted class's colour.

    Args:
        values: (T,) the signal from ``start_s`` on.
        fs: sampling rate in Hz.
        events: (K,) sample of each event, counted from the start of ``values``.
        predicted: (K,) predicted class name of each event.
        true: (K,) true class names; an event predicted wrongly is labelled
            "true -> predicted".
    """
    values, events = np.asarray(values, dtype=float), np.asarray(events, dtype=np.int64)
    if values.ndim != 1 or len(events) != len(predicted) or fs <= 0:
        raise DataError(
            "strip",
            f"expected a 1-D signal and one class per event, got {values.shape}, "
            f"{len(events)} events and {len(predicted)} classes",
        )
    if true is not None and len(true) != len(events):
        raise DataError("strip", f"{len(true)} true classes for {len(events)} events")
    times = start_s + np.arange(len(values)) / fs
    figure = new_figure((10.0, 3.2))
    axis = figure.subplots()
    axis.plot(times, values, color="0.3", linewidth=0.8)
    names = sorted(set(predicted))
    colours = {name: f"C{i}" for i, name in enumerate(names)}
    inside = (events >= 0) & (events < len(values))
    for name in names:
        chosen = inside & (np.asarray(predicted) == name)
        axis.scatter(
            times[events[chosen]],
            values[events[chosen]],
            color=colours[name],
            s=28,
            zorder=3,
            label=f"predicted {name}",
        )
    if true is not None:
        for k in np.flatnonzero(inside):
            if true[k] != predicted[k]:
                axis.annotate(
                    f"{true[k]}->{predicted[k]}",
                    (times[events[k]], values[events[k]]),
                    textcoords="offset points",
                    xytext=(0, 8),
                    ha="center",
                    fontsize="x-small",
                )
    axis.set_xlabel("time (s)")
    axis.set_ylabel(units)
    axis.set_title(title)
    axis.legend(loc="upper right", fontsize="small", ncols=max(1, len(names)))
    return figure
