"""Serialisation APIs: which loaders can execute code, and what makes a call safe.

Used by MLP003 (unsafe deserialisation) and by the rules that need to know "this call
loads or dumps a model" (MLP002, MLP014, MLP020, …). Qualified names are canonical
(see ``flake8_mlops.names.canonical``: ``cPickle`` is ``pickle``, ``tensorflow.keras``
is ``keras``, ``sklearn.externals.joblib`` is ``joblib``).
"""

from __future__ import annotations

from typing import Dict, NamedTuple


class Loader(NamedTuple):
    #: how the call is made safe: "never" (always unsafe), "kw_true" (fires unless the
    #: keyword is literally True), "kw_true_fires" (fires only when the keyword is
    #: literally True), "kw_false_fires" (fires only when the keyword is literally False),
    #: "yaml_loader" (fires unless a safe Loader is given)
    condition: str
    keyword: str = ""
    fix: str = "load only files you produced and trust, or switch to a safe format"


_PICKLE_FIX = "load only files you produced, or use a format that stores no code (safetensors, ONNX, skops)"

#: qualified name -> how it is judged. Calls not listed here never fire MLP003.
UNSAFE_LOADERS: Dict[str, Loader] = {
    **{
        f"{mod}.{fn}": Loader("never", fix=_PICKLE_FIX)
        for mod in ("pickle", "dill", "cloudpickle")
        for fn in ("load", "loads", "Unpickler")
    },
    "pickle._load": Loader("never", fix=_PICKLE_FIX),
    "pickle._loads": Loader("never", fix=_PICKLE_FIX),
    "dill.load_session": Loader("never", fix=_PICKLE_FIX),
    "dill.load_module": Loader("never", fix=_PICKLE_FIX),
    "jsonpickle.decode": Loader("never", fix="use plain json for data you did not write yourself"),
    "jsonpickle.loads": Loader("never", fix="use plain json for data you did not write yourself"),
    "shelve.open": Loader("never", fix="shelve files are pickles; use sqlite3 or json for shared data"),
    "shelve.DbfilenameShelf": Loader("never", fix="shelve files are pickles; use sqlite3 or json for shared data"),
    "joblib.load": Loader("never", fix="load only trusted files, or persist models with skops or ONNX"),
    "joblib.numpy_pickle.load": Loader("never", fix="load only trusted files, or persist models with skops or ONNX"),
    "pandas.read_pickle": Loader("never", fix="store data as Parquet or CSV and read it with read_parquet/read_csv"),
    "pandas.io.pickle.read_pickle": Loader("never", fix="store data as Parquet or CSV and read it with read_parquet/read_csv"),
    "numpy.load": Loader("kw_true_fires", "allow_pickle", fix="drop allow_pickle=True and save object arrays in a safe format"),
    "torch.load": Loader("kw_true", "weights_only", fix="pass weights_only=True or use safetensors"),
    "torch.serialization.load": Loader("kw_true", "weights_only", fix="pass weights_only=True or use safetensors"),
    "keras.models.load_model": Loader("kw_false_fires", "safe_mode", fix="keep safe_mode=True (the default) and load only trusted files"),
    "keras.saving.load_model": Loader("kw_false_fires", "safe_mode", fix="keep safe_mode=True (the default) and load only trusted files"),
    "keras.saving.saving_api.load_model": Loader("kw_false_fires", "safe_mode", fix="keep safe_mode=True (the default) and load only trusted files"),
    "yaml.load": Loader("yaml_loader", "Loader", fix="use yaml.safe_load() or Loader=yaml.SafeLoader"),
    "yaml.load_all": Loader("yaml_loader", "Loader", fix="use yaml.safe_load_all() or Loader=yaml.SafeLoader"),
    "yaml.unsafe_load": Loader("never", fix="use yaml.safe_load()"),
    "yaml.unsafe_load_all": Loader("never", fix="use yaml.safe_load_all()"),
    "yaml.full_load": Loader("never", fix="use yaml.safe_load()"),
    "yaml.full_load_all": Loader("never", fix="use yaml.safe_load_all()"),
}

#: yaml Loader classes that cannot build arbitrary Python objects
SAFE_YAML_LOADERS = frozenset(
    {"yaml.SafeLoader", "yaml.CSafeLoader", "yaml.BaseLoader", "yaml.CBaseLoader"}
)
#: yaml Loader classes that can (named so the message is precise)
UNSAFE_YAML_LOADERS = frozenset(
    {
        "yaml.Loader",
        "yaml.CLoader",
        "yaml.UnsafeLoader",
        "yaml.CUnsafeLoader",
        "yaml.FullLoader",
        "yaml.CFullLoader",
    }
)
