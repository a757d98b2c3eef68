"""Fashion-MNIST from Debian's dataset-fashion-mnist (the idx files, gzip-compressed).

    images, labels = load("train")      # uint8 [60000, 28, 28], int64 [60000]
    x = to_tensor(images)               # float32 [N, 1, 28, 28], normalised

The directory is /usr/share/datasets/fashion-mnist, or $HASS_FASHION_MNIST.
"""
import gzip
import os

import numpy as np
import torch

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
         "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
MEAN, STD = 0.2860, 0.3530  # of the training images, in [0, 1]


def data_dir():
    return os.environ.get("HASS_FASHION_MNIST", DEFAULT_DIR)


def available():
    d = data_dir()
    return all(os.path.exists(os.path.join(d, f)) for pair in FILES.values() for f in pair)


def _read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    got = int.from_bytes(data[0:4], "big")
    if got != magic:
        raise ValueError("%s: not an idx file (magic %#x, expected %#x)" % (path, got, magic))
    n = int.from_bytes(data[4:8], "big")
    if magic == 0x803:
        rows, cols = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
        return np.frombuffer(data, np.uint8, n * rows * cols, 16).reshape(n, rows, cols)
    return np.frombuffer(data, np.uint8, n, 8)


def load(split):
    """(images uint8 [N, 28, 28], labels int64 [N]) of 'train' or 'test'."""
    img, lab = FILES[split]
    d = data_dir()
    images = _read_idx(os.path.join(d, img), 0x803)
    labels = _read_idx(os.path.join(d, lab), 0x801).astype(np.int64)
    return images, labels


def to_tensor(images):
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return (x - MEAN) / STD


def splits(n_val=2000):
    """train (the first 60000 - n_val training images), val (the last n_val) and test, as tensors."""
    images, labels = load("train")
    x, y = to_tensor(images), torch.from_numpy(labels)
    ti, tl = load("test")
    k = len(x) - n_val
    return (x[:k], y[:k]), (x[k:], y[k:]), (to_tensor(ti), torch.from_numpy(tl))
