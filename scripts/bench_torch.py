#!/usr/bin/env python3
"""PyTorch reference for octolab's throughput benchmark (scripts/bench.ts).

Trains and runs the study's two models with the shapes, batch size, optimizer and
measurement procedure of the TensorFlow.js benchmark, and prints one JSON object on
stdout:

* MNIST MLP 784 -> 128 (ReLU) -> 10, 101,770 parameters;
* CIFAR-10 CNN conv3x3(32, same) -> ReLU -> maxpool2 -> conv3x3(64, same) -> ReLU ->
  maxpool2 -> flatten -> dense(64) -> ReLU -> dense(10), 282,250 parameters
  (NCHW, PyTorch's native layout);
* Glorot-uniform kernels and zero biases, Adam with learning rate 1e-3, softmax
  cross-entropy (on logits, which is the same loss as softmax + categorical
  cross-entropy in the TensorFlow.js models);
* seeded random inputs of the right shapes (throughput does not depend on the values);
* per repetition: a fresh Adam optimizer and one epoch of `steps` batches in a seeded
  random order, the loss read back after every step (as octolab's loop does); the
  rate is (steps - 1) * batch over the time from the end of the first step to the
  end of the last one; untimed warm-up steps first; the figure is the median of the
  repetitions;
* prediction: batches of the training batch size, in eval mode without gradients,
  one untimed pass and the median of the timed passes.

Usage: bench_torch.py --threads 1,2 [--batch 64] [--reps 3] [--seed 1]
         [--models mnist-mlp,cifar10-cnn]
         [--mlp-plan WARMUP,STEPS] [--cnn-plan WARMUP,STEPS]
         [--mlp-predict SAMPLES] [--cnn-predict SAMPLES]
"""

import argparse
import json
import platform
import statistics
import sys
import time

MODELS = ("mnist-mlp", "cifar10-cnn")


def parse_plan(text, flag):
    """Parses 'WARMUP,STEPS' (warm-up >= 0, steps >= 2)."""
    parts = text.split(",")
    try:
        warmup, steps = (int(p) for p in parts)
    except ValueError:
        raise SystemExit(f"{flag} needs WARMUP,STEPS as two integers, got '{text}'")
    if warmup < 0 or steps < 2:
        raise SystemExit(f"{flag} needs WARMUP >= 0 and STEPS >= 2, got '{text}'")
    return warmup, steps


def parse_args(argv):
    p = argparse.ArgumentParser(description="PyTorch reference for octolab's benchmark")
    p.add_argument("--threads", required=True, help="comma-separated thread counts, e.g. 1,2")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--mlp-plan", default="20,200")
    p.add_argument("--cnn-plan", default="3,15")
    p.add_argument("--mlp-predict", type=int, default=2048)
    p.add_argument("--cnn-predict", type=int, default=512)
    a = p.parse_args(argv)
    try:
        a.threads = [int(t) for t in a.threads.split(",")]
    except ValueError:
        raise SystemExit(f"--threads needs comma-separated integers, got '{a.threads}'")
    if any(t < 1 for t in a.threads):
        raise SystemExit(f"--threads values must be >= 1, got {a.threads}")
    if a.batch < 1 or a.reps < 1:
        raise SystemExit(f"--batch and --reps must be >= 1, got {a.batch} and {a.reps}")
    a.models = [m.strip() for m in a.models.split(",")]
    for m in a.models:
        if m not in MODELS:
            raise SystemExit(f"--models: unknown model '{m}' (valid: {', '.join(MODELS)})")
    a.plans = {"mnist-mlp": parse_plan(a.mlp_plan, "--mlp-plan"), "cifar10-cnn": parse_plan(a.cnn_plan, "--cnn-plan")}
    a.predict = {"mnist-mlp": a.mlp_predict, "cifar10-cnn": a.cnn_predict}
    for m, n in a.predict.items():
        if n < 1:
            raise SystemExit(f"predict samples for {m} must be >= 1, got {n}")
    return a


def main(argv):
    args = parse_args(argv)
    import torch
    from torch import nn

    def build(name):
        if name == "mnist-mlp":
            model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
            shape = (784,)
        else:
            model = nn.Sequential(
                nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Linear(64 * 8 * 8, 64), nn.ReLU(), nn.Linear(64, 10),
            )
            shape = (3, 32, 32)
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        return model, shape

    def epoch(model, x, y, steps, batch, seed, stamps=None):
        """One epoch of `steps` batches with a fresh Adam; appends step-end times to stamps."""
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        gen = torch.Generator().manual_seed(seed)
        order = torch.randperm(steps * batch, generator=gen)
        model.train()
        for s in range(steps):
            idx = order[s * batch:(s + 1) * batch]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            loss.item()
            if stamps is not None:
                stamps.append(time.perf_counter())

    results = []
    for threads in args.threads:
        torch.set_num_threads(threads)
        for name in args.models:
            torch.manual_seed(args.seed)
            model, shape = build(name)
            params = sum(p.numel() for p in model.parameters())
            warmup, steps = args.plans[name]
            n = max(steps, warmup) * args.batch
            gen = torch.Generator().manual_seed(args.seed)
            x = torch.rand((n,) + shape, generator=gen)
            y = torch.randint(0, 10, (n,), generator=gen)
            if warmup > 0:
                epoch(model, x, y, warmup, args.batch, args.seed)
            rates = []
            for r in range(args.reps):
                stamps = []
                epoch(model, x, y, steps, args.batch, args.seed + 1 + r, stamps)
                rates.append((steps - 1) * args.batch / (stamps[-1] - stamps[0]))
            # Prediction, in batches of the training batch size.
            m = args.predict[name]
            xp = torch.rand((m,) + shape, generator=gen)
            model.eval()

            def predict_pass():
                t0 = time.perf_counter()
                with torch.no_grad():
                    for s in range(0, m, args.batch):
                        torch.softmax(model(xp[s:s + args.batch]), dim=1).numpy()
                return time.perf_counter() - t0

            predict_pass()
            seconds = [predict_pass() for _ in range(args.reps)]
            results.append({
                "model": name,
                "threads": threads,
                "params": params,
                "plan": {"warmupSteps": warmup, "steps": steps, "reps": args.reps},
                "trainSamplesPerSecond": statistics.median(rates),
                "trainRepSamplesPerSecond": rates,
                "predict": {"samples": m, "batch": args.batch, "repeats": args.reps},
                "predictSamplesPerSecond": m / statistics.median(seconds),
                "predictRepSeconds": seconds,
            })
    print(json.dumps({
        "torch": torch.__version__,
        "python": platform.python_version(),
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "interopThreads": torch.get_num_interop_threads(),
        "batch": args.batch,
        "optimizer": {"name": "adam", "learningRate": 1e-3},
        "inputs": "seeded random inputs (torch.rand, uniform [0, 1)) and uniform random labels",
        "layout": "NCHW for the CNN",
        "results": results,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
