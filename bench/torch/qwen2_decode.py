#!/usr/bin/env python3
"""PyTorch eager Qwen2 with a KV cache: the peer for bench/generate.bench.ts.

Reads a Hugging Face folder (config.json + model.safetensors, fp32) with a tiny safetensors parser (the Debian
image has torch but not the safetensors package), then either prints the logits of a prompt (--logits, for the
equivalence check) or times greedy decoding at a batch size and prints one JSON line.
Written from transformers' modeling_qwen2 (eager attention): RMSNorm, RoPE, GQA via repeat_kv, SwiGLU.
"""
import argparse, json, math, struct, sys, time
import numpy as np
import torch


def load_safetensors(path):
    """Tensor by tensor straight into its own buffer, as safetensors' loader does: the weights are in memory once
    (reading the whole file and then copying each tensor out, as this peer first did, held them twice)."""
    out = {}
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        start = 8 + n
        for name, info in header.items():
            if name == '__metadata__':
                continue
            if info['dtype'] != 'F32':
                raise SystemExit(f'{path}: {name}: only F32 supported here, got {info["dtype"]}')
            a, b = info['data_offsets']
            arr = np.empty(info['shape'], dtype=np.float32)
            f.seek(start + a)
            if f.readinto(memoryview(arr).cast('B')) != b - a:
                raise SystemExit(f'{path}: {name}: short read')
            out[name] = torch.from_numpy(arr)
    return out


class Qwen2:
    def __init__(self, folder, mv=True):
        self.mv = mv
        self.cfg = json.load(open(f'{folder}/config.json'))
        self.w = load_safetensors(f'{folder}/model.safetensors')
        c = self.cfg
        self.h = c['hidden_size']
        self.nh = c['num_attention_heads']
        self.kvh = c.get('num_key_value_heads', self.nh)
        self.d = c.get('head_dim', self.h // self.nh)
        self.eps = c.get('rms_norm_eps', 1e-6)
        self.layers = c['num_hidden_layers']
        theta = c.get('rope_theta', 10000.0)
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, self.d, 2, dtype=torch.float32) / self.d))
        self.lm_head = self.w['model.embed_tokens.weight'] if c.get('tie_word_embeddings') else self.w['lm_head.weight']

    def rms(self, x, w):
        var = x.pow(2).mean(-1, keepdim=True)
        return w * (x * torch.rsqrt(var + self.eps))

    @staticmethod
    def rotate_half(x):
        x1, x2 = x.chunk(2, dim=-1)
        return torch.cat((-x2, x1), dim=-1)

    def linear(self, x, name, bias=True):
        w = self.w[name + '.weight']
        b = self.w.get(name + '.bias') if bias else None
        if self.mv and x.shape[0] * x.shape[1] == 1:
            # One row (batch-1 decode): a matrix-vector product, as a careful user routes it (OpenBLAS gemv
            # beats a 1-row gemm); issue 12.
            y = torch.mv(w, x.reshape(-1))
            return (y if b is None else y + b).view(1, 1, -1)
        return torch.nn.functional.linear(x, w, b)

    def forward(self, ids, positions, mask, cache):
        """ids/positions [B, S]; mask [B, T] (1 = real); cache: list of (k, v) [B, kvh, P, d] or None."""
        B, S = ids.shape
        x = self.w['model.embed_tokens.weight'][ids]
        freqs = positions[..., None].float() * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        T = mask.shape[1]
        causal = torch.arange(T)[None, :] <= (torch.arange(T - S, T)[:, None])
        allowed = causal[None] & mask[:, None, :].bool()
        bias = torch.zeros(B, 1, S, T).masked_fill(~allowed[:, None], torch.finfo(torch.float32).min)
        new_cache = []
        rep = self.nh // self.kvh
        for l in range(self.layers):
            p = f'model.layers.{l}'
            hn = self.rms(x, self.w[f'{p}.input_layernorm.weight'])
            q = self.linear(hn, f'{p}.self_attn.q_proj').view(B, S, self.nh, self.d).transpose(1, 2)
            k = self.linear(hn, f'{p}.self_attn.k_proj').view(B, S, self.kvh, self.d).transpose(1, 2)
            v = self.linear(hn, f'{p}.self_attn.v_proj').view(B, S, self.kvh, self.d).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            if cache is not None:
                k = torch.cat((cache[l][0], k), dim=2)
                v = torch.cat((cache[l][1], v), dim=2)
            new_cache.append((k, v))
            kr = k[:, :, None].expand(B, self.kvh, rep, T, self.d).reshape(B, self.nh, T, self.d)
            vr = v[:, :, None].expand(B, self.kvh, rep, T, self.d).reshape(B, self.nh, T, self.d)
            scores = q @ kr.transpose(2, 3) / math.sqrt(self.d) + bias
            attn = torch.softmax(scores, dim=-1) @ vr
            attn = attn.transpose(1, 2).reshape(B, S, self.nh * self.d)
            x = x + self.linear(attn, f'{p}.self_attn.o_proj', bias=False)
            hn = self.rms(x, self.w[f'{p}.post_attention_layernorm.weight'])
            gate = self.linear(hn, f'{p}.mlp.gate_proj', bias=False)
            up = self.linear(hn, f'{p}.mlp.up_proj', bias=False)
            x = x + self.linear(torch.nn.functional.silu(gate) * up, f'{p}.mlp.down_proj', bias=False)
        x = self.rms(x, self.w['model.norm.weight'])
        if self.mv and B * S == 1:
            return torch.mv(self.lm_head, x.reshape(-1)).view(1, 1, -1), new_cache
        return x @ self.lm_head.T, new_cache


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('folder')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--batch', type=int, default=1)
    ap.add_argument('--prompt', type=int, default=16)
    ap.add_argument('--tokens', type=int, default=64)
    ap.add_argument('--no-mv', action='store_true', help='single-row products through linear (gemm), not torch.mv')
    ap.add_argument('--logits', help='comma-separated token ids: print their logits as JSON and exit')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    m = Qwen2(a.folder, mv=not a.no_mv)
    with torch.inference_mode():
        if a.logits:
            ids = torch.tensor([[int(t) for t in a.logits.split(',')]])
            logits, _ = m.forward(ids, torch.arange(ids.shape[1])[None], torch.ones_like(ids), None)
            json.dump(logits[0].tolist(), sys.stdout)
            return
        vocab = m.cfg['vocab_size']
        ids = (torch.arange(a.batch * a.prompt).reshape(a.batch, a.prompt) * 7 + 3) % vocab
        mask = torch.ones_like(ids)
        positions = torch.arange(a.prompt)[None].expand(a.batch, -1)
        t0 = time.perf_counter()
        logits, cache = m.forward(ids, positions, mask, None)
        t1 = time.perf_counter()
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        for step in range(a.tokens - 1):
            pos = a.prompt + step
            mask = torch.ones(a.batch, pos + 1, dtype=torch.long)
            logits, cache = m.forward(nxt, torch.full((a.batch, 1), pos), mask, cache)
            nxt = logits[:, -1].argmax(-1, keepdim=True)
        t2 = time.perf_counter()
    blas = 'openblas' if 'openblas' in open('/proc/self/maps').read() else 'unknown'
    print(json.dumps({'prefill_ms': (t1 - t0) * 1e3, 'decode_ms': (t2 - t1) * 1e3, 'decode_tokens': a.batch * (a.tokens - 1),
                      'tokens_per_s': a.batch * (a.tokens - 1) / (t2 - t1), 'threads': torch.get_num_threads(), 'torch': torch.__version__,
                      'blas': blas, 'mkldnn': torch.backends.mkldnn.is_available(), 'mv': m.mv}))


if __name__ == '__main__':
    main()
