"""Thin ctypes wrappers over the Linux calls Python 3.11 does not expose.

Every wrapper raises ``OSError`` with the C ``errno`` on failure. Nothing here
decides policy; :mod:`azr_actors.sandbox._confine` does.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = [
    "CLONE_NEWIPC",
    "CLONE_NEWNET",
    "CLONE_NEWNS",
    "CLONE_NEWPID",
    "CLONE_NEWUSER",
    "CLONE_NEWUTS",
    "MNT_DETACH",
    "MS_BIND",
    "MS_MOVE",
    "MS_NODEV",
    "MS_NOEXEC",
    "MS_NOSUID",
    "MS_PRIVATE",
    "MS_RDONLY",
    "MS_REC",
    "MS_REMOUNT",
    "drop_capabilities",
    "mount",
    "prctl",
    "set_no_new_privs",
    "set_parent_death_signal",
    "setns",
    "umount",
    "unshare",
]

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_PRIVATE = 1 << 18

_PR_SET_PDEATHSIG = 1
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}

_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
if _libc is not None:  # bind once, so a forked child does not allocate them again
    for _name in ("unshare", "setns", "mount", "umount2", "prctl", "syscall"):
        getattr(_libc, _name)
    # Typed once: each sample calls prctl right after its fork, and converting plain
    # ints touches far fewer (copy-on-write) pages than building c_ulong objects.
    _libc.prctl.argtypes = [ctypes.c_int, *[ctypes.c_ulong] * 4]
    _libc.prctl.restype = ctypes.c_int


def _check(result: int) -> int:
    if result == -1:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def _lib() -> ctypes.CDLL:
    if _libc is None:
        raise OSError(38, "not Linux")
    return _libc


def unshare(flags: int) -> None:
    """unshare(2): move the caller into new namespaces named by ``flags``."""
    _check(_lib().unshare(ctypes.c_int(flags)))


MNT_DETACH = 2


def umount(target: str, flags: int = 0) -> None:
    """umount2(2)."""
    _check(_lib().umount2(target.encode(), ctypes.c_int(flags)))


def setns(fd: int, nstype: int) -> None:
    """setns(2): join the namespace open at ``fd``."""
    _check(_lib().setns(ctypes.c_int(fd), ctypes.c_int(nstype)))


def _enc(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    """mount(2)."""
    _check(
        _lib().mount(_enc(source), _enc(target), _enc(fstype), ctypes.c_ulong(flags), _enc(data))
    )


def prctl(option: int, arg2: int = 0) -> None:
    """prctl(2) with one argument."""
    _check(_lib().prctl(option, arg2, 0, 0, 0))


def set_parent_death_signal(sig: int) -> None:
    """Ask the kernel to send ``sig`` to the caller when its parent dies."""
    prctl(_PR_SET_PDEATHSIG, sig)


def set_no_new_privs() -> None:
    """No later execve can gain privileges (setuid bits, file capabilities)."""
    prctl(_PR_SET_NO_NEW_PRIVS, 1)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_capabilities() -> None:
    """Empty the bounding set and the effective/permitted/inheritable sets."""
    lib = _lib()
    for cap in range(64):
        if lib.prctl(_PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) == -1:
            if ctypes.get_errno() == 22:  # EINVAL: past the last capability
                break
            _check(-1)
    number = _SYS_CAPSET.get(os.uname().machine)
    if number is None:
        raise OSError(38, "capset: unknown architecture")
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(lib.syscall(ctypes.c_long(number), ctypes.byref(header), ctypes.byref(data)))
