#!/usr/bin/python3
"""PyTorch (CPU) replica of AstroOne's `small` spectrum model, for the
side-by-side speed benchmark of bench/torch/run.sh.

The architecture, losses and optimiser follow model/ and train/ of the Go
project (model.ConfigByName("small")):

* input preparation (model.Prepare): per spectrum, pixels with a finite
  flux and ivar > 0 are good; median m and robust scale s = 1.4826 MAD of
  the good fluxes; z = (f - m)/s clipped to +-20 (0 at bad pixels); noise
  channel ln(1 + s sqrt(ivar))/4; 3908 pixels padded to 62 non-overlapping
  patches of 64, each token = 64 z values then 64 noise values (128);
  summary features asinh(m/s), log10(s)/3, log10(1 + median |f| sqrt(ivar)),
  good fraction; reconstruction target z and weight 1/(1/(s^2 ivar) + 0.01);
* embedding: Linear(128->64) per patch, Linear(4->64) for the feature
  token at position 0 (63 tokens), masked tokens replaced by a learned
  vector, learned positions (63x64, N(0, 0.02^2));
* 3 pre-LN blocks (LayerNorm eps 1e-3, 2 heads of 32, one 1/sqrt(32)
  scaling, MLP 64->128->64 with tanh-GELU), final LayerNorm, mean over all
  63 tokens;
* heads: class 64->64 GELU ->11; parameters 64->64 GELU -> mean (5) and
  log sigma = 7 tanh(raw/7) (5); reconstruction Linear(64->64) per token;
* losses: CE + Gaussian NLL + 0.1 x masked, weighted reconstruction MSE
  (10% of the tokens masked in spans of 2);
* AdamW (lr 2e-3, betas 0.9/0.999, eps 1e-7, weight decay 0.01 on every
  parameter, as GoMLX's Adam.WeightDecay), global-norm clipping at 1;
* batch 32, float32; weights N(0, 1/fan_in), biases 0.

Prints one JSON object on standard output (progress on standard error).
"""

import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PIXELS, PATCH, DIM, LAYERS, HEADS, MLP_RATIO = 3908, 64, 64, 3, 2, 2
NUM_FEATURES, NUM_CLASSES, NUM_PARAMS = 4, 11, 5
TOKENS = (PIXELS - PATCH + PATCH - 1) // PATCH + 1  # model.Config.Tokens(): 62
LN_EPS = 1e-3
LR, WEIGHT_DECAY, CLIP, ADAM_EPS = 2e-3, 0.01, 1.0, 1e-7
W_CLASS, W_REG, W_RECON = 1.0, 1.0, 0.1
MASK_RATIO, MASK_SPAN = 0.1, 2


def masked_median(v, good, ngood):
    """Median over the good values of each row (the mean of the middle
    two for an even count, as model.Prepare), [B, 1]; 0 without any."""
    s, _ = torch.sort(torch.where(good, v, torch.full_like(v, float("inf"))), dim=1)
    n = ngood.clamp(min=1)[:, None]
    lo = torch.gather(s, 1, (n - 1) // 2)
    hi = torch.gather(s, 1, n // 2)
    return torch.where(ngood[:, None] > 0, (lo + hi) / 2, torch.zeros_like(lo))


def prepare(flux, ivar):
    """model.Prepare for Bin = 1: returns x [B, T, 2P], feats [B, 4],
    target and pixel weights [B, T+1, P]."""
    b = flux.shape[0]
    good = torch.isfinite(flux) & torch.isfinite(ivar) & (ivar > 0)
    ivar = torch.where(good, ivar, torch.zeros_like(ivar))
    ngood = good.sum(1)
    fl = torch.where(good, flux, torch.full_like(flux, float("nan")))
    med = masked_median(flux, good, ngood)
    mad = masked_median((flux - med).abs(), good, ngood)
    scale = 1.4826 * mad
    std = torch.sqrt(torch.clamp(torch.nanmean(fl * fl, 1, keepdim=True) - torch.nanmean(fl, 1, keepdim=True) ** 2, min=0))
    scale = torch.where(scale > 1e-30, scale, std)
    scale = torch.where(scale > 1e-30, scale, torch.ones_like(scale))
    snr = masked_median(flux.abs() * ivar.sqrt(), good, ngood)[:, 0]
    z = torch.where(good, ((flux - med) / scale).clamp(-20, 20), torch.zeros_like(flux))
    snr_pix = scale * ivar.sqrt()
    noise = torch.log1p(snr_pix) / 4
    pw = torch.where(good, 1 / (1 / (snr_pix * snr_pix) + 0.01), torch.zeros_like(flux))
    pad = TOKENS * PATCH - PIXELS
    z = F.pad(z, (0, pad)).view(b, TOKENS, PATCH)
    noise = F.pad(noise, (0, pad)).view(b, TOKENS, PATCH)
    pw = F.pad(pw, (PATCH, pad)).view(b, TOKENS + 1, PATCH)
    target = F.pad(z, (0, 0, 1, 0))
    x = torch.cat([z, noise], dim=2)
    feats = torch.stack([torch.asinh(med[:, 0] / scale[:, 0]), torch.log10(scale[:, 0]) / 3,
                         torch.log10(1 + snr), ngood.float() / PIXELS], dim=1)
    feats = torch.where((ngood > 0)[:, None], feats, torch.zeros_like(feats))
    return x.float(), feats.float(), target.float(), pw.float()


def gelu(x):
    return F.gelu(x, approximate="tanh")


class Block(nn.Module):
    def __init__(self, attn):
        super().__init__()
        self.ln_attn = nn.LayerNorm(DIM, eps=LN_EPS)
        self.qkv = nn.Linear(DIM, 3 * DIM)  # query, key, value: 3 x (64x64 + 64), as three Dense layers
        self.out = nn.Linear(DIM, DIM)
        self.ln_mlp = nn.LayerNorm(DIM, eps=LN_EPS)
        self.mlp_in = nn.Linear(DIM, MLP_RATIO * DIM)
        self.mlp_out = nn.Linear(MLP_RATIO * DIM, DIM)
        self.attn = attn

    def forward(self, h):
        b, t, d = h.shape
        hd = d // HEADS
        q, k, v = self.qkv(self.ln_attn(h)).view(b, t, 3, HEADS, hd).permute(2, 0, 3, 1, 4)
        if self.attn == "sdpa" and hasattr(F, "scaled_dot_product_attention"):
            o = F.scaled_dot_product_attention(q, k, v)
        else:
            o = torch.softmax((q / math.sqrt(hd)) @ k.transpose(-1, -2), -1) @ v
        h = h + self.out(o.transpose(1, 2).reshape(b, t, d))
        return h + self.mlp_out(gelu(self.mlp_in(self.ln_mlp(h))))


class SpecModel(nn.Module):
    def __init__(self, attn):
        super().__init__()
        self.patch_embed = nn.Linear(2 * PATCH, DIM)
        self.feat_embed = nn.Linear(NUM_FEATURES, DIM)
        self.mask_token = nn.Parameter(torch.randn(DIM) * 0.02)
        self.positions = nn.Parameter(torch.randn(TOKENS + 1, DIM) * 0.02)
        self.blocks = nn.ModuleList([Block(attn) for _ in range(LAYERS)])
        self.ln_final = nn.LayerNorm(DIM, eps=LN_EPS)
        self.class_hidden = nn.Linear(DIM, DIM)
        self.class_out = nn.Linear(DIM, NUM_CLASSES)
        self.param_hidden = nn.Linear(DIM, DIM)
        self.param_mean = nn.Linear(DIM, NUM_PARAMS)
        self.param_logsigma = nn.Linear(DIM, NUM_PARAMS)
        self.recon = nn.Linear(DIM, PATCH)
        for m in self.modules():  # model.fanInInitializer
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 1 / math.sqrt(m.in_features))
                nn.init.zeros_(m.bias)

    def forward(self, x, feats, mask=None, recon=True):
        h = torch.cat([self.feat_embed(feats)[:, None], self.patch_embed(x)], 1)
        if mask is not None:
            m = mask[..., None]
            h = h * (1 - m) + m * self.mask_token
        h = h + self.positions
        for blk in self.blocks:
            h = blk(h)
        h = self.ln_final(h)
        emb = h.mean(1)
        logits = self.class_out(gelu(self.class_hidden(emb)))
        r = gelu(self.param_hidden(emb))
        mean = self.param_mean(r)
        log_sigma = 7 * torch.tanh(self.param_logsigma(r) / 7)
        rec = self.recon(h) if recon else None
        return logits, mean, log_sigma, rec, emb


def losses(out, onehot, cw, y, w, target, pw, mask):
    logits, mean, log_sigma, rec, _ = out
    ce = -(onehot * torch.log_softmax(logits, -1)).sum(-1)
    ce = (ce * cw).sum() / cw.sum().clamp(min=1)
    y = torch.where(w > 0, y, torch.zeros_like(y))
    z = (y - mean) * torch.exp(-log_sigma)
    nll = 0.5 * z * z + log_sigma + 0.5 * math.log(2 * math.pi)
    nll = (nll * w).sum() / w.sum().clamp(min=1)
    mw = pw * mask[..., None]
    rl = (mw * (rec - target) ** 2).sum() / mw.sum().clamp(min=1e-6)
    return W_CLASS * ce + W_REG * nll + W_RECON * rl


def mask_tokens(gen, size):
    """model.MaskTokens: round(ratio T) tokens per spectrum in spans."""
    m = torch.zeros(size, TOKENS + 1)
    want = round(MASK_RATIO * TOKENS)
    for b in range(size):
        got = 0
        while got < want:
            start = int(torch.randint(TOKENS - MASK_SPAN + 1, (1,), generator=gen))
            for k in range(start, start + MASK_SPAN):
                if got < want and m[b, k + 1] == 0:
                    m[b, k + 1] = 1
                    got += 1
    return m


def bench_batch(gen, n):
    flux = (100 + 10 * torch.randn(n, PIXELS, generator=gen)).float()
    ivar = torch.full((n, PIXELS), 0.01)
    cls = torch.arange(n) % NUM_CLASSES
    y = torch.zeros(n, NUM_PARAMS)
    y[:, :4] = torch.randn(n, 4, generator=gen)
    w = torch.zeros(n, NUM_PARAMS)
    w[:, :4] = 1
    return flux, ivar, F.one_hot(cls, NUM_CLASSES).float(), torch.ones(n), y, w


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10, help="timed steps after 2 warm-up steps")
    ap.add_argument("--reps", type=int, default=3, help="timed inference calls after one warm-up")
    ap.add_argument("--n", type=int, default=512, help="spectra per inference call")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--attn", choices=["sdpa", "math"], default="sdpa",
                    help="sdpa: F.scaled_dot_product_attention where this torch has it (>= 2.0), else math")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    model = SpecModel(a.attn)
    nparams = sum(p.numel() for p in model.parameters() if p.requires_grad)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=ADAM_EPS, weight_decay=WEIGHT_DECAY)

    flux, ivar, onehot, cw, y, w = bench_batch(gen, a.batch)
    x, feats, target, pw = prepare(flux, ivar)
    mask = mask_tokens(gen, a.batch)
    model.train()
    times = []
    for i in range(a.steps + 2):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = losses(model(x, feats, mask), onehot, cw, y, w, target, pw, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        dt = time.perf_counter() - t0
        print(f"torch step {i}: {dt:.4f} s, loss {loss.item():.4f}", file=sys.stderr)
        if i >= 2:
            times.append(dt)

    # Inference as model.Predictor: preparation, the model in chunks of 64
    # (class and parameter heads), softmax, decoding to numpy.
    model.eval()
    iflux = (100 + 10 * torch.randn(a.n, PIXELS, generator=gen)).float()
    iivar = torch.full((a.n, PIXELS), 0.01)

    def predict():
        outs = []
        with torch.inference_mode():
            for lo in range(0, a.n, 64):
                xi, fi, _, _ = prepare(iflux[lo:lo + 64], iivar[lo:lo + 64])
                logits, mean, log_sigma, _, emb = model(xi, fi, recon=False)
                outs.append((torch.softmax(logits, -1).numpy(), mean.numpy(), torch.exp(log_sigma).numpy(), emb.numpy()))
        return outs

    def model_only(xs):
        with torch.inference_mode():
            for xi, fi in xs:
                model(xi, fi, recon=False)

    predict()
    itimes = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        predict()
        itimes.append(time.perf_counter() - t0)
        print(f"torch predict {a.n} spectra: {itimes[-1]:.4f} s", file=sys.stderr)
    t0 = time.perf_counter()
    xs = [prepare(iflux[lo:lo + 64], iivar[lo:lo + 64])[:2] for lo in range(0, a.n, 64)]
    prep_rate = a.n / (time.perf_counter() - t0)
    mtimes = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        model_only(xs)
        mtimes.append(time.perf_counter() - t0)
    print(json.dumps({
        "framework": "torch", "version": torch.__version__, "threads": torch.get_num_threads(),
        "attn": a.attn if hasattr(F, "scaled_dot_product_attention") else "math", "params": nparams, "batch": a.batch, "tokens": TOKENS + 1,
        "step_seconds": times, "step_median_s": statistics.median(times),
        "infer_spectra": a.n, "infer_seconds": itimes, "infer_spectra_per_s": a.n / statistics.median(itimes),
        "model_only_spectra_per_s": a.n / statistics.median(mtimes), "prepare_spectra_per_s": prep_rate,
    }))


if __name__ == "__main__":
    main()
