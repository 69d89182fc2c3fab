#!/usr/bin/python3
"""Checks of torch_bench.py against hand-computed values:
/usr/bin/python3 -m unittest discover -s bench/torch (skipped without torch)."""

import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import torch
    import torch_bench as tb
except ImportError:  # pragma: no cover
    torch = None


@unittest.skipIf(torch is None, "torch not installed")
class TorchBenchTest(unittest.TestCase):
    def test_masked_median(self):
        v = torch.tensor([[4.0, 1.0, 3.0, 2.0, 9.0], [5.0, 1.0, 3.0, 7.0, 7.0], [1.0, 2.0, 3.0, 4.0, 5.0]])
        good = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 0, 0], [0, 0, 0, 0, 0]], dtype=torch.bool)
        got = tb.masked_median(v, good, good.sum(1))[:, 0].tolist()
        self.assertEqual(got, [2.5, 3.0, 0.0])

    def test_prepare_two_level_spectrum(self):
        # Fluxes alternate 52, 50 with ivar 4: median 51, MAD 1, s = 1.4826.
        f = torch.full((1, tb.PIXELS), 50.0)
        f[0, ::2] = 52.0
        iv = torch.full((1, tb.PIXELS), 4.0)
        iv[0, -2:] = 0  # two bad pixels (a 52 and a 50): median and MAD unchanged
        x, feats, target, pw = tb.prepare(f, iv)
        s = 1.4826
        self.assertEqual(tuple(x.shape), (1, 62, 128))
        self.assertEqual(tuple(target.shape), (1, 63, 64))
        self.assertAlmostEqual(x[0, 0, 0].item(), 1 / s, places=5)
        self.assertAlmostEqual(x[0, 0, 1].item(), -1 / s, places=5)
        self.assertAlmostEqual(x[0, 0, 64].item(), math.log1p(2 * s) / 4, places=5)
        self.assertEqual(x[0, 61, 3906 - 61 * 64].item(), 0)  # a bad pixel
        self.assertEqual(x[0, 61, 64 + 3907 - 61 * 64].item(), 0)  # its noise channel
        self.assertEqual(x[0, 61, 63].item(), 0)  # padding
        self.assertAlmostEqual(feats[0, 0].item(), math.asinh(51 / s), places=4)
        self.assertAlmostEqual(feats[0, 1].item(), math.log10(s) / 3, places=5)
        self.assertAlmostEqual(feats[0, 2].item(), math.log10(1 + 102), places=4)
        self.assertAlmostEqual(feats[0, 3].item(), 3906 / 3908, places=6)
        self.assertEqual(target[0, 0].abs().sum().item(), 0)  # feature token
        self.assertAlmostEqual(target[0, 1, 0].item(), 1 / s, places=5)
        self.assertAlmostEqual(pw[0, 1, 0].item(), 1 / (1 / (4 * s * s) + 0.01), places=3)

    def test_param_count(self):
        # Same hand count as bench/torch/gobench's TestCountParamsSmall.
        model = tb.SpecModel("math")
        self.assertEqual(sum(p.numel() for p in model.parameters()), 127061)

    def test_mask_tokens(self):
        m = tb.mask_tokens(torch.Generator().manual_seed(3), 4)
        self.assertEqual(m[:, 0].sum().item(), 0)
        self.assertEqual(m.sum(1).tolist(), [6.0] * 4)  # round(0.1 × 62)


if __name__ == "__main__":
    unittest.main()
