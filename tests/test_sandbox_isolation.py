"""What a sample sees of the machine: checked from inside, with probes.

Tests of kernel layers skip when the pool reports that namespaces are not
available here; the degraded mode is tested on its own (it must say so, and
verdicts must still be unforgeable).
"""

from __future__ import annotations

import importlib.util
import os
import resource
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from azr_actors.sandbox import CheckJob, Limits, ProbeJob, SandboxError, SandboxPool, values

pytestmark = pytest.mark.asyncio(loop_scope="module")

REPO = Path(__file__).resolve().parents[1]
LIMITS = Limits(memory_mb=768, open_files=48, file_size_mb=8)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool() -> AsyncIterator[SandboxPool]:
    try:
        async with SandboxPool(1, limits=LIMITS) as started:
            if started.isolation_report.get("level") == "none":
                pytest.skip(f"no kernel namespaces here: {started.isolation_report['warnings']}")
            yield started
    except SandboxError as exc:
        pytest.skip(f"sandbox unavailable: {exc}")


async def seen(
    pool: SandboxPool, expr: str, imports: str = "import os, socket, resource"
) -> object:
    """Evaluate ``expr`` inside a sample; its value, or the error name."""
    result = await pool.probe(
        ProbeJob(imports + "\ndef f():\n    pass\n", "f", [expr], timeout_s=3.0)
    )
    if result.outputs[0] is None:
        return f"error:{result.errors[0]}"
    return values.decode(result.outputs[0])


async def test_pid_namespace_of_its_own(pool: SandboxPool) -> None:
    assert await seen(pool, "(os.getpid(), os.getppid())") == (1, 0)


async def test_only_loopback_and_it_is_down(pool: SandboxPool) -> None:
    assert await seen(pool, "[name for _, name in socket.if_nameindex()]") == ["lo"]
    assert str(await seen(pool, "socket.create_connection(('1.1.1.1', 53), timeout=1)")).startswith(
        "error:"
    )


async def test_file_system_is_read_only_outside_scratch(pool: SandboxPool) -> None:
    target = REPO / "azr_sandbox_should_not_exist.txt"
    assert str(await seen(pool, f"open({str(target)!r}, 'w')")).startswith("error:")
    assert not target.exists()
    assert await seen(pool, "open('mine.txt', 'w').write('ok')") == 2


async def test_proc_is_hidden_and_environment_is_empty(pool: SandboxPool) -> None:
    assert await seen(pool, "os.listdir('/proc')") == []
    env = await seen(pool, "dict(os.environ)")
    assert isinstance(env, dict)
    assert not any(key.endswith(("_KEY", "_TOKEN", "SECRET")) for key in env)
    assert set(env) <= {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}


async def test_unprivileged_with_limits(pool: SandboxPool) -> None:
    if pool.isolation_report.get("uid_switch"):
        assert await seen(pool, "os.getuid() != 0 and os.geteuid() != 0") is True
    mb = 1 << 20
    assert await seen(pool, "resource.getrlimit(resource.RLIMIT_AS)") == (768 * mb, 768 * mb)
    assert await seen(pool, "resource.getrlimit(resource.RLIMIT_NOFILE)") == (48, 48)
    assert await seen(pool, "resource.getrlimit(resource.RLIMIT_FSIZE)") == (8 * mb, 8 * mb)
    assert await seen(pool, "resource.getrlimit(resource.RLIMIT_CORE)") == (0, 0)
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != 768 * mb  # the parent is untouched


async def test_degraded_mode_says_so_and_still_cannot_be_fooled() -> None:
    prompt = 'def one() -> int:\n    """Return 1."""\n'
    test = "def check(candidate):\n    assert candidate() == 1\n"
    cheat = "    class A:\n        def __eq__(self, o): return True\n    return A()\n"
    try:
        async with SandboxPool(1, isolation="none") as weak:
            report = weak.isolation_report
            assert report["level"] == "none"
            assert any("DEGRADED" in warning for warning in report["warnings"])
            assert (await weak.check(CheckJob(prompt, "    return 1\n", test, "one"))).passed
            fooled = await weak.check(CheckJob(prompt, cheat, test, "one"))
            assert not fooled.passed
    except SandboxError as exc:
        pytest.skip(f"sandbox unavailable: {exc}")


async def test_the_standard_library_and_installed_packages_still_import(pool: SandboxPool) -> None:
    import hashlib

    assert (
        await seen(pool, "__import__('hashlib').md5(b'azr').hexdigest()")
        == hashlib.md5(b"azr").hexdigest()
    )
    if importlib.util.find_spec("numpy") is not None:
        assert await seen(pool, "int(__import__('numpy').arange(4).sum())") == 6


async def test_private_folders_on_the_way_to_python_stay_hidden(pool: SandboxPool) -> None:
    for folder in pool.isolation_report.get("private_dirs_covered", []):
        listing = await seen(pool, f"sorted(os.listdir({folder!r}))")
        assert isinstance(listing, list)
        assert set(listing) < set(os.listdir(folder))  # only the way to the interpreter is left


async def test_paths_named_in_the_environment_are_hidden_too(
    pool: SandboxPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # another copy of a benchmark's answers, say: a sample must not load its solutions.
    # It lies in the repository, which samples can read, unless the checkout is under /tmp,
    # which samples see only as their own private scratch.
    if REPO.resolve().is_relative_to("/tmp"):
        pytest.skip("this checkout is under /tmp, which samples never see")
    answers = REPO / f".azr-hidden-probe-{os.getpid()}"
    answers.mkdir()
    try:
        (answers / "HumanEval.jsonl").write_text('{"canonical_solution": "..."}\n')
        listing = f"os.listdir({str(answers)!r})"
        assert await seen(pool, listing) == ["HumanEval.jsonl"]  # readable without the setting
        monkeypatch.setenv("AZR_HIDDEN_PATHS", f"{answers}{os.pathsep}{answers / 'not-there'}")
        try:
            async with SandboxPool(1, limits=LIMITS) as hiding:
                assert str(answers) in hiding.isolation_report["hidden"]
                assert await seen(hiding, listing) == []
        except SandboxError as exc:
            pytest.skip(f"sandbox unavailable: {exc}")
        assert (answers / "HumanEval.jsonl").exists()  # hidden from samples, untouched on disk
    finally:
        (answers / "HumanEval.jsonl").unlink(missing_ok=True)
        answers.rmdir()
