"""Data-versioning markers of a repository: DVC and git-lfs (used by MLP006).

Given the linted file and a literal data location, :func:`is_versioned` answers "is this
path covered by a DVC or git-lfs marker?". Markers are read from the directories between
the linted file's folder (or the data path's folder) and the repository root, the first
folder upwards that holds ``.git`` or ``.dvc``:

* ``<path>.dvc`` next to the data, or next to a folder that contains it (``data/raw.dvc``
  covers ``data/raw/train.csv``);
* ``outs`` of the stages of ``dvc.yaml`` and ``dvc.lock`` (relative to the stage's
  ``wdir``), and ``artifacts`` paths of ``dvc.yaml`` — a directory out covers the files
  under it; ``${…}`` templates match any single path segment;
* ``.gitattributes`` lines with ``filter=lfs`` (git's pattern rules: a pattern without a
  slash matches the file name at any depth, one with a slash is relative to the
  ``.gitattributes`` folder; later and deeper lines win, ``-filter``/``!filter`` unset).

Each directory is read once per process and cached in a module-level dict guarded by a
lock (the lock is re-created in children after ``fork``, as ``flake8 -j`` forks its
workers). YAML is parsed with PyYAML, imported lazily; without PyYAML, DVC's YAML files
are treated as absent. A file that cannot be read or parsed (a broken ``dvc.yaml``, an
unreadable ``.gitattributes``) is ignored silently. Paths are compared lexically (after
``normpath``), so a symlinked data folder is judged by its path inside the repository.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
import threading
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

_MAX_DEPTH = 64
_MAX_FILE_BYTES = 4 * 1024 * 1024
_CACHE_MAX = 20000


class LfsRule(NamedTuple):
    regex: "re.Pattern[str]"
    on: bool


class DirMarkers(NamedTuple):
    """What one directory says about versioning."""

    is_root: bool
    #: absolute, normalised paths tracked by DVC (files or folders), templates as globs
    outs: Tuple[str, ...]
    #: git-lfs rules of this folder's ``.gitattributes``, in file order
    lfs: Tuple[LfsRule, ...]


_EMPTY = DirMarkers(False, (), ())
_cache: Dict[str, DirMarkers] = {}
_lock = threading.Lock()


def _reset_after_fork() -> None:  # pragma: no cover - exercised by flake8 -j
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def clear_cache() -> None:
    """Forget every directory read so far (tests, long-lived processes)."""
    with _lock:
        _cache.clear()
        _sibling_cache.clear()
        _warned.clear()


# ------------------------------------------------------------------------- reading
def _read_text(path: str) -> Optional[str]:
    try:
        if os.path.getsize(path) > _MAX_FILE_BYTES:
            return None
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except (OSError, ValueError):
        return None


def _yaml(path: str) -> object:
    text = _read_text(path)
    if text is None:
        return None
    try:
        import yaml  # type: ignore
    except Exception:
        return None
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except Exception as exc:  # a broken file counts as absent, said once per process
        _warn_once(path, exc)
        return None


_warned: set = set()


def _warn_once(path: str, exc: BaseException) -> None:
    """One line on stderr per unreadable DVC file and process: MLP006 treats the file
    as absent, which the user should know (a fix there silences findings)."""
    if path in _warned:
        return
    _warned.add(path)
    detail = " ".join(str(exc).split())[:120] or type(exc).__name__
    print(
        f"flake8-mlops: warning: cannot parse {path} ({detail}); MLP006 ignores its "
        "DVC outputs",
        file=sys.stderr,
    )


def _out_paths(entries: object) -> List[str]:
    """``outs:`` entries: strings, ``{path: {...}}`` dicts, ``{path: "x"}`` (lock files)."""
    out: List[str] = []
    if not isinstance(entries, list):
        return out
    for entry in entries:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict):
            if isinstance(entry.get("path"), str):
                out.append(entry["path"])
            else:
                out.extend(k for k in entry if isinstance(k, str))
    return out


def _stage_outs(stages: object) -> List[Tuple[str, str]]:
    """(wdir, out) pairs of a ``stages:`` mapping (foreach/matrix ``do:`` bodies too)."""
    pairs: List[Tuple[str, str]] = []
    if not isinstance(stages, dict):
        return pairs
    for stage in stages.values():
        if not isinstance(stage, dict):
            continue
        body = stage.get("do") if isinstance(stage.get("do"), dict) else stage
        wdir = body.get("wdir", stage.get("wdir", "."))
        wdir = wdir if isinstance(wdir, str) else "."
        for key in ("outs", "metrics", "plots"):
            for path in _out_paths(body.get(key)):
                pairs.append((wdir, path))
    return pairs


def _template_to_glob(path: str) -> str:
    return re.sub(r"\$\{[^}]*\}", "*", path)


def _norm_out(folder: str, wdir: str, path: str) -> Optional[str]:
    path = _template_to_glob(path.strip())
    wdir = _template_to_glob(wdir.strip() or ".")
    if not path or "://" in path:
        return None  # a remote out (s3://...) is versioned by DVC itself, not a local path
    return os.path.normpath(os.path.join(folder, wdir, path))


def _gitattributes(folder: str) -> Tuple[LfsRule, ...]:
    text = _read_text(os.path.join(folder, ".gitattributes"))
    if not text:
        return ()
    rules: List[LfsRule] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("[attr]"):
            continue
        if line.startswith('"') and line.find('"', 1) > 0:
            end = line.find('"', 1)
            pattern, attrs = line[1:end], line[end + 1:].split()
        else:
            parts = line.split()
            pattern, attrs = parts[0], parts[1:]
        state: Optional[bool] = None
        for attr in attrs:
            if attr == "filter=lfs":
                state = True
            elif attr in ("-filter", "!filter") or (attr.startswith("filter=") and attr != "filter=lfs"):
                state = False
        if state is None:
            continue
        regex = _git_pattern(folder, pattern)
        if regex is not None:
            rules.append(LfsRule(regex, state))
    return tuple(rules)


def _git_pattern(folder: str, pattern: str) -> Optional["re.Pattern[str]"]:
    """A gitattributes pattern as a regex over absolute, ``/``-separated paths."""
    if pattern.startswith("!") or pattern.endswith("/"):
        return None  # negative patterns and folder patterns do not apply to attributes
    base = folder.replace(os.sep, "/").rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    body = _glob_regex(pattern)
    if anchored:
        rx = re.escape(base) + "/" + body + "$"
    else:
        rx = re.escape(base) + "/(?:.*/)?" + body + "$"
    try:
        return re.compile(rx)
    except re.error:
        return None


def _glob_regex(pattern: str) -> str:
    """git's wildmatch subset: ``**`` crosses folders, ``*``/``?``/``[...]`` do not."""
    out: List[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pattern.find("]", i + 2)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                inner = pattern[i + 1:j].replace("\\", "\\\\")
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append("[" + inner + "]")
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _exists(path: str) -> bool:
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _read_dir(folder: str) -> DirMarkers:
    """Stat a handful of names (never list the folder: data folders can be huge)."""
    is_root = _exists(os.path.join(folder, ".git")) or os.path.isdir(os.path.join(folder, ".dvc"))
    outs: List[str] = []
    for marker in ("dvc.yaml", "dvc.lock"):
        path = os.path.join(folder, marker)
        if not _exists(path):
            continue
        data = _yaml(path)
        if not isinstance(data, dict):
            continue
        stages = data.get("stages")
        if stages is None and marker == "dvc.lock" and "schema" not in data:
            stages = data  # dvc.lock 1.0: stages at the top level
        for wdir, p in _stage_outs(stages):
            norm = _norm_out(folder, wdir, p)
            if norm:
                outs.append(norm)
        artifacts = data.get("artifacts")
        if isinstance(artifacts, dict):
            for art in artifacts.values():
                if isinstance(art, dict) and isinstance(art.get("path"), str):
                    norm = _norm_out(folder, ".", art["path"])
                    if norm:
                        outs.append(norm)
    lfs = _gitattributes(folder) if _exists(os.path.join(folder, ".gitattributes")) else ()
    return DirMarkers(is_root, tuple(outs), lfs)


def markers(folder: str) -> DirMarkers:
    """The markers of one directory (read once per process)."""
    hit = _cache.get(folder)
    if hit is not None:
        return hit
    value = _read_dir(folder)
    with _lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[folder] = value
    return value


# ------------------------------------------------------------------------ questions
def _ancestors(folder: str, stop: Optional[str]) -> List[str]:
    """``folder`` and its parents up to ``stop`` (inclusive), or up to the repository root
    (the first folder with ``.git``/``.dvc``) when ``stop`` is None."""
    out: List[str] = []
    current = folder
    for _ in range(_MAX_DEPTH):
        out.append(current)
        if stop is not None:
            if current == stop:
                break
        elif markers(current).is_root:
            break
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return out


def repo_root(folder: str) -> Optional[str]:
    """The first folder from ``folder`` upwards that holds ``.git`` or ``.dvc``."""
    for d in _ancestors(folder, None):
        if markers(d).is_root:
            return d
    return None


def _covered_by_out(path: str, out: str) -> bool:
    if path == out or path.startswith(out.rstrip(os.sep) + os.sep):
        return True
    if "*" in out or "?" in out or "[" in out:
        parts = path.split(os.sep)
        out_parts = out.split(os.sep)
        if len(parts) >= len(out_parts):
            return all(fnmatch.fnmatchcase(p, o) for p, o in zip(parts, out_parts))
    return False


def _lfs_tracked(path: str, folders: Sequence[str]) -> bool:
    """Apply ``.gitattributes`` from the root down; the last matching line wins."""
    posix = path.replace(os.sep, "/")
    state = False
    for folder in folders:  # root first
        for rule in markers(folder).lfs:
            if rule.regex.match(posix):
                state = rule.on
    return state


def _dvc_sibling(path: str, stop: Optional[str]) -> bool:
    """``<path>.dvc`` (or ``<folder>.dvc`` for a folder holding it, up to ``stop``)."""
    current = path
    for _ in range(_MAX_DEPTH):
        if stop is not None and current == stop:
            return False
        key = current + ".dvc"
        hit = _sibling_cache.get(key)
        if hit is None:
            hit = os.path.isfile(key)
            with _lock:
                if len(_sibling_cache) >= _CACHE_MAX:
                    _sibling_cache.clear()
                _sibling_cache[key] = hit
        if hit:
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent
    return False


_sibling_cache: Dict[str, bool] = {}


def is_versioned(data_path: str, script_dir: str) -> bool:
    """True when ``data_path`` (absolute, normalised) is covered by a DVC or git-lfs marker
    found between its folder / the script's folder and the repository root."""
    root = repo_root(script_dir)
    data_dir = os.path.dirname(data_path)
    inside = root is not None and (data_dir == root or data_dir.startswith(root.rstrip(os.sep) + os.sep))
    if root is None or not inside:
        root_of_data = repo_root(data_dir)
        if root_of_data is not None:
            root, inside = root_of_data, True
    if _dvc_sibling(data_path, root if inside else None):
        return True
    folders: List[str] = []
    seen = set()
    for start, stop in ((data_dir, root if inside else None), (script_dir, root)):
        for d in _ancestors(start, stop):
            if d not in seen:
                seen.add(d)
                folders.append(d)
    for folder in folders:
        for out in markers(folder).outs:
            if _covered_by_out(data_path, out):
                return True
    # .gitattributes apply to files under their own folder, root first
    lfs_folders = [d for d in folders if data_path.startswith(d.rstrip(os.sep) + os.sep)]
    lfs_folders.sort(key=len)
    return _lfs_tracked(data_path, lfs_folders)
