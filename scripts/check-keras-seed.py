#!/usr/bin/env python3
# A numpy re-implementation of the Keras tutorial that --preset seed copies (Keras 2 semantics: \w+
# tokens, windows of 10 with stride 1, the last 10% of the windows for validation, one-hot LSTM 128
# with Keras' initializers, Dense softmax, RMSprop 0.01 rho 0.9 epsilon 1e-7 outside the square root,
# batch 128 shuffled each epoch), to see which setting moves the validation loss; README, Benchmarks.
# A check, not part of rnn: python3 scripts/check-keras-seed.py [--epochs N] [--hard-sigmoid] ...
import os, re, sys, time, argparse
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument('--corpus', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                              'shared', 'corpora', 'frankenstein.txt'))
ap.add_argument('--epochs', type=int, default=1)
ap.add_argument('--hard-sigmoid', action='store_true')
ap.add_argument('--clip-loss', action='store_true')
ap.add_argument('--forget-bias', type=float, default=1.0)
ap.add_argument('--recurrent', default='orthogonal')  # orthogonal | glorot
ap.add_argument('--eps-inside', action='store_true')
ap.add_argument('--lr', type=float, default=0.01)
ap.add_argument('--seed', type=int, default=1)
ap.add_argument('--random-split', action='store_true')
ap.add_argument('--max-batches', type=int, default=0)
args = ap.parse_args()

rng = np.random.default_rng(args.seed)
words = re.findall(r'\w+', open(args.corpus, encoding='utf-8').read())
vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}
V = len(vocab)
ids = np.array([vocab[w] for w in words], dtype=np.int64)
W = 10
n = len(ids) - W
X = np.stack([ids[i:i + n] for i in range(W)], axis=1)
Y = ids[W:W + n]
split = int(n * 0.9)
if args.random_split:
    perm = np.random.default_rng(123).permutation(n); X, Y = X[perm], Y[perm]
Xtr, Ytr, Xva, Yva = X[:split], Y[:split], X[split:], Y[split:]
print(f"V {V}, windows {n}, train {split}, valid {n - split}", flush=True)

H = 128
f32 = np.float32
def glorot(fan_in, fan_out):
    lim = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-lim, lim, (fan_in, fan_out)).astype(f32)
def orthogonal(rows, cols):
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    return (q.T if rows < cols else q).astype(f32)

P = {'Wx': glorot(V, 4 * H),
     'Wh': orthogonal(H, 4 * H) if args.recurrent == 'orthogonal' else glorot(H, 4 * H),
     'b': np.zeros(4 * H, f32), 'Wd': glorot(H, V), 'bd': np.zeros(V, f32)}
P['b'][H:2 * H] = args.forget_bias
S = {k: np.zeros_like(v) for k, v in P.items()}

def sig(z):
    if args.hard_sigmoid:
        return np.clip(0.2 * z + 0.5, 0, 1)
    return 1 / (1 + np.exp(-z))
def dsig(z, s):
    if args.hard_sigmoid:
        return ((z > -2.5) & (z < 2.5)).astype(f32) * f32(0.2)
    return s * (1 - s)

def forward(xb):
    B = xb.shape[0]
    h = np.zeros((B, H), f32); c = np.zeros((B, H), f32)
    cache = []
    for t in range(W):
        z = P['Wx'][xb[:, t]] + h @ P['Wh'] + P['b']
        zi, zf, zc, zo = z[:, :H], z[:, H:2*H], z[:, 2*H:3*H], z[:, 3*H:]
        i, f, g, o = sig(zi), sig(zf), np.tanh(zc), sig(zo)
        c_prev, h_prev = c, h
        c = f * c + i * g
        tc = np.tanh(c)
        h = o * tc
        cache.append((z, i, f, g, o, c_prev, h_prev, c, tc))
    logits = h @ P['Wd'] + P['bd']
    logits -= logits.max(1, keepdims=True)
    p = np.exp(logits); p /= p.sum(1, keepdims=True)
    return h, p, cache

EPS = 1e-7
def losses(p, yb):
    pt = p[np.arange(len(yb)), yb]
    if args.clip_loss:
        return -np.log(np.clip(pt, EPS, 1 - EPS)), (pt > EPS) & (pt < 1 - EPS)
    return -np.log(np.maximum(pt, 1e-30)), np.ones(len(yb), bool)

def grads(xb, yb):
    B = len(yb)
    h, p, cache = forward(xb)
    l, live = losses(p, yb)
    dlog = p.copy(); dlog[np.arange(B), yb] -= 1; dlog *= live[:, None]; dlog /= B
    G = {k: np.zeros_like(v) for k, v in P.items()}
    G['Wd'] = h.T @ dlog; G['bd'] = dlog.sum(0)
    dh = dlog @ P['Wd'].T; dc = np.zeros_like(dh)
    for t in reversed(range(W)):
        z, i, f, g, o, c_prev, h_prev, c, tc = cache[t]
        do = dh * tc
        dc = dc + dh * o * (1 - tc * tc)
        di = dc * g; dg = dc * i; df = dc * c_prev
        dz = np.concatenate([di * dsig(z[:, :H], i), df * dsig(z[:, H:2*H], f),
                             dg * (1 - g * g), do * dsig(z[:, 3*H:], o)], axis=1).astype(f32)
        G['b'] += dz.sum(0)
        G['Wh'] += h_prev.T @ dz
        np.add.at(G['Wx'], xb[:, t], dz)
        dh = dz @ P['Wh'].T
        dc = dc * f
    return l, G

def step(xb, yb):
    l, G = grads(xb, yb)
    for k in P:
        S[k] = f32(0.9) * S[k] + f32(0.1) * G[k] * G[k]
        if args.eps_inside:
            P[k] -= f32(args.lr) * G[k] / np.sqrt(S[k] + f32(EPS))
        else:
            P[k] -= f32(args.lr) * G[k] / (np.sqrt(S[k]) + f32(EPS))
    return l.mean()

seen = np.zeros(V, bool); seen[Ytr] = True; seen[Xtr[:, 0]] = True
def evaluate():
    ls = []
    for s in range(0, len(Yva), 1024):
        _, p, _ = forward(Xva[s:s + 1024])
        ls.append(-np.log(np.maximum(p[np.arange(len(Yva[s:s+1024])), Yva[s:s + 1024]], 1e-30)))
    l = np.concatenate(ls); u = ~seen[Yva]
    print(f"  unseen targets {u.sum()}: mean {l[u].mean():.3f}, seen: mean {l[~u].mean():.3f}; below 1e-7: {(l > 16.118).sum()}; clipped mean {np.minimum(l, 16.118).mean():.4f}")
    return l.mean()

for epoch in range(1, args.epochs + 1):
    t0 = time.time()
    order = rng.permutation(split)
    tl = 0.0; nb = 0
    for s in range(0, split, 128):
        idx = order[s:s + 128]
        tl += step(Xtr[idx], Ytr[idx]) * len(idx); nb += len(idx)
        if args.max_batches and s // 128 + 1 >= args.max_batches:
            break
    print(f"epoch {epoch}: train {tl / nb:.4f} valid {evaluate():.4f} ({time.time() - t0:.0f} s)", flush=True)
