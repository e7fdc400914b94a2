"""MLP010 manual-artifact-transfer."""

from __future__ import annotations

import ast
import shlex
from typing import Dict, List, Optional, Tuple

from ...apis.experiments import MODEL_EXTENSIONS, constant_path, is_model_file_text, mentions_model_file
from ...apis.experiments import OpenedFiles
from ...registry import Rule, register

#: local file operations: qualified name -> (source position, source keyword, check the
#: destination too)
_FILE_OPS = {
    "shutil.copy": (0, "src", True),
    "shutil.copy2": (0, "src", True),
    "shutil.copyfile": (0, "src", True),
    "shutil.copytree": (0, "src", True),
    "shutil.move": (0, "src", False),
    "os.rename": (0, "src", False),
    "os.replace": (0, "src", False),
    "os.renames": (0, "old", False),
    "distutils.file_util.copy_file": (0, "src", True),
}
#: cloud SDK upload methods: method -> [(position, keyword)] of the arguments naming the file
_UPLOAD_METHODS = {
    # boto3 client/Bucket/Object, minio
    "upload_file": [(0, "Filename"), (2, "Key")],
    "upload_fileobj": [(0, "Fileobj"), (2, "Key")],
    "put_object": [(None, "Key"), (None, "Body"), (1, "object_name"), (2, "data")],
    "fput_object": [(2, "file_path"), (1, "object_name")],
    # google-cloud-storage Blob
    "upload_from_filename": [(0, "filename")],
    "upload_from_file": [(0, "file_obj")],
    # azure-storage-blob
    "upload_blob": [(0, "data"), (None, "name")],
}
#: receivers of these libraries' upload methods are registries, not hand transfers
_REGISTRY_HEADS = ("huggingface_hub", "mlflow", "wandb", "clearml", "neptune", "sagemaker", "bentoml")
#: fsspec-style filesystems whose ``put`` uploads
_FILESYSTEMS = ("s3fs.", "gcsfs.", "fsspec.filesystem", "adlfs.", "fsspec.core.url_to_fs")
#: Airflow storage hooks: (hook, method) -> argument slots naming the file
_HOOK_METHODS = {
    ("S3Hook", "load_file"): [(0, "filename"), (1, "key")],
    ("S3Hook", "load_file_obj"): [(0, "file_obj"), (1, "key")],
    ("GCSHook", "upload"): [(2, "filename"), (1, "object_name")],
    ("WasbHook", "load_file"): [(0, "file_path"), (2, "blob_name")],
}
_SHELL_RUNNERS = frozenset(
    {
        "os.system", "os.popen", "subprocess.run", "subprocess.call", "subprocess.check_call",
        "subprocess.check_output", "subprocess.Popen", "subprocess.getoutput",
        "subprocess.getstatusoutput",
    }
)
#: command prefixes that copy files between machines or into buckets
_TRANSFER_COMMANDS: Tuple[Tuple[str, ...], ...] = (
    ("aws", "s3", "cp"), ("aws", "s3", "mv"), ("aws", "s3", "sync"),
    ("gsutil", "cp"), ("gsutil", "mv"), ("gsutil", "rsync"),
    ("gcloud", "storage", "cp"), ("gcloud", "storage", "mv"), ("gcloud", "storage", "rsync"),
    ("azcopy", "copy"), ("azcopy", "cp"), ("azcopy", "sync"),
    ("az", "storage", "blob", "upload"), ("az", "storage", "blob", "upload-batch"),
    ("scp",), ("rsync",), ("sftp",), ("rclone", "copy"), ("rclone", "sync"), ("cp",), ("mv",),
)


def _split_command(text: str) -> List[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


#: every method name that can be an upload (plain, hook or filesystem): a prefilter
_TRANSFER_METHOD_NAMES = frozenset(
    {*_UPLOAD_METHODS, *(m for _, m in _HOOK_METHODS), "put", "put_file", "upload"}
)
#: the attribute calls this rule looks at: uploads, and the last components of the file
#: operations and shell runners (an attribute call's qualified name ends with its
#: attribute); any other attribute call is rejected before its callee is resolved
_JUDGED_ATTRS = _TRANSFER_METHOD_NAMES | {q.rsplit(".", 1)[-1] for q in (*_FILE_OPS, *_SHELL_RUNNERS)}


@register
class ManualArtifactTransfer(OpenedFiles, Rule):
    """## What it does
    Flags code that copies, moves or uploads a **model artifact** by hand:
    - local file operations: `shutil.copy`/`copy2`/`copyfile`/`copytree`/`move`,
      `os.rename`/`os.replace`/`os.renames`;
    - Airflow storage hooks: `S3Hook.load_file`/`load_file_obj`, `GCSHook.upload`,
      `WasbHook.load_file`;
    - cloud SDK uploads: boto3 `upload_file`/`upload_fileobj`/`put_object` (client,
      `Bucket` or `Object`), minio `put_object`/`fput_object`, Google Cloud Storage
      `blob.upload_from_filename`/`upload_from_file`, Azure `upload_blob`, and `put`/
      `put_file`/`upload` of an `s3fs`/`gcsfs`/`adlfs`/`fsspec` filesystem;
    - shell commands run through `subprocess` (`run`, `call`, `check_call`,
      `check_output`, `Popen`) or `os.system`/`os.popen`: `aws s3 cp|mv|sync`,
      `gsutil cp|mv|rsync` (also `gsutil -m cp`), `gcloud storage cp`, `azcopy copy`,
      `az storage blob upload`, `scp`, `rsync`, `rclone copy`, and plain `cp`/`mv`
      (string or list commands, f-strings included);

    when the file moved is a model: a path whose text ends in a model extension (`.pkl
    .pickle .joblib .pt .pth .h5 .keras .onnx .safetensors .ckpt .bin .model .sav .skops
    .cbm .tflite .gguf …`) or contains `model` without a data/code extension
    (`models/`, `best_model`), or a variable/attribute named with `model`
    (`model_path`, `cfg.model_dir`), also inside `os.path.join(...)`, `Path(...) / ...`
    and f-strings. The source decides; for `shutil.copy*` a literal destination with a
    model extension does too (`shutil.copy(tmp, "deploy/model.pkl")`; copying a config
    *into* `model_dir` does not). Uploads through `huggingface_hub`,
    `mlflow`, `wandb`, `sagemaker` and other registry clients are not hand transfers.

    ## Why is this bad?
    Dropping a model file into a bucket, a shared folder or another server is how
    models "get manipulated by hand" (seed 002, #1) and how they reach production in the
    "ad-hoc deployment" antipattern (seed 000, §5: "manually copy the model to the
    production server over a file share"). Nothing records which run produced the file,
    which file is live, or how to roll back; the next copy silently replaces it.

    ## Example
    ```python
    import shutil

    import boto3

    shutil.copy("artifacts/model.pkl", "/mnt/share/prod/model.pkl")
    boto3.client("s3").upload_file("artifacts/model.pkl", "ml-models", "churn/model.pkl")
    ```

    ## Use instead
    ```python
    import mlflow

    mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
    client = mlflow.MlflowClient()
    client.set_registered_model_alias("churn", "champion", version)
    ```

    ## Options
    None.

    ## Known limitations
    - A path built at run time with no `model` in its parts (`shutil.copy(src, dst)` with
      `src` a parameter, `f"{out_dir}/{name}"`) gets the benefit of the doubt.
    - Copies of a model file inside one training run (the classic
      `shutil.copyfile(ckpt, "model_best.pth.tar")`) are reported: they are hand
      versioning too; silence with `# noqa: MLP010` when that is intended.
    - `!aws s3 cp model.pkl …` notebook shell lines are hidden from flake8 by nbqa and are
      not seen. Transfers through `paramiko`/`ftplib`, and `Path.rename`, are not
      recognised.
    - A name that only contains `model` by accident (`remodel_dir`) counts.

    ## References
    - Prathish, "7 MLOps 'Smells'" (seed 002), #1 you are directly manipulating model
      artifacts.
    - Virmani & Kuppam, "MLOps Antipatterns and Mitigation Approaches", IJCTT 72(2), 2024
      (seed 000), §5 Ad-hoc Model Deployment and Monitoring, §2 Disconnected Development
      and Operations.
    - MLflow docs, [Model Registry](https://mlflow.org/docs/latest/model-registry.html);
      SageMaker docs, [Model Registry](https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry.html).
    """

    code = "MLP010"
    added_in = "0.2.0"
    name = "manual-artifact-transfer"
    message = (
        "{api} moves model artifact {what} by hand, with no record of which run made it or "
        "which version is live; publish it through a model registry (mlflow.register_model, "
        "SageMaker/Vertex model registry, W&B artifacts)"
    )
    confidence = "medium"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        #: names bound by ``with open(path) as f``: name -> path expression
        self._opened: Dict[str, ast.AST] = {}

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        if type(func) is ast.Attribute and func.attr not in _JUDGED_ATTRS:
            return  # cheap exit: most calls are method calls of other names
        name = ctx.call_name(node)
        if name is not None:
            op = _FILE_OPS.get(name)
            if op is not None:
                position, keyword, check_dst = op
                what = mentions_model_file(ctx, ctx.arg(node, position, keyword))
                if what is None and check_dst:
                    # the destination decides only when it is itself a model file name
                    dst = constant_path(ctx, ctx.arg(node, 1, "dst"))
                    if dst is not None and dst.lower().rstrip("/").endswith(MODEL_EXTENSIONS):
                        what = repr(dst if len(dst) <= 48 else dst[:47] + "…")
                if what is not None:
                    self.report(node, api=name + "()", what=what)
                return
            if name in _SHELL_RUNNERS:
                self._shell(node, name)
                return
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        if method not in _TRANSFER_METHOD_NAMES:
            return  # cheap exit before judging the receiver: most calls are not uploads
        if name is not None and name.startswith(_REGISTRY_HEADS):
            return
        if self._registry_receiver(func.value):
            return
        slots = _UPLOAD_METHODS.get(method)
        hook = self._hook(func.value)
        if hook is not None:
            slots = _HOOK_METHODS.get((hook, method))
            if slots is None:
                return
        if slots is None:
            if method in ("put", "put_file", "upload") and self._filesystem_receiver(func.value):
                slots = [(0, "lpath")]
            else:
                return
        for position, keyword in slots:
            arg = ctx.arg(node, position if position is not None else -1, keyword)
            what = self._file_of(arg)
            if what is not None:
                self.report(node, api=method + "()", what=what)
                return
        if method in ("upload_from_filename", "upload_from_file", "upload_blob"):
            # the blob's own name: bucket.blob("models/model.pkl").upload_from_filename(p)
            what = self._blob_name(func.value)
            if what is not None:
                self.report(node, api=method + "()", what=what)

    def _file_of(self, arg: Optional[ast.AST]) -> Optional[str]:
        if arg is None:
            return None
        ctx = self.ctx
        if (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Name)
            and arg.func.id == "open"
            and arg.args
        ):
            return mentions_model_file(ctx, arg.args[0])
        if isinstance(arg, ast.Name) and arg.id in self._opened:
            return mentions_model_file(ctx, self._opened[arg.id])
        if (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Attribute)
            and arg.func.attr in ("read", "read_bytes")
        ):
            return self._file_of(arg.func.value)
        return mentions_model_file(ctx, arg)

    def _blob_name(self, receiver: ast.AST) -> Optional[str]:
        ctx = self.ctx
        call = receiver
        if isinstance(receiver, ast.Name):
            call = ctx.resolver.constant(receiver.id)  # type: ignore[assignment]
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in (
            "blob", "get_blob_client", "Object", "get_blob"
        ):
            arg = ctx.arg(call, 0, "blob") if call.func.attr == "get_blob_client" else ctx.arg(call, 0)
            if (
                call.func.attr == "get_blob_client"
                and ctx.keyword(call, "blob") is None
                and len(call.args) > 1
            ):
                arg = call.args[1]
            if call.func.attr == "Object" and len(call.args) > 1:
                arg = call.args[1]
            return mentions_model_file(ctx, arg)
        return None

    def _hook(self, receiver: ast.AST) -> Optional[str]:
        """"S3Hook"/"GCSHook"/"WasbHook" when the receiver is an Airflow storage hook."""
        call = receiver
        if isinstance(receiver, ast.Name):
            call = self.ctx.resolver.constant(receiver.id)  # type: ignore[assignment]
        if isinstance(call, ast.Call):
            qual = self.ctx.qualname(call.func) or ""
            if qual.startswith("airflow."):
                last = qual.rsplit(".", 1)[-1]
                if last in ("S3Hook", "GCSHook", "WasbHook"):
                    return last
        return None

    def _registry_receiver(self, receiver: ast.AST) -> bool:
        if isinstance(receiver, ast.Name):
            value = self.ctx.resolver.constant(receiver.id)
            if isinstance(value, ast.Call):
                qual = self.ctx.qualname(value.func) or ""
                return qual.startswith(_REGISTRY_HEADS)
        return False

    def _filesystem_receiver(self, receiver: ast.AST) -> bool:
        ctx = self.ctx
        call = receiver
        if isinstance(receiver, ast.Name):
            call = ctx.resolver.constant(receiver.id)  # type: ignore[assignment]
        if isinstance(call, ast.Call):
            qual = ctx.qualname(call.func) or ""
            return qual.startswith(_FILESYSTEMS)
        return False

    # ------------------------------------------------------------------ shell
    def _shell(self, node: ast.Call, runner: str) -> None:
        ctx = self.ctx
        cmd = ctx.arg(node, 0, "args") if not runner.startswith("os.") else ctx.arg(node, 0, "command")
        if cmd is None and runner.startswith("os."):
            cmd = ctx.arg(node, 0, "cmd")
        if cmd is None:
            return
        text = ctx.literal_str(cmd)
        if isinstance(cmd, ast.Name) and text is None:
            value = ctx.resolver.constant(cmd.id)
            if isinstance(value, (ast.List, ast.Tuple, ast.JoinedStr)):
                cmd = value
        words: List[Tuple[str, Optional[ast.AST]]] = []
        if text is not None:
            words = [(w, None) for w in _split_command(text)]
        elif isinstance(cmd, ast.JoinedStr):
            words = _fstring_words(cmd)
        elif isinstance(cmd, (ast.List, ast.Tuple)):
            for elt in cmd.elts:
                s = ctx.literal_str(elt)
                words.append((s, None) if s is not None else ("", elt))
        else:
            return
        start = _transfer_start([w for w, _ in words])
        if start is None:
            return
        verb, i = start
        while i < len(words):
            w, expr = words[i]
            if w.startswith("-"):
                i += 2 if w in _VALUE_OPTIONS else 1
                continue
            if w and is_model_file_text(w):
                what: Optional[str] = repr(w if len(w) <= 48 else w[:47] + "…")
            elif expr is not None:
                what = mentions_model_file(ctx, expr)
            else:
                what = None
            if what is not None:
                self.report(node, api=f"{runner}('{verb} …')", what=what)
            return  # only the first operand (the source) decides


_VALUE_OPTIONS = frozenset(
    {"-i", "-P", "-o", "-e", "-F", "-l", "-c", "-J", "--profile", "--region", "--endpoint-url",
     "--exclude", "--include", "--acl", "--storage-class", "--sse", "--content-type", "-h"}
)


def _fstring_words(cmd: ast.JoinedStr) -> List[Tuple[str, Optional[ast.AST]]]:
    """Shell words of an f-string: (literal text of the word, its first interpolation)."""
    words: List[Tuple[str, Optional[ast.AST]]] = []
    text, expr, open_word = "", None, False
    for v in cmd.values:
        if isinstance(v, ast.Constant) and isinstance(v.value, str):
            pieces = v.value.split(" ")
            for n, piece in enumerate(pieces):
                if n > 0 and open_word:
                    words.append((text, expr))
                    text, expr, open_word = "", None, False
                if piece:
                    text += piece
                    open_word = True
        elif isinstance(v, ast.FormattedValue):
            if expr is None:
                expr = v.value
            open_word = True
    if open_word:
        words.append((text, expr))
    return words


def _transfer_start(words: List[str]) -> Optional[Tuple[str, int]]:
    """(command label, index of its first operand) when the command transfers files."""
    # skip ``sudo``, env assignments and ``sh -c``-free prefixes
    i = 0
    while (
        i < len(words)
        and (words[i] in ("sudo", "nohup", "time") or ("=" in words[i] and not words[i].startswith("-")))
    ):
        i += 1
    rest = words[i:]
    if not rest:
        return None
    head = rest[0].rsplit("/", 1)[-1]
    for prefix in _TRANSFER_COMMANDS:
        if head != prefix[0]:
            continue
        j = 1
        k = 1
        ok = True
        while k < len(prefix):
            # options between words: ``gsutil -m cp``, ``aws --profile p s3 cp``
            while j < len(rest) and rest[j].startswith("-"):
                j += 1 if rest[j].startswith("--") and "=" in rest[j] or rest[j] in ("-m", "-q") else 2
            if j >= len(rest) or rest[j] != prefix[k]:
                ok = False
                break
            j += 1
            k += 1
        if ok:
            return " ".join(prefix), i + j
    return None
