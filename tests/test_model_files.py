import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from complaintmine import CauseClassifier, load_model
from complaintmine.errors import ModelFileError
from complaintmine.modelio import _manifest_checksum


def test_save_load_round_trip(small_model, labeled, tmp_path):
    path = tmp_path / "m.cmm"
    small_model.save(path)
    again = load_model(path)
    texts = labeled["text"].head(100)
    assert (again.causes.predict(texts) == small_model.causes.predict(texts)).all()
    assert np.allclose(again.causes.predict_proba(texts), small_model.causes.predict_proba(texts), atol=1e-5)
    assert np.allclose(again.motives.predict_proba(texts), small_model.motives.predict_proba(texts), atol=1e-5)
    assert list(again.causes.classes_) == list(small_model.causes.classes_)


def test_single_estimator_save_load(tmp_path):
    clf = CauseClassifier.from_lexicon()
    clf.save(tmp_path / "lex.cmm")
    again = CauseClassifier.load(tmp_path / "lex.cmm")
    assert again.predict(["等了两个小时外卖才送到"])[0] == "delivery"


def test_malicious_pickle_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "model.cmm"
    path.write_bytes(pickle.dumps(Evil()))
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(path)
    assert not marker.exists()


def _rewrite_manifest(src, dst, edit):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                edit(manifest)
                data = json.dumps(manifest).encode()
            zout.writestr(item, data)


def test_tampered_and_mismatched_files_are_refused(tmp_path):
    good = tmp_path / "good.cmm"
    CauseClassifier.from_lexicon().save(good)

    def change_classes(m):
        m["meta"]["causes"]["classes"][0] = "evil"

    _rewrite_manifest(good, tmp_path / "tampered.cmm", change_classes)
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        load_model(tmp_path / "tampered.cmm")

    def old_version(m):
        m["library_version"] = "0.0.1"
        m["checksum"] = _manifest_checksum(m)

    _rewrite_manifest(good, tmp_path / "old.cmm", old_version)
    with pytest.raises(ModelFileError, match="made by complaintmine 0.0.1"):
        load_model(tmp_path / "old.cmm")

    (tmp_path / "junk.cmm").write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelFileError, match="not a complaintmine model file"):
        load_model(tmp_path / "junk.cmm")
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "missing.cmm")


def test_tampered_array_is_refused(small_model, tmp_path):
    path = tmp_path / "m.cmm"
    small_model.save(path)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp_path / "bad.cmm", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith("cause_primary_intercept.npy"):
                data = data[:-8] + np.float64(99.0).tobytes()
            zout.writestr(item, data)
    with pytest.raises(ModelFileError, match="fails its checksum"):
        load_model(tmp_path / "bad.cmm")


def test_default_model_carries_version_and_labels():
    model = load_model()
    assert "delivery" in model.causes.classes_
    assert model.motives.motives_ == ["respect", "compensation", "venting"]
    assert model.info["n_train"] >= 2400
