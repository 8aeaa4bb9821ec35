#!/usr/bin/env python3
"""The PyTorch peer of `ars train sft` for bench/sft.bench.ts: the same model folder, the same optimiser steps made of
the same right-padded micro-batches (dumped by the bench from ars's own plan), the same weighted masked NLL, AdamW and
gradient clipping. Prints one JSON object: training seconds (sum of step times), tokens, tokens/s, first and last loss.

usage: sft_peer.py MODEL_DIR STEPS.json LR [THREADS]
"""
import json
import sys
import time

import torch

from qwen2_reference import load


def main():
    folder, steps_path, lr = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if len(sys.argv) > 4:
        torch.set_num_threads(int(sys.argv[4]))
    model = load(folder)
    steps = json.load(open(steps_path))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    seconds = 0.0
    tokens = 0
    losses = []
    for step in steps:
        t0 = time.perf_counter()
        opt.zero_grad()
        total_weight = sum(mb["target_weight"] for mb in step)
        loss_sum = 0.0
        for mb in step:
            ids = torch.tensor(mb["input_ids"], dtype=torch.long).view(mb["batch"], mb["seq_len"])
            w = torch.tensor(mb["target_weights"], dtype=torch.float32).view(mb["batch"], mb["seq_len"] - 1)
            logits = model(ids)  # right padding under a causal mask: real positions never see the pads
            logp = torch.log_softmax(logits[:, :-1], -1).gather(-1, ids[:, 1:, None])[..., 0]
            loss = -(logp * w).sum() / mb["target_weight"]
            (loss * (mb["target_weight"] / total_weight)).backward()
            loss_sum += loss.item() * mb["target_weight"]
            tokens += mb["real_tokens"]
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        seconds += time.perf_counter() - t0
        losses.append(loss_sum / total_weight)
    print(json.dumps({"seconds": seconds, "tokens": tokens, "tokens_per_s": tokens / seconds, "steps": len(steps), "first_loss": losses[0], "last_loss": losses[-1], "threads": torch.get_num_threads(), "blas": "openblas" if "openblas" in open("/proc/self/maps").read() else "other", "torch": torch.__version__}))


if __name__ == "__main__":
    main()
