"""A ResNet-ish CNN for 32×32 images (CIFAR-sized): a 3×3 stem, three stages of basic residual
blocks built in a loop, the first block of each later stage downsampling with stride 2 and a 1×1
projection, then global pooling and a classifier.

`npm start` shows every convolution's FLOPs and its direct and im2col bytes; ResNet.forward is
the whole network for one batch.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_ch, out_ch, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.shortcut = None
        if stride != 1 or in_ch != out_ch:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_ch, out_ch, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_ch),
            )

    # The first stage's input; later stages halve the size and double the width.
    # tensorcost: shape x=(128, 16, 32, 32)
    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.shortcut is None else self.shortcut(x)
        return F.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, blocks_per_stage=(3, 3, 3), widths=(16, 32, 64), num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, widths[0], kernel_size=3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(widths[0])
        layers = []
        in_ch = widths[0]
        for i in range(3):
            stride = 1 if i == 0 else 2
            layers.append(BasicBlock(in_ch, widths[i], stride))
            in_ch = widths[i]
            for _ in range(blocks_per_stage[i] - 1):
                layers.append(BasicBlock(in_ch, in_ch))
        self.stages = nn.Sequential(*layers)
        self.fc = nn.Linear(widths[2], num_classes)

    # tensorcost: shape x=(128, 3, 32, 32)
    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.stages(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def resnet20():
    return ResNet((3, 3, 3))
