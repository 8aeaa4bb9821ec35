#!/usr/bin/env python3
"""A small reference Qwen2 in plain PyTorch (no transformers), the peer for ars's benchmarks and equivalence checks.

Loads a Hugging Face folder (config.json + model.safetensors, parsed here without the safetensors package) and
either prints logits for token ids (`logits`) or times training steps (`train`: forward + backward + AdamW).
Every command prints one JSON object on stdout.
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F16": np.float16}


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        raw = data[begin:end]
        if e["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=DTYPES[e["dtype"]]).astype(np.float32)
        out[name] = torch.from_numpy(arr.copy()).reshape(e["shape"])
    return out


class Qwen2(torch.nn.Module):
    def __init__(self, cfg, weights):
        super().__init__()
        self.cfg = cfg
        self.h = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg.get("num_key_value_heads", self.nh)
        self.d = cfg.get("head_dim", self.h // self.nh)
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.theta = cfg.get("rope_theta", 10000.0)
        self.tied = cfg.get("tie_word_embeddings", False)
        self.params = torch.nn.ParameterDict({k.replace(".", "__"): torch.nn.Parameter(v) for k, v in weights.items() if not (self.tied and k == "lm_head.weight")})

    def p(self, name):
        return self.params[name.replace(".", "__")]

    def rms(self, x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * w

    def rope(self, x, pos):  # x [B, heads, T, d]
        inv = 1.0 / (self.theta ** (torch.arange(0, self.d, 2, dtype=torch.float32) / self.d))
        freqs = pos[:, None].float() * inv[None, :]
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos(), emb.sin()
        x1, x2 = x[..., : self.d // 2], x[..., self.d // 2 :]
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def forward(self, ids):
        B, T = ids.shape
        pos = torch.arange(T)
        x = F.embedding(ids, self.p("model.embed_tokens.weight"))
        mask = torch.full((T, T), float("-inf")).triu(1)
        for i in range(self.cfg["num_hidden_layers"]):
            pre = f"model.layers.{i}"
            h = self.rms(x, self.p(f"{pre}.input_layernorm.weight"))
            def lin(n, t):
                b = f"{pre}.{n}.bias"
                return F.linear(t, self.p(f"{pre}.{n}.weight"), self.p(b) if b.replace(".", "__") in self.params else None)
            q = lin("self_attn.q_proj", h).view(B, T, self.nh, self.d).transpose(1, 2)
            k = lin("self_attn.k_proj", h).view(B, T, self.nkv, self.d).transpose(1, 2)
            v = lin("self_attn.v_proj", h).view(B, T, self.nkv, self.d).transpose(1, 2)
            q, k = self.rope(q, pos), self.rope(k, pos)
            g = self.nh // self.nkv
            k, v = k.repeat_interleave(g, 1), v.repeat_interleave(g, 1)
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.d) + mask, -1) @ v
            x = x + F.linear(att.transpose(1, 2).reshape(B, T, self.nh * self.d), self.p(f"{pre}.self_attn.o_proj.weight"))
            h = self.rms(x, self.p(f"{pre}.post_attention_layernorm.weight"))
            act = F.silu(F.linear(h, self.p(f"{pre}.mlp.gate_proj.weight"))) * F.linear(h, self.p(f"{pre}.mlp.up_proj.weight"))
            x = x + F.linear(act, self.p(f"{pre}.mlp.down_proj.weight"))
        x = self.rms(x, self.p("model.norm.weight"))
        head = self.p("model.embed_tokens.weight") if self.tied else self.p("lm_head.weight")
        return F.linear(x, head)


def load(folder):
    cfg = json.load(open(f"{folder}/config.json"))
    return Qwen2(cfg, load_safetensors(f"{folder}/model.safetensors"))


def main():
    cmd, folder = sys.argv[1], sys.argv[2]
    model = load(folder)
    if cmd == "logits":
        ids = torch.tensor(json.loads(sys.stdin.read()), dtype=torch.long)
        with torch.no_grad():
            logits = model(ids)
        print(json.dumps({"shape": list(logits.shape), "logits": logits.reshape(-1).tolist()}))
    elif cmd == "train":
        batch, seq, steps = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        if len(sys.argv) > 6:
            torch.set_num_threads(int(sys.argv[6]))
        if len(sys.argv) > 7:  # the caller's token ids (a JSON list), so both sides train on the same batch
            ids = torch.tensor(json.load(open(sys.argv[7])), dtype=torch.long).view(batch, seq)
        else:
            gen = torch.Generator().manual_seed(0)
            ids = torch.randint(0, model.cfg["vocab_size"], (batch, seq), generator=gen)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
        times = []
        losses = []
        cpu_times = []
        for step in range(steps + 1):
            t0 = time.perf_counter()
            c0 = time.process_time()
            logits = model(ids)
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            losses.append(loss.item())
            if step > 0:  # the first step warms up allocators
                times.append(time.perf_counter() - t0)
                cpu_times.append(time.process_time() - c0)
        blas = "openblas" if "openblas" in open("/proc/self/maps").read() else "other"
        print(json.dumps({"seconds": sorted(times)[len(times) // 2], "times": times, "cpu_seconds": sorted(cpu_times)[len(cpu_times) // 2], "loss": loss.item(), "losses": losses, "threads": torch.get_num_threads(), "blas": blas, "torch": torch.__version__}))
    elif cmd == "train-micro":
        # One step (forward + backward + clip + AdamW) of batch × seq in micro-batches of `micro` rows with gradient
        # accumulation: how a big model's step fits in memory (bench/train-memory.bench.ts reads the peak RSS).
        batch, seq, micro, threads = (int(a) for a in sys.argv[3:7])
        torch.set_num_threads(threads)
        gen = torch.Generator().manual_seed(0)
        ids = torch.randint(0, model.cfg["vocab_size"], (batch, seq), generator=gen)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
        t0, c0 = time.perf_counter(), time.process_time()
        total = 0.0
        opt.zero_grad()
        for start in range(0, batch, micro):
            part = ids[start : start + micro]
            logits = model(part)
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), part[:, 1:].reshape(-1)) * part.shape[0] / batch
            loss.backward()
            total += loss.item()
            del logits, loss
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        blas = "openblas" if "openblas" in open("/proc/self/maps").read() else "other"
        print(json.dumps({"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0, "loss": total, "threads": torch.get_num_threads(), "blas": blas, "torch": torch.__version__}))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
