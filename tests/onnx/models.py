"""Small PyTorch networks for hass's ONNX import tests (tests/onnx/make_test_data.py).

Every network takes a 28x28 single-channel image (Fashion-MNIST shaped), except
OpsNet, which takes a 16x16x3 image and exercises the rarer operators.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(ci, co):
    return [nn.Conv2d(ci, co, 3, padding=1, bias=False), nn.BatchNorm2d(co), nn.ReLU()]


class SmallVGG(nn.Module):
    """conv-BN-ReLU blocks, max pooling, a 3x3x8 map flattened into two linear layers."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *conv_bn_relu(1, 4), *conv_bn_relu(4, 4), nn.MaxPool2d(2),  # 14x14x4
            *conv_bn_relu(4, 8), nn.MaxPool2d(2),                       # 7x7x8
            *conv_bn_relu(8, 8), nn.MaxPool2d(2))                       # 3x3x8
        self.classifier = nn.Sequential(nn.Linear(8 * 3 * 3, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class InvertedResidual(nn.Module):
    """MobileNetV2's block: 1x1 expansion, 3x3 depthwise, 1x1 projection; a residual add when shapes allow."""

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


class SmallMobileNetV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6(),  # 14x14x8
            InvertedResidual(8, 8, 1, 1),
            InvertedResidual(8, 12, 2, 4),                                      # 7x7x12
            InvertedResidual(12, 12, 1, 4),
            nn.Conv2d(12, 32, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU6())
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(32, 10))

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


class OpsNet(nn.Module):
    """Zero padding folded into a convolution, HardSwish, a grouped convolution, squeeze-excitation
    (broadcast multiply), ReLU6, max and average pooling with padding, concat, a sigmoid gate,
    global max pooling, a reshape, MatMul + Add and a Gemm."""

    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((1, 0, 1, 0))             # left, right, top, bottom
        self.conv1 = nn.Conv2d(3, 8, 2)                   # 17x17 -> 16x16
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, groups=2, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.se_reduce = nn.Conv2d(8, 4, 1)
        self.se_expand = nn.Conv2d(4, 8, 1)
        self.maxpool = nn.MaxPool2d(3, 2, 1)              # 8x8
        self.avgpool = nn.AvgPool2d(3, 2, 1)              # count_include_pad=True
        self.gate = nn.Conv2d(16, 16, 1)
        self.w = nn.Parameter(torch.randn(16, 12) * 0.3)
        self.b = nn.Parameter(torch.randn(12) * 0.1)
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        x = F.hardswish(self.conv1(self.pad(x)))
        x = self.bn2(self.conv2(x))
        s = F.adaptive_avg_pool2d(x, 1)
        s = F.hardsigmoid(self.se_expand(F.relu(self.se_reduce(s))))
        x = F.relu6(x * s)
        y = torch.cat([self.maxpool(x), self.avgpool(x)], 1)  # 8x8x16
        y = y * torch.sigmoid(self.gate(y))
        y = F.adaptive_max_pool2d(y, 1).reshape(1, -1)
        y = F.relu(torch.matmul(y, self.w) + self.b)
        return self.fc(y)


def randomize_batchnorm(model, generator):
    """Non-trivial BatchNorm statistics and affine parameters (fresh ones fold to the identity)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=generator) * 0.5)
                m.running_var.copy_(torch.rand(c, generator=generator) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(c, generator=generator) + 0.5)
                m.bias.copy_(torch.randn(c, generator=generator) * 0.2)
