"""A PEP 517 build backend for the ``offload`` package, standard library only.

pip builds a project in an isolated environment and installs its ``build-system.requires`` there
first; with setuptools that means a download. This backend needs nothing, so
``pip install ./clients/python`` works offline. It builds:

- a wheel: ``src/offload`` plus the ``.dist-info`` files (METADATA, WHEEL, RECORD with hashes);
- an sdist: the sources, pyproject.toml, README.md and this backend, with PKG-INFO;
- an editable wheel (PEP 660): a ``.pth`` file pointing at ``src``.

Metadata comes from pyproject.toml's ``[project]`` table, read with tomllib where it exists
(Python 3.11+) and with a small reader for the simple ``key = "value"`` lines otherwise.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "offload"
SDIST_FILES = ("pyproject.toml", "README.md", "_build/offload_build.py")
# Reproducible archives: the date of the first release, not "now".
EPOCH = (2026, 1, 1, 0, 0, 0)


def _project():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        raw = f.read()
    try:
        import tomllib
        return tomllib.loads(raw.decode("utf-8"))["project"]
    except ImportError:
        pass
    text = raw.decode("utf-8")
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    out = {}
    for key, value in re.findall(r'^([\w-]+)\s*=\s*"([^"]*)"\s*$', section.group(1), re.M):
        out[key] = value
    return out


def _metadata():
    p = _project()
    lines = [
        "Metadata-Version: 2.1",
        "Name: " + p["name"],
        "Version: " + p["version"],
        "Summary: " + p.get("description", ""),
        "Requires-Python: " + p.get("requires-python", ">=3.9"),
    ]
    lic = p.get("license")
    if isinstance(lic, dict) and lic.get("text"):
        lines.append("License: " + lic["text"])
    for c in p.get("classifiers", []) if isinstance(p.get("classifiers"), list) else []:
        lines.append("Classifier: " + c)
    readme = os.path.join(ROOT, "README.md")
    body = ""
    if os.path.exists(readme):
        lines.append("Description-Content-Type: text/markdown")
        with open(readme, encoding="utf-8") as f:
            body = f.read()
    return p["name"], p["version"], "\n".join(lines) + "\n\n" + body


def _package_files():
    base = os.path.join(ROOT, "src")
    found = []
    for folder, dirs, files in os.walk(os.path.join(base, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py") or name == "py.typed":
                full = os.path.join(folder, name)
                found.append((os.path.relpath(full, base).replace(os.sep, "/"), full))
    return found


def _record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _write_wheel(directory, entries):
    name, version, metadata = _metadata()
    dist_info = "%s-%s.dist-info" % (name, version)
    filename = "%s-%s-py3-none-any.whl" % (name, version)
    wheel = ("Wheel-Version: 1.0\nGenerator: offload_build\nRoot-Is-Purelib: true\n"
             "Tag: py3-none-any\n")
    entries = list(entries) + [
        (dist_info + "/METADATA", metadata.encode("utf-8")),
        (dist_info + "/WHEEL", wheel.encode("utf-8")),
        (dist_info + "/top_level.txt", (PACKAGE + "\n").encode("utf-8")),
    ]
    record = [("%s,%s,%d" % (path, _record_hash(data), len(data))) for path, data in entries]
    record.append(dist_info + "/RECORD,,")
    entries.append((dist_info + "/RECORD", ("\n".join(record) + "\n").encode("utf-8")))
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in entries:
            info = zipfile.ZipInfo(path, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return filename


def _read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- PEP 517 hooks ----------------------------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    name, version, metadata = _metadata()
    dist_info = "%s-%s.dist-info" % (name, version)
    os.makedirs(os.path.join(metadata_directory, dist_info), exist_ok=True)
    with open(os.path.join(metadata_directory, dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(metadata)
    return dist_info


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(arc, _read(full)) for arc, full in _package_files()])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    pth = (os.path.join(ROOT, "src") + "\n").encode("utf-8")
    return _write_wheel(wheel_directory, [("_offload_editable.pth", pth)])


def build_sdist(sdist_directory, config_settings=None):
    name, version, metadata = _metadata()
    base = "%s-%s" % (name, version)
    filename = base + ".tar.gz"
    files = [(rel, os.path.join(ROOT, rel)) for rel in SDIST_FILES
             if os.path.exists(os.path.join(ROOT, rel))]
    files += [("src/" + arc, full) for arc, full in _package_files()]
    mtime = time.mktime(EPOCH + (0, 0, -1))
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz",
                      format=tarfile.PAX_FORMAT) as tar:
        for arc, data in [("PKG-INFO", metadata.encode("utf-8"))] + [
                (rel, _read(full)) for rel, full in files]:
            info = tarfile.TarInfo(base + "/" + arc)
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return filename
