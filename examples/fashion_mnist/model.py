"""The example network: a MobileNetV2-style CNN for 28x28x1 Fashion-MNIST images.

ReLU6 activations, depthwise 3x3 convolutions, inverted residual blocks with
residual adds, a 1x1 head, global average pooling and a linear classifier.
`width` scales every channel count (the tests use a narrow net).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def _ch(c, width):
    return max(4, int(round(c * width / 4)) * 4)


class InvertedResidual(nn.Module):
    def __init__(self, ci, co, stride, expand):
        super().__init__()
        hidden = ci * expand
        layers = []
        if expand != 1:
            layers += [nn.Conv2d(ci, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden),
                   nn.ReLU6(), nn.Conv2d(hidden, co, 1, bias=False), nn.BatchNorm2d(co)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and ci == co

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class FashionMobileNet(nn.Module):
    def __init__(self, width=1.0):
        super().__init__()
        c1, c2, c3, head = _ch(16, width), _ch(24, width), _ch(32, width), _ch(64, width)
        self.config = {"width": width}
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 3, 2, 1, bias=False), nn.BatchNorm2d(c1), nn.ReLU6(),  # 14x14
            InvertedResidual(c1, c1, 1, 1),                                          # residual, no expansion
            InvertedResidual(c1, c2, 2, 3),                                          # 7x7
            InvertedResidual(c2, c2, 1, 3),                                          # residual
            InvertedResidual(c2, c3, 1, 3),
            nn.Conv2d(c3, head, 1, bias=False), nn.BatchNorm2d(head), nn.ReLU6())
        self.classifier = nn.Sequential(nn.Dropout(0.1), nn.Linear(head, 10))

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


def load_fused(path):
    """The BatchNorm-fused model saved by train.py (BatchNorm layers replaced by Identity)."""
    import sys, os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
    from hass_profile import fuse_batchnorm
    ck = torch.load(path)
    model = fuse_batchnorm(FashionMobileNet(ck["width"]))
    model.load_state_dict(ck["state"])
    return model.eval()
