"""Vectorised counting on 0/1 masks: window histograms, product histograms, pruning thresholds.

All functions are pure torch and loop over nothing per window: a window's count is a
grouped convolution of the 0/1 mask with a kernel of ones (activations) or with the
0/1 weight mask (products), and the histograms are one `bincount` per call.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F


def conv_geometry(conv):
    """(kh, kw, stride, padding, groups) of an nn.Conv2d; rejects what hass does not model."""
    if not isinstance(conv.padding, tuple) or conv.padding_mode != "zeros":
        raise ValueError("convolution padding must be explicit zeros (padding=(p, p), padding_mode='zeros')")
    if tuple(conv.dilation) != (1, 1):
        raise ValueError("dilated convolutions are not supported by hass")
    kh, kw = conv.kernel_size
    return kh, kw, tuple(conv.stride), tuple(conv.padding), conv.groups


def window_nonzero_counts(x, kh, kw, stride, padding):
    """Non-zeros per window and channel: [N, C, H, W] -> [N, C, Ho, Wo] (int64).

    A depthwise convolution of the 0/1 mask with a kernel of ones; the zero padding
    counts as zero activations."""
    c = x.shape[1]
    mask = (x != 0).to(torch.float32)
    ones = torch.ones(c, 1, kh, kw, dtype=torch.float32, device=x.device)
    return F.conv2d(mask, ones, stride=stride, padding=padding, groups=c).round_().long()


def channel_histogram(counts, bins):
    """Counts [N, C, ...] in 0..bins-1 -> int64 [C, bins]: per channel, how many entries hold each count."""
    c = counts.shape[1]
    offset = (torch.arange(c, device=counts.device) * bins).view(1, c, *([1] * (counts.dim() - 2)))
    return torch.bincount((counts + offset).flatten(), minlength=c * bins).view(c, bins)


def activation_window_histogram(x, kh, kw, stride, padding):
    """int64 [C, K+1]: per input channel, the windows (over images and output positions) with a non-zeros."""
    return channel_histogram(window_nonzero_counts(x, kh, kw, stride, padding), kh * kw + 1)


def product_kernel(weight_mask, groups):
    """The 0/1 weight mask [F, C/G, kh, kw] rearranged for a grouped convolution with groups=C:
    [C * F/G, 1, kh, kw], where channel c's F/G outputs are the filters of its group."""
    f, cg, kh, kw = weight_mask.shape
    fg = f // groups
    return weight_mask.view(groups, fg, cg, kh, kw).permute(0, 2, 1, 3, 4).reshape(groups * cg * fg, 1, kh, kw)


def product_zero_histogram(x, weight_mask, stride, padding, groups, max_elements=1 << 24):
    """int64 [C, K+1]: per input channel c, the (image, output position, filter of c's group)
    triples whose window of c holds z zero products (x == 0, padding or a zero weight).

    One grouped convolution of the activation mask with the weight mask counts the
    non-zero products m of every triple; z = K - m."""
    n, c = x.shape[0], x.shape[1]
    f, cg, kh, kw = weight_mask.shape
    k = kh * kw
    fg = f // groups
    kernel = product_kernel(weight_mask.to(torch.float32), groups)
    mask = (x != 0).to(torch.float32)
    hist = torch.zeros(c, k + 1, dtype=torch.int64, device=x.device)
    ho = (x.shape[2] + 2 * padding[0] - kh) // stride[0] + 1
    wo = (x.shape[3] + 2 * padding[1] - kw) // stride[1] + 1
    step = max(1, max_elements // max(1, c * fg * ho * wo))
    for i in range(0, n, step):  # image batches only bound the memory
        m = F.conv2d(mask[i:i + step], kernel, stride=stride, padding=padding, groups=c).round_().long()
        z = (k - m).view(m.shape[0], c, fg, ho, wo)
        hist += channel_histogram(z, k + 1)
    return hist


def linear_histograms(x, weight_mask=None):
    """Inner products (K = 1). x [N, C] -> int64 [C, 2]: the inputs that are zero / non-zero.
    With a weight mask [F, C]: per input, the (image, filter) pairs with 0 / 1 zero products."""
    nz = (x != 0).to(torch.int64)
    if weight_mask is None:
        ones = nz.sum(0)
        return torch.stack([x.shape[0] - ones, ones], 1)
    wnz = (weight_mask != 0).to(torch.int64).sum(0)  # filters with a non-zero weight, per input
    f = weight_mask.shape[0]
    nonzero = nz.sum(0) * wnz                            # (image, filter) pairs with a non-zero product
    total = x.shape[0] * f
    return torch.stack([nonzero, total - nonzero], 1)


def threshold_for_sparsity(magnitudes, s):
    """hass's tau_w for weight sparsity s: n = round_half_even(s N) weights with |w| < tau_w.

    tau_w = 0 (n = 0), m_(n) (0 < n < N), the next float32 after m_(N-1) (n = N);
    over float32 magnitudes, as hass compares them (io::threshold_for_sparsity)."""
    m = np.sort(np.abs(np.asarray(magnitudes, dtype=np.float32)).ravel())
    n_all = m.size
    n = int(np.rint(s * n_all))  # numpy rounds half to even, like std::nearbyint
    if n <= 0:
        return 0.0
    if n >= n_all:
        return float(np.nextafter(m[-1], np.float32(math.inf), dtype=np.float32))
    return float(m[n])


def weight_mask(weight, tau_w):
    """0/1 mask of the non-zero weights that survive tau_w (|w| >= tau_w, compared in float32;
    a weight that is exactly 0 is always zero)."""
    w = weight.detach()
    return ((w.abs() >= torch.tensor(tau_w, dtype=torch.float32)) & (w != 0)).to(weight.dtype)


def threshold_activation(x, tau_a):
    """hass's thresholded ReLU on a ReLU output: x <= tau_a becomes 0."""
    return x * (x > tau_a).to(x.dtype)
