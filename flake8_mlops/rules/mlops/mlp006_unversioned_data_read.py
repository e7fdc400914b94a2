"""MLP006 unversioned-data-read."""

from __future__ import annotations

import ast
import os
from typing import List, Optional, Tuple

from ... import repo_markers
from ...apis.data_io import (
    AMBIGUOUS_EXTENSIONS,
    COMPRESSION_SUFFIXES,
    CONFIG_NAME_WORDS,
    DATA_EXTENSIONS,
    DATA_READERS,
    OPEN_CALLS,
    PACKAGED_BUILDERS,
    PATH_CLASSES,
    PATH_READ_METHODS,
    UNJUDGED_PREFIXES,
    WRITER_FUNCTIONS,
    WRITER_METHODS,
    remote_is_pinned,
    remote_scheme,
)
from ...registry import Rule, register
from ._test_modules import TestModuleMixin
from .mlp004_trusted_remote_code import dotted

_LOCAL_FIX = "track it with `dvc add` or git-lfs, or read a pinned revision with dvc.api.open(..., rev=...)"
_REMOTE_FIX = "use a versioned URL (a commit hash, /v3/, ?versionId=) or dvc.api.open(..., rev=...)"


def _shown(location: str) -> str:
    """The location for the message: no query string or user info (signatures, tokens)."""
    text = location.strip()
    if "://" in text:
        scheme, _, rest = text.partition("://")
        host, slash, path = rest.partition("/")
        host = host.rsplit("@", 1)[-1]
        text = scheme + "://" + host + slash + path.split("?", 1)[0].split("#", 1)[0]
    return repr(text if len(text) <= 70 else text[:67] + "...")


_WRITE, _READ, _OPEN = 0, 1, 2
#: qualified name -> (which table, its entry): writers first, then readers, then open()s,
#: the order the checks were made in
_QUAL_KINDS = {
    **{q: (_OPEN, spec) for q, spec in OPEN_CALLS.items()},
    **{q: (_READ, reader) for q, reader in DATA_READERS.items()},
    **{q: (_WRITE, pos) for q, pos in WRITER_FUNCTIONS.items()},
}


#: A finding needs a reader (``DATA_READERS``) or an open-like call (``OPEN_CALLS``,
#: ``open``, ``Path.open/read_text/read_bytes``), and the last component of a resolved
#: qualified name is always spelled in the source: a file without one of these words
#: cannot fire.
_TRIGGERS = ("read", "load", "open", "scan_", "genfromtxt", "fromfile", "Parquet", "dataset", "from_")


def _triggers_cover_calls() -> bool:
    """Each reader's and open-like call's last name component holds a trigger."""
    lasts = {q.rsplit(".", 1)[-1] for q in (*DATA_READERS, *OPEN_CALLS)} | set(PATH_READ_METHODS)
    return all(any(t in last for t in _TRIGGERS) for last in lasts | {"open"})


def _script_dir(filename: str) -> str:
    if not filename or filename in ("-", "stdin", "(none)"):
        return os.getcwd()
    return os.path.dirname(os.path.abspath(filename))


def _exists(path: str) -> bool:
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _is_data_file(path: str) -> bool:
    base = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    parts = base.split(".")
    if len(parts) < 2:
        return False
    ext = parts[-1]
    if ext in COMPRESSION_SUFFIXES and len(parts) >= 3:
        ext = parts[-2]
    if ext not in DATA_EXTENSIONS:
        return False
    if ext in AMBIGUOUS_EXTENSIONS:
        stem = parts[0]
        if any(word in stem for word in CONFIG_NAME_WORDS):
            return False
    return True


@register
class UnversionedDataRead(TestModuleMixin, Rule):
    """## What it does
    Flags a dataset read from a **literal** location that no version pins:

    - readers: pandas `read_*` (csv, table, fwf, parquet, json, excel, feather, orc, hdf,
      pickle, stata, sas, spss, xml; also through modin, dask, cudf and pyspark.pandas),
      numpy `load`/`loadtxt`/`genfromtxt`/`fromfile`, polars `read_*`/`scan_*`, pyarrow
      readers (`parquet.read_table`, `csv.read_csv`, `dataset.dataset`, …),
      `datasets.load_from_disk`, `Dataset.from_csv/json/parquet`, and
      `datasets.load_dataset("csv"|"json"|"parquet"|…, data_files=...)`;
    - `open(path)` / `open(path, "r"|"rt"|"rb")` (also `io`/`codecs`/`gzip` `open` and
      `Path("…").open()/read_text()/read_bytes()`) of a data file — by extension: csv,
      tsv, jsonl, ndjson, parquet, feather, arrow, npy, npz, xlsx, h5, tfrecord, … and
      `.json`/`.txt`/`.xml` unless the name looks like configuration (`config.json`,
      `labels.txt`, `vocab.txt`) — **only in a module that trains** (fits or trains a
      model somewhere in the file).

    "Literal" is a string constant, a module name bound once to one, and paths composed
    only of those (`Path("data") / "train.csv"`, `os.path.join(DATA_DIR, "x.csv")` with
    `DATA_DIR = "data"`). Parameters, `args.*`, environment variables and f-strings are
    not judged.

    A location is **unpinned** when it is:

    - a remote URL (`http(s)`, `s3`, `gs`, `az`/`abfs`, `hf`, …) with no immutable version
      component — a commit hash (`/resolve/<sha>/`, `@<sha>`), a version segment (`/v3/`,
      `/1.2.0/`, `/2024-01-31/`) or a version query (`?versionId=`, `?generation=`) pins
      it; `main`, `master` and `latest` do not;
    - a local path covered by no DVC or git-lfs marker: a `<path>.dvc` file beside it (or
      beside a folder that contains it), an `outs` entry of a `dvc.yaml` / `dvc.lock`
      stage (a directory out covers every file under it), or a `filter=lfs` pattern of a
      `.gitattributes`. Markers are read in the folders from the linted file's folder
      (and the data's folder) up to the repository root — the first folder with `.git`
      or `.dvc` — and cached once per process. A relative path is tried both against the
      linted file's folder and against the repository root: when one of them exists on
      disk only the existing ones are judged, otherwise either one being covered is
      enough.

    Reading through `dvc.api.open(..., rev=...)` / `dvc.api.read(..., rev=...)` is the fix
    and never fires; neither do test modules (a module that imports `pytest`/`unittest`
    or defines `test_*` functions): test fixtures are not datasets.

    ## Why is this bad?
    A model is a function of its code *and* its data. When a script reads
    `data/customer_data.csv` or `s3://bucket/train.csv` and nothing records which version
    of that file it saw, the file can change under the model — re-exported, cleaned,
    appended to — and nobody can reproduce a past training run, explain a drift in
    quality or roll back to the data of the model in production. Virmani & Kuppam list
    the lack of data versioning as an MLOps antipattern (seed 000, §7) and show the DVC
    fix used here.

    ## Example
    ```python
    import pandas as pd

    data = pd.read_csv("data/customer_data.csv")
    remote = pd.read_parquet("s3://acme-ml/churn/latest/train.parquet")
    ```

    ## Use instead
    ```python
    import dvc.api
    import pandas as pd

    with dvc.api.open("data/customer_data.csv", rev="v1.3.0") as fd:
        data = pd.read_csv(fd)
    remote = pd.read_parquet("s3://acme-ml/churn/train.parquet?versionId=3HL4kqtJlcpXroDTDmJ")
    ```

    ## Options
    None. The markers come from the repository itself (`dvc add`, `dvc.yaml`,
    `git lfs track`).

    ## Known limitations
    - DVC imports with a remote `repo:` and DVC remotes are not resolved; a `.dvc` file
      beside the data counts whatever it says. `-filter` inside `.gitattributes` macros
      (`[attr]`) is not expanded.
    - A location the same module writes (`to_csv`/`to_parquet`/…, `np.save*`, polars
      `write_*`, `save_to_disk`, `open(..., "w")` with the same literal) is the module's
      own output and is not judged, wherever the write is in the file. `/tmp` and
      SageMaker's `/opt/ml/input` channels *are* judged: a literal path there is still
      data nobody pinned (read the channel from `SM_CHANNEL_*` and pin the S3 version in
      the job definition, or add `# noqa: MLP006`).
    - The marker cache lives for the whole process: a long-running editor integration
      sees a newly added `.dvc` file only after a restart.
    - A version segment or hex-looking folder in a URL (`/v2/`, `/3f9a1b2c/`) is taken as
      a pin even when the server would let it change.
    - A `dvc.yaml` or `dvc.lock` that does not parse is treated as absent, and flake8 prints
      one warning line for it (`flake8-mlops: warning: cannot parse …`) per process.
    - Without PyYAML installed, `dvc.yaml` and `dvc.lock` are treated as absent
      (`.dvc` siblings and `.gitattributes` still count).

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §7 Lack of Data Versioning, §7.3 Solution (`dvc.api.open` with `rev`).
    - DVC docs, [dvc.api.open](https://dvc.org/doc/api-reference/open) and
      [dvc.yaml outs](https://dvc.org/doc/user-guide/project-structure/dvcyaml-files).
    - Git LFS, [gitattributes and `git lfs track`](https://git-lfs.com/).
    """

    code, name = "MLP006", "unversioned-data-read"
    # no gating (slower, never wrong) if apis/data_io.py gains a call the words miss
    triggers = _TRIGGERS if _triggers_cover_calls() else ()
    added_in = "0.2.0"
    message = "{api}() reads {location} {why}; {fix}"
    confidence = "medium"
    uses_facts = True

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        #: (call, api label, location) of reader calls
        self._reads: List[Tuple[ast.Call, str, str]] = []
        #: (call, api label, location) of open()-like reads, judged only if the module trains
        self._opens: List[Tuple[ast.Call, str, str]] = []
        self._script_dir: Optional[str] = None
        #: locations this module writes (a read of them is the module's own output)
        self._written: set = set()

    # ------------------------------------------------------------ locations
    def _location(self, expr: Optional[ast.AST], depth: int = 0) -> Optional[str]:
        """The literal path an expression denotes (constants, Path(), /, os.path.join)."""
        if expr is None or depth > 4:
            return None
        ctx = self.ctx
        text = ctx.literal_str(expr)
        if text is not None:
            return text
        if isinstance(expr, ast.Name):
            value = ctx.resolver.constant(expr.id)
            if isinstance(value, (ast.Call, ast.BinOp)):
                return self._location(value, depth + 1)
            return None
        if isinstance(expr, ast.Call):
            name = ctx.call_name(expr)
            if name in PATH_CLASSES and len(expr.args) >= 1 and not expr.keywords:
                parts = [self._location(a, depth + 1) for a in expr.args]
                # type: ignore[arg-type]
                return os.path.join(*parts) if all(p is not None for p in parts) else None
            if name in ("os.path.join", "posixpath.join") and expr.args and not expr.keywords:
                parts = [self._location(a, depth + 1) for a in expr.args]
                # type: ignore[arg-type]
                return os.path.join(*parts) if all(p is not None for p in parts) else None
            return None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            left = self._location(expr.left, depth + 1)
            right = self._location(expr.right, depth + 1)
            if left is not None and right is not None:
                return os.path.join(left, right)
        return None

    def _locations(self, expr: Optional[ast.AST]) -> List[str]:
        """``data_files=`` may be a string, a list of them or a split -> files dict."""
        if isinstance(expr, (ast.List, ast.Tuple)):
            out: List[str] = []
            for elt in expr.elts:
                out.extend(self._locations(elt))
            return out
        if isinstance(expr, ast.Dict):
            out = []
            for value in expr.values:
                out.extend(self._locations(value))
            return out
        if isinstance(expr, ast.Name):
            value = self.ctx.resolver.constant(expr.id)
            if isinstance(value, (ast.List, ast.Tuple, ast.Dict)):
                return self._locations(value)
        loc = self._location(expr)
        return [loc] if loc is not None else []

    # ------------------------------------------------------------ handlers
    def _note_written(self, node: ast.Call, pos: int) -> None:
        loc = self._location(self.ctx.arg(node, pos, None))
        if loc is not None:
            self._written.add(os.path.normpath(loc))

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        qual = ctx.call_name(node)
        func = node.func
        if qual is not None:
            # one lookup for the writers, readers and open-like calls (in that priority)
            kind = _QUAL_KINDS.get(qual)
            if kind is not None:
                table, what = kind
                if table == _WRITE:
                    self._note_written(node, what)
                    return
                if table == _READ:
                    self._reader(node, qual, what)
                    return
                if qual != "open" or not ctx.resolver.ever_bound("open"):
                    self._open(node, qual, ctx.arg(node, what[0], "file" if qual == "open" else "filename"),
                               ctx.arg(node, what[1], "mode"))
                    return
        elif func.__class__ is ast.Attribute:
            pos = WRITER_METHODS.get(func.attr)  # type: ignore[attr-defined]
            if pos is not None:
                self._note_written(node, pos)
                return
        elif func.__class__ is ast.Name:
            if func.id == "open" and not ctx.resolver.ever_bound("open"):  # type: ignore[attr-defined]
                self._open(node, "open", ctx.arg(node, 0, "file"), ctx.arg(node, 1, "mode"))
            return
        else:
            return
        if func.__class__ is ast.Attribute and func.attr in PATH_READ_METHODS:  # type: ignore[attr-defined]
            receiver = func.value  # type: ignore[attr-defined]
            if isinstance(receiver, ast.Name):
                value = ctx.resolver.constant(receiver.id)
                receiver = value if isinstance(value, (ast.Call, ast.BinOp)) else receiver
            if self._is_path_expr(receiver):
                mode = ctx.arg(node, 0, "mode") if func.attr == "open" else None  # type: ignore[attr-defined]
                self._open(node, "Path." + func.attr, receiver, mode)  # type: ignore[attr-defined]

    def _is_path_expr(self, expr: ast.AST) -> bool:
        while isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            expr = expr.left
        if isinstance(expr, ast.Name):
            value = self.ctx.resolver.constant(expr.id)
            if isinstance(value, ast.Call):
                expr = value
        return isinstance(expr, ast.Call) and self.ctx.call_name(expr) in PATH_CLASSES

    def _reader(self, node: ast.Call, qual: str, reader) -> None:  # type: ignore[no-untyped-def]
        ctx = self.ctx
        label = dotted(node.func) or qual
        if reader.extra == "data_files":
            builder = ctx.literal_str(ctx.arg(node, 0, "path"))
            if builder is None or builder.lower() not in PACKAGED_BUILDERS:
                return
            for kw in reader.kws:
                for loc in self._locations(ctx.kwarg(node, kw)):
                    self._reads.append((node, label, loc))
            return
        expr = ctx.arg(node, reader.pos, None)
        if expr is None:
            for kw in reader.kws:
                expr = ctx.kwarg(node, kw)
                if expr is not None:
                    break
        many = isinstance(expr, (ast.List, ast.Tuple))
        for loc in self._locations(expr) if many else [self._location(expr)]:
            if loc is not None:
                self._reads.append((node, label, loc))

    def _open(self, node: ast.Call, label: str, target: Optional[ast.AST], mode: Optional[ast.AST]) -> None:
        ctx = self.ctx
        if mode is not None:
            text = ctx.literal_str(mode)
            if text is None:
                return  # a mode decided at run time
            if any(c in text for c in "wax"):
                written = self._location(target)
                if written is not None:
                    self._written.add(os.path.normpath(written))
                return
            if "+" in text:
                return
        loc = self._location(target)
        if loc is None or not _is_data_file(loc):
            return
        self._opens.append((node, dotted(node.func) or label, loc))

    # -------------------------------------------------------------- judging
    def _why(self, location: str) -> Optional[Tuple[str, str]]:
        """(reason, fix) when ``location`` is not version-pinned, else None."""
        loc = location.strip()
        if not loc or loc == "-":
            return None
        scheme = remote_scheme(loc)
        if scheme is not None:
            if remote_is_pinned(loc):
                return None
            return "from a mutable remote location with no version pin", _REMOTE_FIX
        if "://" in loc:
            if not loc.lower().startswith("file://"):
                return None  # memory://, a database URI…: not a file we can judge
            loc = loc[7:]
        if loc.startswith(UNJUDGED_PREFIXES) or os.path.normpath(loc) in self._written:
            return None
        if loc.startswith("~"):
            return "with no data version (outside the repository)", _LOCAL_FIX
        if self._script_dir is None:
            self._script_dir = _script_dir(self.ctx.filename)
        script_dir = self._script_dir
        if os.path.isabs(loc):
            candidates = [os.path.normpath(loc)]
        else:
            candidates = [os.path.normpath(os.path.join(script_dir, loc))]
            root = repo_markers.repo_root(script_dir)
            if root is not None and root != script_dir:
                candidates.append(os.path.normpath(os.path.join(root, loc)))
        existing = [p for p in candidates if _exists(p)]
        for path in existing or candidates:
            if repo_markers.is_versioned(path, script_dir):
                return None
        return "with no data version (no DVC or git-lfs marker covers it)", _LOCAL_FIX

    def finish(self) -> None:
        if self._test_module:
            return
        pending = list(self._reads)
        if self._opens and self.ctx.facts.trains:
            pending.extend(self._opens)
        done = set()
        for node, label, loc in pending:
            if id(node) in done:
                continue
            got = self._why(loc)
            if got is None:
                continue
            done.add(id(node))
            why, fix = got
            self.report(node, api=label, location=_shown(loc), why=why, fix=fix)
