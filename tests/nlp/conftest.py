import csv

import pytest
from django.conf import settings as django_settings

from clinical_ai.nlp import defaults, registry


@pytest.fixture
def model_root(tmp_path, settings):
    """A private MODEL_ROOT holding links to the installed default models' current versions (an install that
    has had earlier defaults keeps their folders too, which this registry never had)."""
    installed = django_settings.MODEL_ROOT
    root = tmp_path / "models"
    root.mkdir()
    for spec in (defaults.SUMMARIZER, defaults.CLASSIFIER, defaults.PHI_TAGGER):
        folder = installed / spec["name"] / spec["version"]
        if folder.is_dir():
            (root / spec["name"]).mkdir()
            (root / spec["name"] / spec["version"]).symlink_to(folder, target_is_directory=True)
    settings.MODEL_ROOT = root
    registry._load.cache_clear()
    return root


@pytest.fixture
def default_models(model_root, db):
    return {version.task: version for version in defaults.install_defaults()}


def write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


CARDIO = "Chest pain radiating to the left arm; troponin raised; ECG shows ST elevation; cardiac catheterization."
NEURO = "Sudden weakness of the right side and slurred speech; MRI brain shows an acute infarct; stroke team."
ORTHO = "Fracture of the distal radius after a fall; cast applied; x-ray of the wrist; orthopedic follow-up."


@pytest.fixture
def specialty_csv(tmp_path):
    """Three separable specialties, a note-type bucket to exclude, a rare class and a repeated text."""
    rows = []
    for i in range(8):
        rows += [(f"{CARDIO} Visit {i}.", "Cardiology"), (f"{NEURO} Visit {i}.", "Neurology"),
                 (f"{ORTHO} Visit {i}.", "Orthopedic")]
    rows += [(f"{CARDIO} Visit 0.", "Surgery"), ("Rash on the forearm.", "Dermatology")]
    return write_csv(tmp_path / "specialties.csv", ["note", "specialty"], rows)


@pytest.fixture
def summary_csv(tmp_path):
    rows = [(f"{text} Patient seen on visit {i}. Plan discussed.", text.split(";")[0])
            for i in range(3) for text in (CARDIO, NEURO, ORTHO)]
    return write_csv(tmp_path / "summaries.csv", ["transcription", "description"], rows)
