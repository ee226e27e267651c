"""Figures render to PNG files of the expected size and draw the data they are given."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from tscl.data.read_ts import read_ts
from tscl.errors import DataError
from tscl.eval.plots import (
    plot_confusion_matrix,
    plot_embedding_map,
    plot_forecast,
    plot_loss_curves,
    project_2d,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(figure: Figure) -> tuple[int, int, int]:
    """(width, height, number of bytes) of the figure saved as PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    data = buffer.getvalue()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # IHDR chunk
    return width, height, len(data)


def test_loss_curves_png_and_lines() -> None:
    history = [
        {
            "step": 1,
            "loss": 3.0,
            "loss_instance": 2.0,
            "lr": 1e-3,
            "samples_per_s": 9.0,
        },
        {
            "step": 2,
            "loss": 2.0,
            "loss_instance": 1.5,
            "lr": 5e-4,
            "samples_per_s": 9.0,
        },
        {
            "step": 3,
            "loss": 1.0,
            "loss_instance": 0.5,
            "lr": 1e-4,
            "samples_per_s": 9.0,
            "val_loss": 1.2,
        },
    ]
    figure = plot_loss_curves(history)
    loss_axis, lr_axis = figure.axes
    lines = {line.get_label(): line for line in loss_axis.get_lines()}
    assert set(lines) == {"loss", "loss_instance", "val_loss"}
    assert list(lines["loss"].get_xdata()) == [1, 2, 3]
    assert list(lines["loss"].get_ydata()) == [3.0, 2.0, 1.0]
    assert list(lines["val_loss"].get_xdata()) == [3]
    assert list(lr_axis.get_lines()[0].get_ydata()) == [1e-3, 5e-4, 1e-4]
    width, height, size = png_size(figure)
    assert (width, height) == (960, 720)  # 6.4 x 4.8 in at 150 dpi
    assert size > 5000  # a drawn figure, not a blank canvas


def test_loss_curves_reject_empty_history() -> None:
    with pytest.raises(DataError, match="history"):
        plot_loss_curves([])
    with pytest.raises(DataError, match="step"):
        plot_loss_curves([{"loss": 1.0}])


def test_embedding_map_of_real_series(data_dir: Path) -> None:
    data = read_ts(data_dir / "ucr" / "ECG200" / "ECG200_TRAIN.ts")
    z = data.to_array()[:, 0, :]  # (N, 1, T) -> (N, T): raw series as 96-d points
    names = sorted(set(data.labels))
    codes = np.array([names.index(label) for label in data.labels])
    figure = plot_embedding_map(z, codes, class_names=names, method="pca")
    axis = figure.axes[0]
    counts = {c.get_label(): len(c.get_offsets()) for c in axis.collections}
    assert counts == {name: int((codes == i).sum()) for i, name in enumerate(names)}
    assert "PCA" in axis.get_title()
    width, height, size = png_size(figure)
    assert (width, height) == (960, 720)  # 6.4 x 4.8 in at 150 dpi and size > 5000


def test_project_2d_pca_recovers_the_main_axis() -> None:
    # Points on the line y = 2x in 3-D: PCA's first axis spans them, the second is ~0.
    t = np.linspace(-1.0, 1.0, 11)
    z = np.stack([t, 2 * t, np.zeros_like(t)], axis=1)  # (11, 3)
    coords, used = project_2d(z, method="pca")
    assert used == "PCA"
    assert np.allclose(np.abs(coords[:, 0]), np.abs(t) * np.sqrt(5))
    assert np.allclose(coords[:, 1], 0.0, atol=1e-9)


def test_embedding_map_tsne_and_string_labels() -> None:
    generator = np.random.default_rng(0)
    z = np.concatenate(
        [generator.normal(0, 1, (20, 8)), generator.normal(8, 1, (20, 8))]
    )
    labels = np.array(["normal"] * 20 + ["abnormal"] * 20)
    figure = plot_embedding_map(z, labels)
    axis = figure.axes[0]
    assert "t-SNE" in axis.get_title()
    assert sorted(c.get_label() for c in axis.collections) == ["abnormal", "normal"]
    assert png_size(figure)[2] > 5000


def test_embedding_map_rejects_bad_input() -> None:
    with pytest.raises(DataError, match="NaN"):
        plot_embedding_map(np.array([[0.0, np.nan], [1.0, 2.0]]), None)
    with pytest.raises(DataError, match="labels"):
        plot_embedding_map(np.zeros((3, 2)), np.array([0, 1]))
    with pytest.raises(DataError, match="t-SNE"):
        project_2d(np.zeros((5001, 2)), method="tsne")


def test_forecast_png_and_mse_in_title() -> None:
    truth = np.array([1.0, 2.0, 3.0, 4.0])
    pred = np.array([1.0, 2.0, 3.0, 6.0])  # MSE = 4 / 4 = 1
    figure = plot_forecast(truth, pred, context=np.zeros(6))
    axis = figure.axes[0]
    lines = {line.get_label(): line for line in axis.get_lines()}
    assert list(lines["truth"].get_xdata()) == [6, 7, 8, 9]
    assert "MSE 1" in axis.get_title()
    width, height, size = png_size(figure)
    assert (width, height) == (960, 720)  # 6.4 x 4.8 in at 150 dpi and size > 5000
    with pytest.raises(DataError, match="shape"):
        plot_forecast(truth, pred[:3])


def test_constant_learning_rate_gets_no_panel() -> None:
    history = [{"step": s, "loss": 1.0 / s, "lr": 1e-3} for s in (1, 2, 3)]
    figure = plot_loss_curves(history, title="ts2vec on ECG200")
    assert len(figure.axes) == 1
    assert figure.get_suptitle() == "ts2vec on ECG200 (learning rate 0.001)"


def test_embedding_map_names_axes_split_and_classes() -> None:
    z = np.random.default_rng(0).normal(size=(40, 8))
    labels = np.repeat([0, 1], 20)
    figure = plot_embedding_map(
        z,
        labels,
        ["normal", "ischemia"],
        method="pca",
        title="ECG200, ts2vec",
        split="test",
    )
    axis = figure.axes[0]
    assert axis.get_title() == "ECG200, ts2vec (test split, PCA, N=40)"
    assert (axis.get_xlabel(), axis.get_ylabel()) == ("PCA 1", "PCA 2")
    assert [t.get_text() for t in axis.get_legend().get_texts()] == [
        "normal",
        "ischemia",
    ]


def test_confusion_matrix_counts_and_names() -> None:
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 0, 1, 1, 1, 0])
    figure = plot_confusion_matrix(y_true, y_pred, ["N", "S", "V"], title="beats")
    axis = figure.axes[0]
    cells = [t.get_text() for t in axis.texts]
    # Rows are true classes N, S, V; columns predicted N, S, V.
    assert cells == ["2", "1", "0", "0", "2", "0", "1", "0", "0"]
    assert [t.get_text() for t in axis.get_xticklabels()] == ["N", "S", "V"]
    assert axis.get_xlabel() == "predicted class" and axis.get_ylabel() == "true class"
    image = axis.images[0].get_array()
    assert np.allclose(image[0], [2 / 3, 1 / 3, 0]) and np.allclose(image[2], [1, 0, 0])
