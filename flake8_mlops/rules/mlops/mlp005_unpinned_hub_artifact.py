"""MLP005 unpinned-hub-artifact."""

from __future__ import annotations

import ast
import os
from typing import Dict, List, Optional, Set, Tuple

from ... import lazy_re
from ...apis.hub import (
    FROM_PRETRAINED_ID,
    FROM_PRETRAINED_LIBRARIES,
    FROM_PRETRAINED_METHODS,
    HUB_LOADERS,
    LOCAL_DIR_KEYWORDS,
    LOCAL_DIR_METHODS,
    OUTPUT_DIR_FIRST_ARG,
    PACKAGED_DATASET_BUILDERS,
    PEFT_ADAPTER_CLASSES,
    PEFT_ADAPTER_ID,
    TRANSFORMERS_AUTO_CLASSES,
    HubLoader,
    is_commit_sha,
    local_reason,
)
from ...registry import Rule, register
from .mlp004_trusted_remote_code import dotted

_MISSING = object()

#: (folder, id) -> whether it exists on disk; shared across files of one run
_PATH_CACHE: Dict[Tuple[str, str], bool] = {}
_PATH_CACHE_MAX = 4096

_HUB_FIX = 'pass revision="<commit sha>"'


def _exists_nearby(filename: str, value: str) -> bool:
    """True when ``value`` names a file or folder next to the linted file or in the cwd."""
    folder = os.path.dirname(os.path.abspath(filename)) if filename not in ("", "-", "stdin") else ""
    key = (folder, value)
    hit = _PATH_CACHE.get(key)
    if hit is None:
        try:
            hit = os.path.exists(value) or bool(folder and os.path.exists(os.path.join(folder, value)))
        except (OSError, ValueError):
            hit = False
        if len(_PATH_CACHE) >= _PATH_CACHE_MAX:
            _PATH_CACHE.clear()
        _PATH_CACHE[key] = hit
    return hit


def _norm(path: str) -> str:
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/")


#: a timm architecture name, optionally with a pretrained tag or a timm/ owner
_TIMM_NAME = lazy_re.compile(r"(?:timm/)?[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)?")


def _loader_of(qual: str) -> Optional[Tuple[str, HubLoader]]:
    """(qualified name, loader) when calling ``qual`` fetches a hub artifact."""
    entry = HUB_LOADERS.get(qual)
    if entry is not None:
        return qual, entry
    head, _, method = qual.rpartition(".")
    if method in FROM_PRETRAINED_METHODS and head:
        bare = FROM_PRETRAINED_LIBRARIES.get(head.split(".", 1)[0])
        if bare is None:
            return None
        if head.startswith(PEFT_ADAPTER_CLASSES):
            return qual, PEFT_ADAPTER_ID
        return qual, FROM_PRETRAINED_ID._replace(bare=bare)
    return None


#: qualified name -> _loader_of(it), shared across files (names repeat)
_LOADERS: Dict[str, Optional[Tuple[str, HubLoader]]] = {}

#: Every component of a resolved qualified name is spelled in the source (imports and
#: attribute chains; ``names.canonical`` renames no hub module, and the conventional
#: ``np``/``pd``/``tf`` name no hub module either), so a file without one
#: of these words calls no loader and the rule cannot fire: ``hub`` (huggingface_hub.*,
#: torch.hub.load), ``transformers`` (also sentence_transformers), ``from_pretrained``,
#: ``load_dataset``, ``vllm``, ``timm``.
_TRIGGERS = ("hub", "from_pretrained", "load_dataset", "transformers", "vllm", "timm")


def _triggers_cover_loaders() -> bool:
    """Each loader has a trigger inside one of its name's components."""
    names = [*HUB_LOADERS, *("x." + m for m in FROM_PRETRAINED_METHODS)]
    return all(
        any(t in part for t in _TRIGGERS for part in name.split(".")) for name in names
    )


@register
class UnpinnedHubArtifact(Rule):
    """## What it does
    Flags a model, dataset or file fetched by name from the Hugging Face Hub (or GitHub
    through `torch.hub`) without an immutable pin:

    - `<Class>.from_pretrained("id")` on a class of `transformers`, `diffusers`, `peft`,
      `sentence_transformers`, `tokenizers`, `optimum`, `trl`, `setfit`, `unsloth`,
      `auto_gptq`, `awq`, `gliner`, `span_marker` (for `peft.PeftModel*` the adapter id
      is the 2nd argument);
    - `huggingface_hub.hf_hub_download`, `snapshot_download`, `hf_hub_url`,
      `from_pretrained_keras`;
    - `datasets.load_dataset` / `load_dataset_builder`;
    - `transformers.pipeline(task, "id")` / `pipeline(model="id")`;
    - `sentence_transformers.SentenceTransformer`, `CrossEncoder`, `SparseEncoder`;
      `vllm.LLM(model="id")`;
    - `torch.hub.load("owner/repo", ...)` (the pin is `owner/repo:<commit sha>`);
    - `timm.create_model("hf-hub:owner/name", pretrained=True)` (the pin is
      `hf-hub:owner/name@<commit sha>`).

    It fires when the id is a literal (or a name bound once to a literal) that looks
    like a hub id, `name` or `owner/name`, and `revision=` is absent, `None`, or not a
    7–40 character hexadecimal commit SHA (`"main"`, `"v1.0"`, `"refs/pr/1"` move).
    The finding is on the call's first line.

    ## Why is this bad?
    A branch or tag on the Hub is a moving pointer: the owner (or anyone who takes over
    the account) can push new weights, a new tokenizer or new loading code under the
    same name, and the next run, build or container start silently uses them. Results
    stop being reproducible, a model in production changes without review, and a
    poisoned upload reaches you automatically. Virmani & Kuppam name unreproducible
    environments and artifacts (seed 000, §2) and unversioned data (seed 000, §7) as
    MLOps antipatterns; a commit SHA is the version of a hub artifact.

    ## Example
    ```python
    from transformers import AutoModel, AutoTokenizer

    MODEL_ID = "bert-base-uncased"
    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
    model = AutoModel.from_pretrained(MODEL_ID, revision="main")
    ```

    ## Use instead
    ```python
    from transformers import AutoModel, AutoTokenizer

    MODEL_ID = "bert-base-uncased"
    MODEL_REV = "86b5e0934494bd15c9632b12f734a8a67f723594"
    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID, revision=MODEL_REV)
    model = AutoModel.from_pretrained(MODEL_ID, revision=MODEL_REV)
    model.save_pretrained("outputs/bert")
    reloaded = AutoModel.from_pretrained("outputs/bert")
    ```

    ## Options
    None.

    ## Known limitations
    - **Non-literal ids and revisions get the benefit of the doubt**: `from_pretrained(
      args.model)`, `cfg.model_name`, `os.environ[...]`, f-strings, function parameters,
      `revision=args.rev`, and a `**kwargs` that may carry `revision` (a literal
      `**{"revision": "main"}` is read). A module-level `REV = "main"` is resolved and
      still fires. `torch.hub.load(..., source=src)` with a non-literal source is skipped.
    - **Local paths are not hub ids.** Not reported: paths starting with `./`, `../`,
      `/`, `~`, a drive letter or containing `\\`; URLs; names ending in a file
      extension (`model.pt`, `train.json`); more than one `/`; `owner/name` whose owner
      is a typical local folder (`data/`, `models/`, `outputs/`, `checkpoints/`,
      `results/`, …) or whose name is a trainer checkpoint (`out/checkpoint-500`);
      a literal that exists as a file or folder next to the linted file or in the
      working directory; a literal the same module writes to
      (`save_pretrained("x")`, `save_model("x")`, `save_to_disk("x")`,
      `output_dir="x"`, `local_dir="x"`, `os.makedirs("x")`, …).
    - **Bare words are ambiguous** (`gpt2` is a hub id, `out` a folder). For
      `transformers`-style loaders, `pipeline` and `vllm.LLM` only Hugging Face's legacy
      canonical model names (`gpt2`, `bert-base-uncased`, `t5-small`, `roberta-large`,
      `xlm-roberta-base`, …) count; for `diffusers`, `peft`, `torch.hub` and the others
      an `owner/` is required; `load_dataset`, `SentenceTransformer`/`CrossEncoder`
      and `huggingface_hub` downloads count every bare word (`imdb`,
      `all-MiniLM-L6-v2`) that does not look like a local folder (`model`, `output`,
      `my_model`, `best_ckpt`, …).
    - `load_dataset` with a packaged builder (`csv`, `json`, `parquet`, `text`, `arrow`,
      `pandas`, `imagefolder`, `audiofolder`, `webdataset`, `sql`, `generator`, …)
      reads your own files and is not reported.
    - `local_files_only=True` fetches nothing and is not reported: pin where the cache
      is filled.
    - `timm.create_model` is reported only with a literal `pretrained=True`: for an
      `hf-hub:` id without `@<commit sha>`, and for a plain architecture name
      (`"resnet50"`, `"vit_base_patch16_224.augreg_in21k"`), whose weights timm fetches
      from the Hub's `timm/` repos unpinned; `pretrained_cfg_overlay=` (your own weights
      file) is not reported. `open_clip`, `evaluate.load`,
      `spacy.load`, `tensorflow_hub` and `torch.hub.load_state_dict_from_url` are not
      covered.
    - `from_pretrained` on a user subclass or on a class held in a variable
      (`cls = AutoModel; cls.from_pretrained(...)`) is not resolved. Unbound `Auto*`
      names (a notebook cell linted alone, `from transformers import *`) are read as
      `transformers` classes.

    ## References
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §2 Disconnected Development and Operations, §7 Lack of Data Versioning.
    - Hugging Face docs, "Download files from the Hub" (`revision`):
      https://huggingface.co/docs/huggingface_hub/guides/download
    - PyTorch docs, [torch.hub.load](https://pytorch.org/docs/stable/hub.html#torch.hub.load).
    - Bandit [B615](https://bandit.readthedocs.io/en/latest/plugins/b615_huggingface_unsafe_download.html)
      (huggingface_unsafe_download; unlike B615 this rule trusts non-literal revisions,
      PyCQA/bandit#1345, and skips non-literal and local ids); CWE-494.
    """

    code = "MLP005"
    # no gating (slower, never wrong) if apis/hub.py gains a loader the words miss
    triggers = _TRIGGERS if _triggers_cover_loaders() else ()
    name = "unpinned-hub-artifact"
    message = "'{id}' loaded with {func}() {how}; the {host} repo can change under you: {fix}"
    confidence = "high"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        #: literals this module writes to (output folders): never hub ids
        self._written: Set[str] = set()
        #: (node, id, fields) waiting for finish(): a later save_pretrained("x") clears "x"
        self._pending: List[Tuple[ast.Call, str, Dict[str, str]]] = []

    # ---------------------------------------------------------------- lookup
    def _loader(self, node: ast.Call, qual: Optional[str]) -> Optional[Tuple[str, HubLoader]]:
        if qual is not None:
            found = _LOADERS.get(qual, _MISSING)
            if found is _MISSING:
                if len(_LOADERS) > 50_000:
                    _LOADERS.clear()
                found = _LOADERS[qual] = _loader_of(qual)
            return found  # type: ignore[return-value]
        # an unbound transformers Auto* class (cell linted alone, star import)
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in FROM_PRETRAINED_METHODS
            and isinstance(func.value, ast.Name)
            and func.value.id in TRANSFORMERS_AUTO_CLASSES
            and self.ctx.resolver.binding(func.value.id) is None
        ):
            return _loader_of("transformers." + func.value.id + "." + func.attr)
        return None

    def _id_expr(self, node: ast.Call, entry: HubLoader) -> Optional[ast.expr]:
        for name in entry.id_kws:
            kw = self.ctx.keyword(node, name)
            if kw is not None:
                return kw.value
        if entry.id_pos is None:
            return None
        return self.ctx.arg(node, entry.id_pos)

    def _is_hub_id(self, value: str, bare: str) -> bool:
        if local_reason(value, bare) is not None:
            return False
        return not _exists_nearby(self.ctx.filename, value)

    # ------------------------------------------------------------- pinning
    def _revision_expr(self, node: ast.Call) -> object:
        """The ``revision`` value node, None when absent, or _MISSING when a ``**`` we
        cannot read might hold it."""
        found: object = None
        unknown = False
        for kw in node.keywords:
            if kw.arg == "revision":
                found = kw.value
            elif kw.arg is None:
                value = kw.value
                if isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) for k in value.keys):
                    for k, v in zip(value.keys, value.values):
                        if k.value == "revision":  # type: ignore[union-attr]
                            found = v
                else:
                    unknown = True
        if found is None and unknown:
            return _MISSING
        return found

    def _revision_state(self, node: ast.Call) -> Optional[str]:
        """None when pinned (or given the benefit of the doubt), else the 'how' text."""
        expr = self._revision_expr(node)
        if expr is _MISSING:
            return None  # **kwargs may carry revision
        if expr is None:
            return "without a pinned revision"
        value = self.ctx.literal(expr, _MISSING)  # type: ignore[arg-type]
        if value is _MISSING:
            return None  # a non-literal revision: benefit of the doubt
        if isinstance(value, str) and is_commit_sha(value):
            return None
        if value is None:
            return "with revision=None (the default branch)"
        return f"at the movable revision {value!r}"

    # ------------------------------------------------------------ handlers
    def _note_written(self, node: ast.Call, qual: Optional[str]) -> None:
        ctx = self.ctx
        for kw in node.keywords:
            if kw.arg in LOCAL_DIR_KEYWORDS:
                value = ctx.literal_str(kw.value)
                if value:
                    self._written.add(_norm(value))
        func = node.func
        if node.args and qual and qual.rpartition(".")[2] in OUTPUT_DIR_FIRST_ARG:
            value = ctx.literal_str(node.args[0])
            if value:
                self._written.add(_norm(value))
        if func.__class__ is ast.Attribute and func.attr in LOCAL_DIR_METHODS:  # type: ignore[attr-defined]
            target: Optional[ast.expr] = node.args[0] if node.args else None
            if target is None and func.attr == "mkdir" and isinstance(func.value, ast.Call):  # type: ignore[attr-defined]
                inner = func.value  # type: ignore[attr-defined]
                target = inner.args[0] if inner.args else None
            value = ctx.literal_str(target)
            if value:
                self._written.add(_norm(value))

    def visit_Call(self, node: ast.Call) -> None:
        qual = self.ctx.call_name(node)
        self._note_written(node, qual)
        found = self._loader(node, qual)
        if found is None:
            return
        qual, entry = found
        ctx = self.ctx
        if ctx.is_true(ctx.kwarg(node, "local_files_only")):
            return
        expr = self._id_expr(node, entry)
        value = ctx.literal_str(expr)
        if value is None:
            return
        label = dotted(node.func) or qual
        fields = {"func": label, "host": "Hub", "fix": _HUB_FIX}

        if entry.pin == "torch_hub":
            source = ctx.kwarg(node, "source")
            if source is not None and ctx.literal_str(source) != "github":
                return  # "local", or decided at run time
            repo, _, ref = value.partition(":")
            if not self._is_hub_id(repo, entry.bare) or "/" not in repo:
                return
            if ref and is_commit_sha(ref):
                return
            how = f"at the movable ref {ref!r}" if ref else "without a pinned commit"
            fields.update(host="GitHub", how=how, fix="pass 'owner/repo:<commit sha>'")
        elif entry.pin == "timm":
            if not ctx.is_true(ctx.arg(node, 1, "pretrained")):
                return
            if ctx.keyword(node, "pretrained_cfg_overlay") is not None:
                return
            prefix = value[:7].lower()
            if prefix not in ("hf-hub:", "hf_hub:"):
                # a timm architecture name: its pretrained weights come from the Hub's
                # timm/<name> repos at whatever revision is current
                if not _TIMM_NAME.fullmatch(value):
                    return
                fields.update(
                    how="with pretrained=True (weights fetched from the Hub, unpinned)",
                    fix="create it from an 'hf-hub:timm/<repo>@<commit sha>' id",
                )
                self._pending.append((node, value, fields))
                return
            repo, _, rev = value[7:].partition("@")
            if not self._is_hub_id(repo, entry.bare):
                return
            if rev and is_commit_sha(rev):
                return
            how = f"at the movable revision {rev!r}" if rev else "without a pinned revision"
            fields.update(how=how, fix="append '@<commit sha>' to the hf-hub: id")
        else:
            if entry.extra == "datasets" and value.lower() in PACKAGED_DATASET_BUILDERS:
                return
            if not self._is_hub_id(value, entry.bare):
                return
            how = self._revision_state(node)
            if how is None:
                return
            fields["how"] = how
        self._pending.append((node, value, fields))

    def finish(self) -> None:
        written = self._written
        for node, value, fields in self._pending:
            repo = value
            if value[:7].lower() in ("hf-hub:", "hf_hub:"):
                repo = value[7:].split("@", 1)[0]
            repo = _norm(repo)
            if repo in written or any(repo.startswith(w + "/") for w in written):
                continue
            shown = value if len(value) <= 80 else value[:77] + "..."
            self.report(node, id=shown, **fields)
