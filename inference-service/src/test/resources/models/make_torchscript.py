"""Writes linear4x3.pt, the TorchScript fixture of inference-service's tests.

A linear layer with fixed weights (no training, nothing random), followed by softmax, scripted and
saved with torch.jit. The tests know the same weights (TorchScriptFixture in the test sources) and
compute the expected outputs themselves. Made with Debian's python3-torch 1.13.1:

    apt-get install -y python3-torch
    /usr/bin/python3 make_torchscript.py
"""
import os

import torch

WEIGHTS = [
    [0.5, -0.25, 1.0, 0.0],
    [-1.0, 0.75, 0.0, 0.5],
    [0.25, 0.25, -0.5, -1.0],
]
BIAS = [0.1, -0.2, 0.3]


class Linear4x3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 3)
        with torch.no_grad():
            self.linear.weight.copy_(torch.tensor(WEIGHTS))
            self.linear.bias.copy_(torch.tensor(BIAS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.linear(x), dim=1)


if __name__ == "__main__":
    module = torch.jit.script(Linear4x3().eval())
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "linear4x3.pt")
    module.save(out)
    print("wrote", out, os.path.getsize(out), "bytes")
    print(module(torch.tensor([[1.0, 2.0, 3.0, 4.0]])))
