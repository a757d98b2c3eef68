"""hass_profile: measures, on a PyTorch model, the sparsity statistics and accuracy tables that
hass's co-search reads (docs/profiler.md).

    from hass_profile import Profiler, fuse_batchnorm, export_onnx, write_json
    model = fuse_batchnorm(trained)                 # the weights hass reads are the ones pruned
    export_onnx(model, "model.onnx", (1, 28, 28))
    p = Profiler(model, "model.onnx", calibration_batches, evaluate=accuracy_percent)
    write_json(p.decomposed(), "stats.json")
    write_json(p.accuracy_table(), "acc.json")
"""
from .layers import Activation, Layer, export_onnx, fuse_batchnorm, hass_node_names, map_layers
from .masks import (activation_window_histogram, linear_histograms, product_zero_histogram, threshold_activation,
                    threshold_for_sparsity, weight_mask, window_nonzero_counts)
from .profiler import TAU_LEVELS, WEIGHT_SPARSITY, Assignment, Profiler, write_json

__all__ = ["Activation", "Assignment", "Layer", "Profiler", "TAU_LEVELS", "WEIGHT_SPARSITY",
           "activation_window_histogram", "export_onnx", "fuse_batchnorm", "hass_node_names", "linear_histograms",
           "map_layers", "product_zero_histogram", "threshold_activation", "threshold_for_sparsity", "weight_mask",
           "window_nonzero_counts"]
