"""Dataset readers and data locations (MLP006 unversioned-data-read).

``DATA_READERS`` maps the qualified name of a reader to where its location argument is.
:func:`remote_pin_state` decides whether a remote URL names an immutable version.
Qualified names are canonical (see ``flake8_mlops.names.canonical``).
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, NamedTuple, Optional, Tuple

from .. import lazy_re


class Reader(NamedTuple):
    #: positional index of the location
    pos: int
    #: keywords that can carry the location
    kws: Tuple[str, ...]
    #: "" | "data_files" (``load_dataset(builder, data_files=...)``: only packaged builders)
    extra: str = ""


_PD = ("filepath_or_buffer", "path", "path_or_buf", "io", "path_or_buffer")

_PANDAS_READERS = (
    "read_csv", "read_table", "read_fwf", "read_parquet", "read_json", "read_excel",
    "read_feather", "read_orc", "read_hdf", "read_pickle", "read_stata", "read_sas",
    "read_spss", "read_xml",
)

DATA_READERS: Dict[str, Reader] = {}
for _mod in ("pandas", "modin.pandas", "dask.dataframe", "cudf", "pyspark.pandas"):
    for _fn in _PANDAS_READERS:
        DATA_READERS[f"{_mod}.{_fn}"] = Reader(0, _PD)
DATA_READERS.update(
    {
        # numpy
        "numpy.load": Reader(0, ("file",)),
        "numpy.loadtxt": Reader(0, ("fname",)),
        "numpy.genfromtxt": Reader(0, ("fname",)),
        "numpy.fromfile": Reader(0, ("file",)),
        # polars
        **{
            f"polars.{fn}": Reader(0, ("source",))
            for fn in (
                "read_csv", "read_parquet", "read_json", "read_ndjson", "read_ipc",
                "read_ipc_stream", "read_excel", "read_avro", "scan_csv", "scan_parquet",
                "scan_ndjson", "scan_ipc",
            )
        },
        # pyarrow
        "pyarrow.parquet.read_table": Reader(0, ("source",)),
        "pyarrow.parquet.ParquetFile": Reader(0, ("source",)),
        "pyarrow.parquet.ParquetDataset": Reader(0, ("path_or_paths",)),
        "pyarrow.csv.read_csv": Reader(0, ("input_file",)),
        "pyarrow.json.read_json": Reader(0, ("input_file",)),
        "pyarrow.feather.read_table": Reader(0, ("source",)),
        "pyarrow.feather.read_feather": Reader(0, ("source",)),
        "pyarrow.orc.read_table": Reader(0, ("source",)),
        "pyarrow.dataset.dataset": Reader(0, ("source",)),
        # Hugging Face datasets
        "datasets.load_from_disk": Reader(0, ("dataset_path",)),
        "datasets.Dataset.load_from_disk": Reader(0, ("dataset_path",)),
        "datasets.DatasetDict.load_from_disk": Reader(0, ("dataset_path",)),
        "datasets.Dataset.from_csv": Reader(0, ("path_or_paths",)),
        "datasets.Dataset.from_json": Reader(0, ("path_or_paths",)),
        "datasets.Dataset.from_parquet": Reader(0, ("path_or_paths",)),
        "datasets.load_dataset": Reader(-1, ("data_files", "data_dir"), extra="data_files"),
    }
)

#: ``load_dataset`` builders whose ``data_files``/``data_dir`` are local or remote files
PACKAGED_BUILDERS: FrozenSet[str] = frozenset(
    {"csv", "json", "parquet", "text", "arrow", "pandas", "imagefolder", "audiofolder", "webdataset", "xml"}
)

#: file extensions of datasets read with ``open()`` (compression suffixes are stripped)
DATA_EXTENSIONS: FrozenSet[str] = frozenset(
    {
        "csv", "tsv", "psv", "jsonl", "ndjson", "json", "txt", "parquet", "pq", "feather",
        "arrow", "ipc", "orc", "avro", "npy", "npz", "xlsx", "xls", "h5", "hdf5", "tfrecord",
        "tfrecords", "libsvm", "svmlight", "conll", "xml",
    }
)
#: extensions that are data only when the file name does not look like configuration
AMBIGUOUS_EXTENSIONS: FrozenSet[str] = frozenset({"json", "txt", "xml"})
COMPRESSION_SUFFIXES: FrozenSet[str] = frozenset({"gz", "bz2", "xz", "zst", "zip"})
#: words in a ``.json``/``.txt`` file name that mark configuration, metadata or docs
CONFIG_NAME_WORDS: Tuple[str, ...] = (
    "config", "cfg", "conf", "setting", "param", "hparam", "hyper", "option", "arg",
    "label", "class", "vocab", "token", "merges", "special", "mapping", "map", "schema",
    "meta", "manifest", "requirement", "readme", "license", "version", "secret",
    "credential", "key", "index", "stopword", "prompt", "template", "spec", "env",
    "package", "lock", "log", "result", "metric", "score", "report", "summary", "info",
    "stat",
)

#: open-like calls judged in modules that train: qualified name -> (location pos, mode pos)
OPEN_CALLS: Dict[str, Tuple[int, int]] = {
    "open": (0, 1),
    "io.open": (0, 1),
    "codecs.open": (0, 1),
    "gzip.open": (0, 1),
    "bz2.open": (0, 1),
    "lzma.open": (0, 1),
}
#: ``Path(<literal>).<method>()`` reads judged in modules that train
PATH_READ_METHODS: FrozenSet[str] = frozenset({"open", "read_text", "read_bytes"})
PATH_CLASSES: FrozenSet[str] = frozenset(
    {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath"}
)
#: the fix: versioned reads through DVC
DVC_READERS: FrozenSet[str] = frozenset({"dvc.api.open", "dvc.api.read", "dvc.api.get_url"})

REMOTE_SCHEMES: FrozenSet[str] = frozenset(
    {"http", "https", "s3", "s3a", "s3n", "gs", "gcs", "az", "abfs", "abfss", "adl", "wasb",
     "wasbs", "hf", "ftp", "sftp", "hdfs", "oss", "r2"}
)
_SCHEME = lazy_re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_MOVING = frozenset({"main", "master", "latest", "head", "dev",
                    "develop", "current", "stable", "nightly", "trunk"})
_VERSION_QUERY = lazy_re.compile(
    r"(?:^|[?&])(?:versionId|version_id|version|generation|snapshot|rev|revision|sha)=([^&#]+)", re.I)
_SEGMENT_VERSION = lazy_re.compile(
    r"^(?:v\d+(?:[._-]\d+)*|\d+\.\d+(?:\.\d+)*|\d{4}-\d{2}-\d{2}|\d{8}|version[=_-]?\d+(?:\.\d+)*)$",
    re.I,
)
_HEX = lazy_re.compile(r"^[0-9a-f]{7,64}$", re.I)


def _is_commit(seg: str) -> bool:
    if not _HEX.match(seg):
        return False
    if len(seg) == 40 or len(seg) == 64:
        return True
    return any(c.isdigit() for c in seg) and any(c.isalpha() for c in seg)


def remote_scheme(location: str) -> Optional[str]:
    """The URL scheme when ``location`` is a remote URL we judge, else None."""
    m = _SCHEME.match(location.strip())
    if m is None:
        return None
    scheme = m.group(1).lower()
    if "::" in scheme:
        scheme = scheme.rsplit("::", 1)[-1]
    return scheme if scheme in REMOTE_SCHEMES else None


def remote_is_pinned(url: str) -> bool:
    """True when a remote URL names an immutable version: a commit hash segment or
    ``@<sha>``, a version segment (``/v3/``, ``/1.2.0/``, ``/2024-01-31/``) or a version
    query (``?versionId=``, ``?generation=``, ``?version=`` with a value that does not
    move). ``main``, ``master`` and ``latest`` never pin."""
    body = url.strip().split("://", 1)[-1]
    path, _, query = body.partition("?")
    query = query.split("#", 1)[0]
    for m in _VERSION_QUERY.finditer(query):
        if m.group(1).lower() not in _MOVING:
            return True
    segments = [s for s in path.split("/")[1:] if s]  # skip the host / bucket
    for seg in segments[:-1] if len(segments) > 1 else []:
        if seg.lower() in _MOVING:
            continue
        if _SEGMENT_VERSION.match(seg) or _is_commit(seg):
            return True
    for seg in segments:
        if "@" in seg:
            ref = seg.rsplit("@", 1)[1]
            if ref.lower() not in _MOVING and (_is_commit(ref) or _SEGMENT_VERSION.match(ref)):
                return True
    return False


#: device and process pseudo-files, and SageMaker's model package (files deployed with
#: the model, versioned with it): never judged. ``/tmp`` and ``/opt/ml/input`` are.
UNJUDGED_PREFIXES: Tuple[str, ...] = ("/dev/", "/proc/", "/opt/ml/model/", "/opt/ml/code/")

#: methods / functions that write a file at their location argument: (name, position)
WRITER_METHODS: Dict[str, int] = {
    "to_csv": 0, "to_parquet": 0, "to_json": 0, "to_feather": 0, "to_pickle": 0,
    "to_excel": 0, "to_hdf": 0, "to_orc": 0, "to_xml": 0, "to_stata": 0,
    "write_csv": 0, "write_parquet": 0, "write_ndjson": 0, "write_json": 0, "write_ipc": 0,
    "save_to_disk": 0,
}
WRITER_FUNCTIONS: Dict[str, int] = {
    "numpy.save": 0, "numpy.savez": 0, "numpy.savez_compressed": 0, "numpy.savetxt": 0,
    "pyarrow.parquet.write_table": 1, "pyarrow.feather.write_feather": 1,
    "pyarrow.csv.write_csv": 1,
}
