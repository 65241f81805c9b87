import hashlib
import json

import pytest


@pytest.fixture
def upload(script, tmp_path):
    h = script("upload", max_body_bytes=1_000_000)
    h.module.UPLOAD_DIR = str(tmp_path)
    return h


def test_streams_the_upload_to_a_file_and_reports_its_sha256(upload, tmp_path):
    chunks = [bytes([i]) * 10_000 for i in range(50)]
    resp = upload.request("PUT", "/upload/data.bin", body=chunks)
    assert resp.status == 201
    data = b"".join(chunks)
    assert json.loads(resp.body) == {"name": "data.bin", "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert (tmp_path / "data.bin").read_bytes() == data
    assert not (tmp_path / "data.bin.part").exists()


def test_too_large_is_413_and_leaves_no_file(upload, tmp_path):
    resp = upload.request("PUT", "/upload/big.bin", body=[b"x" * 300_000] * 4)
    assert resp.status == 413
    assert list(tmp_path.iterdir()) == []


def test_bad_name_is_400(upload):
    assert upload.request("PUT", "/upload/..secret", body=b"x").status == 400


def test_a_plain_bytes_body_arrives_as_one_chunk(script, tmp_path):
    h = script("upload")
    h.module.UPLOAD_DIR = str(tmp_path)
    resp = h.request("POST", "/upload/one.txt", body=b"hello")
    assert resp.status == 201
    assert (tmp_path / "one.txt").read_bytes() == b"hello"
