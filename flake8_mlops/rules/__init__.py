"""Every rule module, imported explicitly so that each registers itself.

A test checks that every ``mlpNNN_*.py`` file under this package is imported here.
"""

from .mlops import (  # noqa: F401
    mlp001_hardcoded_credentials,
    mlp002_pickle_model_handoff,
    mlp003_unsafe_deserialization,
    mlp004_trusted_remote_code,
    mlp005_unpinned_hub_artifact,
    mlp006_unversioned_data_read,
    mlp007_uncontrolled_randomness,
    mlp008_manual_hyperparameter_search,
    mlp009_untracked_metrics,
    mlp010_manual_artifact_transfer,
    mlp011_endpoint_without_health_check,
    mlp012_unmonitored_prediction,
    mlp013_debug_server,
    mlp014_model_loaded_per_request,
    mlp015_machine_specific_path,
    mlp016_preprocessing_outside_pipeline,
    mlp017_data_leakage,
    mlp018_sensitive_attribute_unchecked,
    mlp019_runtime_package_install,
    mlp020_unversioned_model_artifact,
    mlp021_training_serving_entangled,
)
from .smells import mlp101_nan_equality  # noqa: E402,F401
from .smells import mlp120_legacy_global_rng  # noqa: E402,F401
from .smells import mlp112_forward_called_directly  # noqa: E402,F401
from .smells import mlp102_chain_indexing  # noqa: E402,F401
from .smells import mlp103_dataframe_result_discarded  # noqa: E402,F401
from .smells import mlp104_merge_parameters_implicit  # noqa: E402,F401
from .smells import mlp105_dataframe_values  # noqa: E402,F401
from .smells import mlp106_read_without_dtype  # noqa: E402,F401
from .smells import mlp108_empty_column_misinit  # noqa: E402,F401
from .smells import mlp113_gradients_not_cleared  # noqa: E402,F401
from .smells import mlp109_dot_for_matmul  # noqa: E402,F401
from .smells import mlp117_log_without_mask  # noqa: E402,F401
from .smells import mlp119_threshold_dependent_validation  # noqa: E402,F401
from .smells import mlp107_dataframe_row_iteration  # noqa: E402,F401
from .smells import mlp118_tile_instead_of_broadcast  # noqa: E402,F401
from .smells import mlp110_hyperparameters_implicit  # noqa: E402,F401
from .smells import mlp111_scaler_missing  # noqa: E402,F401
from .smells import mlp114_eval_mode_not_set  # noqa: E402,F401
from .smells import mlp115_nondeterministic_torch  # noqa: E402,F401
from .smells import mlp116_tf_memory_not_freed  # noqa: E402,F401
