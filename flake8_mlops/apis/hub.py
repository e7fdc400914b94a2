"""Model/dataset hub APIs: which calls fetch a named remote artifact, and how they pin it.

Used by MLP004 (trusted remote code) and MLP005 (unpinned hub artifact). Qualified names
are canonical (see ``flake8_mlops.names.canonical``).

A *hub id* is ``name`` or ``owner/name`` (Hugging Face Hub, GitHub for ``torch.hub``).
Whether a literal is a hub id or a local path is decided by
:func:`local_reason` below plus the rule's own file-system and "saved here" checks.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, NamedTuple, Optional, Tuple

from .. import lazy_re

#: the keyword that lets a loader execute Python files shipped in the repository
TRUST_REMOTE_CODE = "trust_remote_code"


class HubLoader(NamedTuple):
    #: positional index of the artifact id (None: keyword only)
    id_pos: Optional[int]
    #: keyword names that can carry the artifact id
    id_kws: Tuple[str, ...]
    #: how the call is pinned: "revision" (a ``revision=`` commit SHA), "torch_hub"
    #: (``owner/repo:<sha>``), "timm" (``hf-hub:owner/name@<sha>``)
    pin: str = "revision"
    #: which single-word ids (no ``owner/``) count as hub ids:
    #: "any" (every word that does not look like a local folder),
    #: "legacy" (only Hugging Face's pre-2023 canonical model names such as ``gpt2``,
    #: ``bert-base-uncased``; other bare words are ambiguous with a local folder),
    #: "none" (only ``owner/name``)
    bare: str = "any"
    #: extra condition: "" | "datasets" (packaged builders are not remote) |
    #: "pretrained" (only with ``pretrained=True``; timm ``hf-hub:`` ids only)
    extra: str = ""


_FP_KWS = ("pretrained_model_name_or_path", "model_name_or_path", "model_id", "model_name", "repo_id")

#: exact qualified names -> how they are judged
HUB_LOADERS: Dict[str, HubLoader] = {
    # huggingface_hub: the id is always a repo id, never a path
    "huggingface_hub.hf_hub_download": HubLoader(0, ("repo_id",)),
    "huggingface_hub.file_download.hf_hub_download": HubLoader(0, ("repo_id",)),
    "huggingface_hub.snapshot_download": HubLoader(0, ("repo_id",)),
    "huggingface_hub._snapshot_download.snapshot_download": HubLoader(0, ("repo_id",)),
    "huggingface_hub.hf_hub_url": HubLoader(0, ("repo_id",)),
    "huggingface_hub.from_pretrained_keras": HubLoader(0, _FP_KWS, bare="none"),
    "huggingface_hub.keras_mixin.from_pretrained_keras": HubLoader(0, _FP_KWS, bare="none"),
    # datasets
    "datasets.load_dataset": HubLoader(0, ("path",), extra="datasets"),
    "datasets.load.load_dataset": HubLoader(0, ("path",), extra="datasets"),
    "datasets.load_dataset_builder": HubLoader(0, ("path",), extra="datasets"),
    "datasets.load.load_dataset_builder": HubLoader(0, ("path",), extra="datasets"),
    # transformers pipeline(task, model, ...): the model is the 2nd argument
    "transformers.pipeline": HubLoader(1, ("model",), bare="legacy"),
    "transformers.pipelines.pipeline": HubLoader(1, ("model",), bare="legacy"),
    # sentence-transformers resolves bare names to the sentence-transformers/ org
    "sentence_transformers.SentenceTransformer": HubLoader(0, ("model_name_or_path",)),
    "sentence_transformers.SentenceTransformer.SentenceTransformer": HubLoader(0, ("model_name_or_path",)),
    "sentence_transformers.CrossEncoder": HubLoader(0, ("model_name_or_path", "model_name")),
    "sentence_transformers.cross_encoder.CrossEncoder": HubLoader(0, ("model_name_or_path", "model_name")),
    "sentence_transformers.SparseEncoder": HubLoader(0, ("model_name_or_path",)),
    # vLLM engine
    "vllm.LLM": HubLoader(0, ("model",), bare="legacy"),
    # torch.hub: GitHub "owner/repo[:ref]"; hubconf.py runs on load
    "torch.hub.load": HubLoader(0, ("repo_or_dir",), pin="torch_hub", bare="none"),
    # timm: only "hf-hub:"/"hf_hub:" ids fetch a named Hub repo
    "timm.create_model": HubLoader(0, ("model_name",), pin="timm", extra="pretrained"),
    "timm.models.create_model": HubLoader(0, ("model_name",), pin="timm", extra="pretrained"),
}

#: ``<Class>.from_pretrained`` on a class of these libraries fetches from the Hub
#: (root package -> which bare words count as hub ids)
FROM_PRETRAINED_LIBRARIES: Dict[str, str] = {
    "transformers": "legacy",
    "tokenizers": "legacy",
    "optimum": "legacy",
    "trl": "legacy",
    "unsloth": "legacy",
    "auto_gptq": "legacy",
    "awq": "legacy",
    "setfit": "legacy",
    "diffusers": "none",
    "peft": "none",
    "sentence_transformers": "any",
    "gliner": "none",
    "span_marker": "none",
    "huggingface_hub": "none",
}
FROM_PRETRAINED_METHODS = frozenset({"from_pretrained"})
FROM_PRETRAINED_ID = HubLoader(0, _FP_KWS)
#: ``PeftModel.from_pretrained(base_model, "owner/adapter")``: the adapter id is 2nd
PEFT_ADAPTER_ID = HubLoader(1, ("model_id",), bare="none")
PEFT_ADAPTER_CLASSES = ("peft.PeftModel", "peft.PeftMixedModel", "peft.peft_model.PeftModel")

#: transformers Auto* classes we read as transformers' when the name is not bound at all
#: (a notebook cell linted alone, or ``from transformers import *``)
TRANSFORMERS_AUTO_CLASSES: FrozenSet[str] = frozenset(
    {
        "AutoConfig",
        "AutoTokenizer",
        "AutoProcessor",
        "AutoImageProcessor",
        "AutoFeatureExtractor",
        "AutoModel",
        "AutoModelForCausalLM",
        "AutoModelForMaskedLM",
        "AutoModelForSeq2SeqLM",
        "AutoModelForSequenceClassification",
        "AutoModelForTokenClassification",
        "AutoModelForQuestionAnswering",
        "AutoModelForImageClassification",
        "AutoModelForSpeechSeq2Seq",
        "AutoModelForVision2Seq",
        "AutoModelForImageTextToText",
    }
)

#: load_dataset builders that ship with ``datasets`` and read local/explicit files
PACKAGED_DATASET_BUILDERS: FrozenSet[str] = frozenset(
    {
        "csv",
        "json",
        "parquet",
        "text",
        "arrow",
        "pandas",
        "imagefolder",
        "audiofolder",
        "videofolder",
        "pdffolder",
        "niftifolder",
        "webdataset",
        "sql",
        "generator",
        "xml",
        "spark",
        "hdf5",
        "cache",
        "folder_based_builder",
    }
)

#: Hugging Face's legacy canonical model names (no owner): ``gpt2``, ``bert-base-uncased``…
LEGACY_MODEL_RE = lazy_re.compile(
    r"^(?:gpt2(?:-medium|-large|-xl)?|distilgpt2|ctrl|openai-gpt|transfo-xl-wt103"
    r"|distilroberta-base|t5-(?:small|base|large|3b|11b)"
    r"|(?:bert|roberta|xlnet|distilbert|camembert|xlm-roberta)-(?:base|large)(?:-[A-Za-z0-9.-]+)?"
    r"|albert-(?:base|large|xlarge|xxlarge)-v[12]|xlm-(?:mlm|clm)-[A-Za-z0-9.-]+)$"
)

#: a hub id: ``name`` or ``owner/name`` (letters, digits, ``-``, ``_``, ``.``)
_HUB_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,95})"
HUB_ID_RE = lazy_re.compile(rf"^{_HUB_PART}(?:/{_HUB_PART})?$")

#: a commit SHA (short or full)
COMMIT_SHA_RE = lazy_re.compile(r"^[0-9a-fA-F]{7,40}$")

#: file extensions: an id ending in one is a file, not a repo
FILE_EXTENSIONS: FrozenSet[str] = frozenset(
    {
        "bin", "pt", "pth", "ckpt", "safetensors", "json", "jsonl", "yaml", "yml", "txt",
        "csv", "tsv", "parquet", "arrow", "py", "pkl", "pickle", "joblib", "h5", "hdf5",
        "keras", "onnx", "gguf", "ggml", "zip", "tar", "gz", "tgz", "npy", "npz", "model",
        "msgpack", "pb", "tflite", "xml", "sqlite", "db",
    }
)

#: first components of ``a/b`` that name a local folder, not a Hub owner
LOCAL_ROOTS: FrozenSet[str] = frozenset(
    {
        "data", "dataset", "datasets", "model", "models", "output", "outputs", "out",
        "checkpoint", "checkpoints", "ckpt", "ckpts", "result", "results", "artifact",
        "artifacts", "run", "runs", "log", "logs", "tmp", "temp", "cache", ".cache",
        "weights", "exp", "exps", "experiment", "experiments", "pretrained",
        "pretrained_models", "saved", "saved_model", "saved_models", "save", "export",
        "exports", "local", "assets", "resources", "src", "trained_models", "finetuned",
        "fine_tuned", "fine-tuned", "tmp_trainer", "mlruns", "work_dirs", "workdir",
        "content", "kaggle", "mnt", "home", "workspace", "input", "inputs",
    }
)

#: bare words that are local folders (exact, lower-case)
LOCAL_WORDS: FrozenSet[str] = LOCAL_ROOTS | frozenset(
    {"best", "final", "latest", "last", "adapter", "adapters", "lora", "merged", "tokenizer"}
)
#: bare-word prefixes and suffixes that mark a local folder (lower-case)
LOCAL_WORD_PREFIXES = (
    "checkpoint", "ckpt", "output", "out_", "out-", "saved", "save_", "my_", "my-",
    "local", "best", "final", "trained", "finetuned", "fine_tuned", "fine-tuned", "tmp",
    "temp", "results", "export", "model_", "model-", "models_", "run_", "run-",
)
LOCAL_WORD_SUFFIXES = (
    "_model", "-model", "_models", "_ckpt", "-ckpt", "_checkpoint", "-checkpoint",
    "_output", "-output", "_outputs", "_dir", "-dir", "_finetuned", "-finetuned",
    "_adapter", "-adapter", "_lora", "-lora", "_merged", "-merged", "_tokenizer",
)

#: calls whose keyword names an output/local folder: a literal given here is local
LOCAL_DIR_KEYWORDS: FrozenSet[str] = frozenset(
    {
        "output_dir", "save_directory", "local_dir", "save_dir", "save_path",
        "checkpoint_dir", "ckpt_dir", "model_dir", "logging_dir", "export_dir",
        "dataset_path", "dataset_dict_path",
    }
)
#: methods whose first argument is a folder the module writes to (receiver unknown)
LOCAL_DIR_METHODS: FrozenSet[str] = frozenset(
    {"save_pretrained", "save_model", "save_to_disk", "save", "makedirs", "mkdir"}
)
#: trainer argument classes whose first positional argument is the output folder
#: (matched on the last component of the resolved name)
OUTPUT_DIR_FIRST_ARG: FrozenSet[str] = frozenset(
    {
        "TrainingArguments", "Seq2SeqTrainingArguments", "TFTrainingArguments",
        "SFTConfig", "DPOConfig", "ORPOConfig", "KTOConfig", "CPOConfig", "GRPOConfig",
        "PPOConfig", "RewardConfig", "SentenceTransformerTrainingArguments",
        "SetFitTrainingArguments",
    }
)


def is_commit_sha(value: str) -> bool:
    return bool(COMMIT_SHA_RE.match(value))


def local_reason(value: str, bare: str) -> Optional[str]:
    """Why the literal ``value`` is *not* a hub id (a short reason), or None when it is one.

    ``bare`` is the loader's policy for single-word ids (see :class:`HubLoader`).
    File-system and "written by this module" checks are the rule's job.
    """
    v = value.strip()
    if not v or v != value:
        return "blank or padded"
    if v[0] in "./\\~$%{<":
        return "path"
    if len(v) >= 2 and v[1] == ":" and v[0].isalpha():
        return "drive path"
    if "://" in v or "\\" in v or "--" in v or ".." in v:
        return "path or URL"
    if not HUB_ID_RE.match(v):
        return "not an id"
    if v.endswith(".") or v.endswith("/"):
        return "not an id"
    parts = v.split("/")
    last = parts[-1]
    if "." in last and last.rsplit(".", 1)[1].lower() in FILE_EXTENSIONS:
        return "file name"
    if len(parts) == 2:
        owner, name = parts[0].lower(), last.lower()
        if owner in LOCAL_ROOTS:
            return "local folder"
        if name.startswith(("checkpoint-", "checkpoint_", "epoch", "step")):
            return "local checkpoint"
        return None
    word = v.lower()
    if bare == "none":
        return "bare word"
    if word in LOCAL_WORDS or word.startswith(LOCAL_WORD_PREFIXES) or word.endswith(LOCAL_WORD_SUFFIXES):
        return "local-looking word"
    if bare == "legacy" and not LEGACY_MODEL_RE.match(v):
        return "bare word"
    return None
