"""Filesystem locations tied to one person's machine (MLP015).

A string is judged by its *start*: the literal must itself be a path (``"/Users/ana/x"``),
not a sentence or a command that mentions one. The tables are data; the rule only asks
:func:`machine_specific`.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from .. import lazy_re

#: home-directory roots, followed by a user name: (regex, label)
_HOME = lazy_re.compile(r"^(?P<root>/Users|/home)/(?P<user>[^/\\\s]+)(?:/|$)")
#: Windows: ``C:\\Users\\name``, ``C:/Users/name``, any drive-letter path with a component
_WIN_USERS = lazy_re.compile(
    r"^[A-Za-z]:[\\/]+(?:Users|Documents and Settings)[\\/]+(?P<user>[^\\/\s]+)", re.I
)
_DRIVE = lazy_re.compile(r"^(?P<drive>[A-Za-z]):[\\/]+(?P<first>[^\\/\s:*?\"<>|][^\\/:*?\"<>|]*)")
#: personal folders under ``~`` (and ``$HOME``)
_PERSONAL = lazy_re.compile(
    r"^(?:~|\$HOME|\$\{HOME\})[\\/]"
    r"(?P<folder>Downloads|Desktop|Documents|Dropbox|OneDrive|Google Drive)(?:[\\/]|$)",
)
#: hosted-notebook mounts that exist only on one service / one account
_MOUNTS: Tuple[Tuple[re.Pattern, str], ...] = (
    (lazy_re.compile(r"^/content/drive(?:/|$)"), "Colab's Google Drive mount"),
    (lazy_re.compile(r"^/content/gdrive(?:/|$)"), "Colab's Google Drive mount"),
    (lazy_re.compile(r"^/kaggle/input(?:/|$)"), "Kaggle's input folder"),
)
#: home folders of shared images and CI runners: not one person's machine
SHARED_HOME_USERS = frozenset({"jovyan", "hadoop", "runner", "circleci",
                              "travis", "vsts", "gitpod", "codespace", "vscode"})
#: a user name that is a template, not a name
_TEMPLATE = lazy_re.compile(r"[<>{}$%*]|^\.\.?$")


def machine_specific(text: str) -> Optional[str]:
    """A short description of why ``text`` is a machine-specific path, else None.

    Fires for ``/Users/<name>``, ``/home/<name>``, ``C:\\Users\\<name>`` and other
    drive-letter paths with at least one component (``D:\\data``), ``~/Downloads``,
    ``~/Desktop`` (and Documents, Dropbox, OneDrive), ``/content/drive`` and
    ``/kaggle/input``; also as ``file://`` URLs. Never for other URLs, ``~/.cache``,
    ``/opt/ml``, ``/mnt``, ``/tmp``, ``/app``, ``/srv``, ``/data``, a bare drive
    (``"C:"``, ``"D:\\"``), templated names (``/home/<user>``, ``/Users/{user}``,
    ``/home/$USER``) or the homes of shared images and CI runners (``/home/jovyan``,
    ``/home/runner``).
    """
    s = text.strip()
    if not s or "\n" in s or len(s) > 400:
        return None
    if s.lower().startswith("file://"):
        s = s[7:]
        if s.lower().startswith("localhost/"):
            s = s[9:]
        if re.match(r"^/[A-Za-z]:[\\/]", s):
            s = s[1:]
    elif "://" in s:
        return None
    m = _HOME.match(s)
    if m:
        user = m.group("user")
        if _TEMPLATE.search(user) or user in SHARED_HOME_USERS or user == "Shared":
            return None
        return f"a home folder ({m.group('root')}/{user})"
    m = _WIN_USERS.match(s)
    if m:
        user = m.group("user")
        if _TEMPLATE.search(user) or user.lower() in ("public", "default"):
            return None
        return "a Windows user folder"
    m = _DRIVE.match(s)
    if m:
        return f"a Windows drive path ({m.group('drive').upper()}:)"
    m = _PERSONAL.match(s)
    if m:
        return f"a personal folder (~/{m.group('folder')})"
    for pattern, label in _MOUNTS:
        if pattern.match(s):
            return label
    return None


#: keyword arguments whose strings are prose, never a location
PROSE_KEYWORDS = frozenset({"help", "description", "epilog", "usage", "metavar",
                           "msg", "message", "doc", "example", "examples"})
#: calls whose string arguments are patterns or prefixes, not locations
PATTERN_CALLS = frozenset(
    {
        "re.compile", "re.match", "re.search", "re.fullmatch", "re.sub", "re.subn",
        "re.split", "re.findall", "re.finditer", "fnmatch.fnmatch", "fnmatch.filter",
        "fnmatch.translate",
    }
)
#: string methods whose argument is compared, not opened
COMPARE_METHODS = frozenset(
    {
        "startswith", "endswith", "replace", "removeprefix", "removesuffix", "find",
        "index", "count", "split", "rsplit", "strip", "lstrip", "rstrip",
    }
)
