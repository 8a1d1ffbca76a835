"""``import rusprk`` picks the system allocator for pyarrow (its bundled one aborts some processes at exit)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def _backend(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    environ.update(env, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_rusprk_first_means_the_system_allocator():
    assert _backend("import rusprk, pyarrow as pa; print(pa.default_memory_pool().backend_name)") == "system"


def test_a_users_choice_and_an_already_loaded_pyarrow_are_left_alone():
    code = "import rusprk, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    assert _backend(code, ARROW_DEFAULT_MEMORY_POOL="mimalloc") == "mimalloc"
    before = _backend("import pyarrow as pa; print(pa.default_memory_pool().backend_name)")
    assert _backend("import pyarrow as pa, rusprk; print(pa.default_memory_pool().backend_name)") == before
