"""fetch / verified_path: real HTTP downloads from a loopback server, real mirror copies."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tscl.cli import main
from tscl.data.catalog import load_card
from tscl.data.fetch import MANIFEST, cache_root, fetch, verified_path
from tscl.errors import ChecksumError, DataError

Serve = Callable[[Path], str]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_http_download_is_verified(
    data_dir: Path, serve: Serve, tmp_path: Path
) -> None:
    """Acceptance 4, first half: ECG200 over HTTP lands verified in the cache."""
    base_url = serve(data_dir)
    directory = fetch("ECG200", cache_dir=tmp_path, base_url=base_url)
    assert directory == tmp_path / "ECG200" == verified_path("ECG200", tmp_path)
    manifest = json.loads((directory / MANIFEST).read_text())
    assert [entry["path"] for entry in manifest["files"]] == [
        "ECG200_TEST.ts",
        "ECG200_TRAIN.ts",
    ]
    for entry in manifest["files"]:
        path = directory / entry["path"]
        original = data_dir / "ucr" / "ECG200" / entry["path"]
        assert path.read_bytes() == original.read_bytes()
        assert entry["sha256"] == _sha256(original)
        assert entry["size"] == path.stat().st_size
        assert entry["mtime"] == path.stat().st_mtime
    assert sorted(os.listdir(directory)) == [
        MANIFEST,
        "ECG200_TEST.ts",
        "ECG200_TRAIN.ts",
    ]


def test_flipped_byte_is_rejected(
    data_dir: Path, serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Acceptance 4, second half: one flipped byte -> ChecksumError, exit 2, no file kept."""
    mirror = tmp_path / "mirror"
    shutil.copytree(data_dir / "ucr" / "ECG200", mirror / "ucr" / "ECG200")
    bad = mirror / "ucr" / "ECG200" / "ECG200_TRAIN.ts"
    raw = bytearray(bad.read_bytes())
    raw[5000] ^= 0x01
    bad.write_bytes(bytes(raw))
    base_url = serve(mirror)
    cache = tmp_path / "cache"
    expected = load_card("ECG200").files[1]
    assert expected.path == "ECG200_TRAIN.ts"
    with pytest.raises(ChecksumError) as info:
        fetch("ECG200", cache_dir=cache, base_url=base_url)
    assert str(info.value) == (
        f"{base_url}/ucr/ECG200/ECG200_TRAIN.ts: sha256 mismatch: expected "
        f"{expected.sha256}, got {_sha256(bad)} (card ECG200)"
    )
    assert not (cache / "ECG200" / "ECG200_TRAIN.ts").exists()
    assert not [p for p in (cache / "ECG200").iterdir() if p.name.startswith(".tmp")]
    with pytest.raises(DataError, match="unverified or changed files"):
        verified_path("ECG200", cache)

    capsys.readouterr()
    code = main(
        ["data", "fetch", "ECG200", "--base-url", base_url, "--cache", str(cache)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("tscl: error: ") and err.count("\n") == 1
    assert "sha256 mismatch" in err and "Traceback" not in err
    names = sorted(p.name for p in (cache / "ECG200").iterdir())
    assert names == [MANIFEST, "ECG200_TEST.ts"]  # the good file stays, verified


def test_missing_mirror_file(data_dir: Path, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "ucr" / "ECG200").mkdir(parents=True)
    shutil.copy(
        data_dir / "ucr" / "ECG200" / "ECG200_TRAIN.ts", mirror / "ucr" / "ECG200"
    )
    with pytest.raises(DataError) as info:
        fetch("ECG200", cache_dir=tmp_path / "cache", mirror=mirror)
    assert str(info.value) == (
        f"{mirror}/ucr/ECG200/ECG200_TEST.ts: not in the mirror "
        "(card ECG200 lists ECG200_TEST.ts)"
    )
    assert not (tmp_path / "cache" / "ECG200").exists()  # checked before copying


def test_converted_file_needs_a_mirror(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        fetch("ETTm1", cache_dir=tmp_path)
    assert str(info.value) == (
        "ETTm1/ETTm1.csv: has no download source (it was converted for tscl); "
        "fetch it with --mirror DIR"
    )


def test_http_error_is_a_data_error(
    data_dir: Path, serve: Serve, tmp_path: Path
) -> None:
    base_url = serve(tmp_path / "empty")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="download failed: File not found"):
        fetch("ECG200", cache_dir=tmp_path / "cache", base_url=base_url)
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_manifest_skips_and_detects_changes(data_dir: Path, tmp_path: Path) -> None:
    directory = fetch("GunPoint", cache_dir=tmp_path, mirror=data_dir)
    train = directory / "GunPoint_TRAIN.ts"
    stamp = train.stat().st_mtime_ns
    fetch("GunPoint", cache_dir=tmp_path, mirror=tmp_path / "no-mirror-needed")
    assert train.stat().st_mtime_ns == stamp  # verified and unchanged: skipped
    with train.open("ab") as handle:
        handle.write(b"\n")
    with pytest.raises(DataError) as info:
        verified_path("GunPoint", tmp_path)
    assert "GunPoint_TRAIN.ts" in str(info.value)
    assert "run: tscl data fetch GunPoint --mirror DIR" in str(info.value)
    fetch("GunPoint", cache_dir=tmp_path, mirror=data_dir)
    assert _sha256(train) == _sha256(
        data_dir / "ucr" / "GunPoint" / "GunPoint_TRAIN.ts"
    )
    assert verified_path("GunPoint", tmp_path) == directory


def test_force_fetches_again(data_dir: Path, tmp_path: Path) -> None:
    directory = fetch("Coffee", cache_dir=tmp_path, mirror=data_dir)
    os.utime(directory / "Coffee_TEST.ts", ns=(0, 0))  # look "changed" to the manifest
    fetch("Coffee", cache_dir=tmp_path, mirror=data_dir, force=True)
    assert verified_path("Coffee", tmp_path) == directory


def test_not_fetched_hint(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        verified_path("ECG200", tmp_path)
    assert str(info.value) == (
        f"{tmp_path}/ECG200: data set ECG200 is not fetched "
        "(run: tscl data fetch ECG200 --mirror DIR)"
    )


def test_cache_root_from_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TSCL_CACHE_DIR", str(tmp_path / "env-cache"))
    assert cache_root() == tmp_path / "env-cache"
    assert cache_root(tmp_path / "given") == tmp_path / "given"
    monkeypatch.delenv("TSCL_CACHE_DIR")
    assert cache_root() == Path.home() / ".cache" / "tscl" / "datasets"


def test_cli_fetch_goes_on_after_a_failure(
    data_dir: Path, serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(data_dir / "ucr" / "ECG200", mirror / "ucr" / "ECG200")
    base_url = serve(mirror)  # serves ECG200 only: Coffee gets 404s
    argv = ["data", "fetch", "Coffee", "ECG200", "--base-url", base_url]
    code = main([*argv, "--cache", str(tmp_path / "cache")])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == f"ECG200: 2 files verified in {tmp_path / 'cache' / 'ECG200'}\n"
    assert err.startswith("tscl: error: ") and err.count("\n") == 1
    assert "Coffee_TEST.ts: download failed" in err
    assert verified_path("ECG200", tmp_path / "cache") == tmp_path / "cache" / "ECG200"
