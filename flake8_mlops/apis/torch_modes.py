"""Data tables for the mode/determinism/memory smells (MLP114, MLP115, MLP116).

Keys are canonical qualified names as returned by ``Context.qualname`` (``tensorflow.keras``
is ``keras``, ``pytorch_lightning`` is ``lightning.pytorch``). Nothing here imports a library.
"""

from __future__ import annotations

from typing import FrozenSet

# ------------------------------------------------------------------ MLP114
#: context managers / decorators that switch autograd off (inference)
NO_GRAD: FrozenSet[str] = frozenset(
    {
        "torch.no_grad",
        "torch.autograd.no_grad",
        "torch.autograd.grad_mode.no_grad",
        "torch.inference_mode",
        "torch.autograd.inference_mode",
        "torch.autograd.grad_mode.inference_mode",
    }
)
#: ``torch.set_grad_enabled(False)`` counts only with a literal False
SET_GRAD_ENABLED: FrozenSet[str] = frozenset(
    {"torch.set_grad_enabled", "torch.autograd.set_grad_enabled", "torch.autograd.grad_mode.set_grad_enabled"}
)
#: library loaders/builders whose result is already in eval mode or is not an
#: ``nn.Module`` whose mode we can toggle (benefit of the doubt): HF ``from_pretrained``
#: sets eval mode, pipelines and SentenceTransformer.encode switch it themselves,
#: TorchScript/exported programs keep the mode they were saved in
EVAL_READY_HEADS: FrozenSet[str] = frozenset(
    {"transformers", "sentence_transformers", "peft", "diffusers", "setfit", "onnxruntime",
     "tensorrt", "openvino", "optimum", "vllm", "llama_cpp", "ctranslate2", "keras",
     "tensorflow", "sklearn", "joblib", "mlflow", "jax", "flax"}
)
EVAL_READY: FrozenSet[str] = frozenset(
    {
        "torch.jit.load", "torch.jit.script", "torch.jit.trace", "torch.jit.freeze",
        "torch.jit.optimize_for_inference", "torch.export.load", "torch.export.export",
        "torch._export.aot_load", "torch.package.PackageImporter",
    }
)
#: library calls that return a torch module in training mode (a new network)
TRAIN_MODE_BUILDERS: FrozenSet[str] = frozenset({"torch.load", "torch.hub.load", "copy.deepcopy"})
#: last words of names that hold a torch network (on top of ``models.is_model_name``)
TORCH_MODEL_WORDS: FrozenSet[str] = frozenset(
    {"network", "backbone", "encoder", "decoder", "teacher", "student", "generator",
     "discriminator", "critic", "actor", "unet", "vae", "transformer"}
)
#: model-name words that mean something else in torch code (HF pipelines, sklearn)
NOT_TORCH_MODEL_WORDS: FrozenSet[str] = frozenset(
    {"pipeline", "pipelines", "pipe", "estimator", "estimators", "booster", "regressor",
     "regressors", "clf", "clfs", "ensemble"}
)
#: Lightning hooks the Trainer runs in eval mode, and HF Trainer evaluation hooks
EVAL_HOOKS: FrozenSet[str] = frozenset(
    {"validation_step", "test_step", "predict_step", "validation_epoch_end", "test_epoch_end",
     "prediction_step", "evaluation_loop", "prediction_loop"}
)
EVAL_HOOK_PREFIXES = ("on_validation", "on_test", "on_predict", "on_evaluate")
#: base classes whose methods run under a framework that manages the mode
MANAGED_BASES: FrozenSet[str] = frozenset(
    {
        "torch.nn.Module", "torch.nn.modules.module.Module", "lightning.pytorch.LightningModule",
        "lightning.LightningModule", "lightning.pytorch.core.LightningModule",
        "lightning.pytorch.Callback", "lightning.Callback", "lightning.pytorch.callbacks.Callback",
        "transformers.Trainer", "transformers.Seq2SeqTrainer", "transformers.PreTrainedModel",
        "transformers.TrainerCallback", "trl.SFTTrainer",
    }
)

# ------------------------------------------------------------------ MLP115
#: calls that switch deterministic kernels on (first argument / mode must not be False)
DETERMINISM_CALLS: FrozenSet[str] = frozenset(
    {"torch.use_deterministic_algorithms", "torch.set_deterministic"}
)
#: ``torch.set_deterministic_debug_mode(mode)``: "warn"/"error"/1/2 enable it
DEBUG_MODE_CALLS: FrozenSet[str] = frozenset({"torch.set_deterministic_debug_mode"})
#: library helpers that enable deterministic algorithms when called
FULL_DETERMINISM: FrozenSet[str] = frozenset(
    {"transformers.enable_full_determinism", "transformers.trainer_utils.enable_full_determinism",
     "accelerate.utils.enable_full_determinism",
     "composer.utils.reproducibility.configure_deterministic_mode",
     "composer.utils.configure_deterministic_mode"}
)
#: the attribute whose assignment to True counts
CUDNN_DETERMINISTIC = "torch.backends.cudnn.deterministic"
#: keyword arguments that enable determinism on any call (Lightning ``Trainer``,
#: HF/Accelerate ``set_seed(..., deterministic=True)``, ``TrainingArguments``)
DETERMINISM_KEYWORDS: FrozenSet[str] = frozenset({"deterministic", "full_determinism", "deterministic_mode"})
#: classes whose ``**kwargs`` may carry ``deterministic=``/``full_determinism=``
CONFIGURABLE_TRAINERS: FrozenSet[str] = frozenset(
    {"lightning.pytorch.Trainer", "lightning.Trainer", "transformers.TrainingArguments",
     "transformers.Seq2SeqTrainingArguments", "trl.SFTConfig", "trl.DPOConfig", "trl.GRPOConfig"}
)
#: libraries whose import (with a training call) makes a module torch code
TORCH_HEADS: FrozenSet[str] = frozenset(
    {"torch", "lightning", "transformers", "trl", "accelerate", "peft", "timm", "torchvision",
     "setfit", "sentence_transformers"}
)
#: library heads of known (non-project) helpers: their seeding functions do not count
LIBRARY_HEADS: FrozenSet[str] = frozenset(
    {"torch", "lightning", "transformers", "accelerate", "numpy", "random", "tensorflow", "keras",
     "jax", "sklearn", "trl", "peft", "timm", "setfit", "sentence_transformers", "pandas"}
)

# ------------------------------------------------------------------ MLP116
#: calls that free the Keras/TF global graph and model state
CLEAR_SESSION: FrozenSet[str] = frozenset(
    {
        "keras.backend.clear_session",
        "keras.utils.clear_session",
        "tensorflow.compat.v1.keras.backend.clear_session",
        "tensorflow.compat.v1.reset_default_graph",
        "tensorflow.reset_default_graph",
    }
)
#: Keras model constructors (beyond ``models.model_constructor`` library "keras")
KERAS_BUILDERS: FrozenSet[str] = frozenset(
    {"keras.Sequential", "keras.Model", "keras.models.Sequential", "keras.models.Model",
     "keras.models.clone_model"}
)
KERAS_BASES: FrozenSet[str] = frozenset(
    {"keras.Model", "keras.models.Model", "keras.Sequential", "keras.models.Sequential"}
)
