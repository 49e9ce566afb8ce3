"""`pip install ./clients/python` into a fresh virtual environment, with nothing to download.

Runs for the interpreter running the tests and for Debian's /usr/bin/python3 when that is another
one. The installed package is then used against the real server, and its worker entry point
describes a tasks file."""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

import _server

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ENV = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONPATH="",
           PIP_NO_INPUT="1")


def interpreters():
    seen, out = set(), []
    for exe in (sys.executable, "/usr/bin/python3"):
        if exe and os.path.exists(exe):
            real = os.path.realpath(exe)
            if real not in seen:
                seen.add(real)
                out.append(exe)
    return out


class InstallTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="offload-venv-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def venv(self, python, name):
        target = os.path.join(self.tmp, name)
        p = subprocess.run([python, "-m", "venv", target], capture_output=True, text=True,
                           env=ENV, timeout=300)
        if p.returncode != 0:
            self.fail("%s -m venv failed (Debian: apt-get install python3-venv): %s"
                      % (python, p.stderr or p.stdout))
        return os.path.join(target, "bin", "python")

    def pip(self, venv_python, *args):
        p = subprocess.run([venv_python, "-m", "pip", "install", "-q"] + list(args),
                           capture_output=True, text=True, env=ENV, timeout=300)
        self.assertEqual(0, p.returncode, p.stdout + p.stderr)

    def check_installed(self, venv_python):
        code = ("import json, offload, offload.worker, sys; c = offload.Client(sys.argv[1]); "
                "print(json.dumps([offload.__file__, c.run('echo', {'via': 'venv'})]))")
        p = subprocess.run([venv_python, "-c", code, _server.url()], capture_output=True,
                           text=True, env=ENV, timeout=60, cwd=self.tmp)
        self.assertEqual(0, p.returncode, p.stderr)
        where, echoed = json.loads(p.stdout)
        self.assertIn(os.path.join(self.tmp, ""), where, "imported from the venv, not the tree")
        self.assertEqual({"via": "venv"}, echoed)
        typed = glob.glob(os.path.join(os.path.dirname(where), "py.typed"))
        self.assertTrue(typed, "py.typed is installed")
        p = subprocess.run([venv_python, "-m", "offload", "describe",
                            os.path.join(ROOT, "tests", "tasks.py")],
                           capture_output=True, text=True, env=ENV, timeout=60, cwd=self.tmp)
        self.assertEqual(0, p.returncode, p.stderr)
        self.assertIn("py_spin", p.stdout)

    def test_pip_install_the_folder(self):
        for i, python in enumerate(interpreters()):
            with self.subTest(python=python):
                venv_python = self.venv(python, "v%d" % i)
                self.pip(venv_python, ROOT)
                self.check_installed(venv_python)

    def test_sdist_and_wheel_build_and_install_offline(self):
        sys.path.insert(0, os.path.join(ROOT, "_build"))
        try:
            import offload_build
        finally:
            sys.path.pop(0)
        out = os.path.join(self.tmp, "dist")
        os.makedirs(out)
        sdist = offload_build.build_sdist(out)
        wheel = offload_build.build_wheel(out)
        self.assertEqual(("offload-0.1.0.tar.gz", "offload-0.1.0-py3-none-any.whl"),
                         (sdist, wheel))
        with zipfile.ZipFile(os.path.join(out, wheel)) as z:
            names = set(z.namelist())
            record = z.read("offload-0.1.0.dist-info/RECORD").decode()
        self.assertIn("offload/worker.py", names)
        self.assertIn("offload/py.typed", names)
        for name in names - {"offload-0.1.0.dist-info/RECORD"}:
            self.assertIn(name + ",sha256=", record)
        venv_python = self.venv(sys.executable, "sdist")
        self.pip(venv_python, "--no-index", os.path.join(out, sdist))
        self.check_installed(venv_python)


if __name__ == "__main__":
    unittest.main()
