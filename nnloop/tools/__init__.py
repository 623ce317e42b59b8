"""Seeing backprop: specs to study, the trace and its page, drawings in SVG, the report, run comparisons, a layer's geometry, vanishing gradients, the gradient check and timing."""
