#!/usr/bin/python3
"""The VecLm language model in PyTorch, written the pytorch/examples word_language_model way: the peer that
bench/train times against `veclm train`. Same data handling (tokens not in the vectors' vocabulary become <unk>,
each line ends with </s>), same model (frozen pretrained embedding -> dropout -> 2-layer LSTM -> dropout -> a
Linear head), same training (batch parallel streams, truncated BPTT with the hidden state detached between
chunks, Adam, gradient-norm clipping), cosine or softmax head.

Usage: /usr/bin/python3 bench/train_pytorch.py TRAIN VECTORS --loss cosine|softmax [--steps 200] [--hidden 256]
       [--layers 2] [--batch 32] [--bptt 35] [--lr 2e-3] [--clip 1.0] [--dropout 0.2] [--threads 1] [--seed 1]
Prints one line: "pytorch <loss>: <tokens> tokens in <seconds> s: <tokens/s> tokens/s, final loss <loss>".
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_word2vec_binary(path):
    """Google word2vec binary: a "count dim" header line, then per word: the word, a space, dim float32s, '\\n'."""
    with open(path, "rb") as f:
        data = f.read()
    header_end = data.index(b"\n")
    count, dim = map(int, data[:header_end].split())
    words, vectors, pos = [], np.empty((count, dim), dtype=np.float32), header_end + 1
    for i in range(count):
        space = data.index(b" ", pos)
        words.append(data[pos:space].decode("utf-8").lstrip("\n"))
        pos = space + 1
        vectors[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=pos)
        pos += 4 * dim
        if pos < len(data) and data[pos:pos + 1] == b"\n":
            pos += 1
    return words, vectors


class Corpus:
    """data.py: the training text as one long tensor of word ids."""

    def __init__(self, path, words):
        index = {w: i for i, w in enumerate(words)}
        unk, eos = index.get("<unk>", -1), index["</s>"]
        ids = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                tokens = line.split()
                if not tokens:
                    continue
                ids.extend(index.get(t, unk) for t in tokens)
                ids.append(eos)
        self.train = torch.tensor(ids, dtype=torch.long)


class RNNModel(nn.Module):
    """model.py: encoder (frozen pretrained vectors), LSTM, decoder (the head)."""

    def __init__(self, vectors, nhid, nlayers, nout, dropout):
        super().__init__()
        ntoken, ninp = vectors.shape
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.encoder.weight.data.copy_(torch.from_numpy(vectors))
        self.encoder.weight.requires_grad = False
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, nout)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        self.nhid, self.nlayers = nhid, nlayers

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))          # [T, B, m]
        output, hidden = self.rnn(emb, hidden)         # [T, B, H]
        output = self.drop(output)
        return self.decoder(output), hidden            # [T, B, out]

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data.narrow(0, 0, nbatch * bsz).view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len]


def repackage_hidden(h):
    return tuple(v.detach() for v in h)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("train")
    p.add_argument("vectors")
    p.add_argument("--loss", choices=["cosine", "softmax"], default="cosine")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--bptt", type=int, default=35)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--valid", help="after training, the mean loss (and perplexity) on this text, batch 10")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    words, vectors = load_word2vec_binary(args.vectors)
    train_data = batchify(Corpus(args.train, words).train, args.batch)
    targets = F.normalize(torch.from_numpy(vectors), dim=1)
    nout = len(words) if args.loss == "softmax" else vectors.shape[1]
    model = RNNModel(vectors, args.hidden, args.layers, nout, args.dropout)
    params = [q for q in model.parameters() if q.requires_grad]
    optimizer = torch.optim.Adam(params, lr=args.lr)

    model.train()
    hidden = model.init_hidden(args.batch)
    tokens, steps, loss_value = 0, 0, float("nan")
    start = time.perf_counter()
    for i in range(0, train_data.size(0) - 1, args.bptt):
        if steps == args.steps:
            break
        data, target = get_batch(train_data, i, args.bptt)
        target = target.reshape(-1)
        hidden = repackage_hidden(hidden)
        optimizer.zero_grad()
        output, hidden = model(data, hidden)
        output = output.view(-1, nout)
        if args.loss == "softmax":
            loss = F.cross_entropy(output, target)
        else:
            loss = (1 - F.cosine_similarity(output, targets[target], dim=1, eps=1e-8)).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, args.clip)
        optimizer.step()
        loss_value = loss.item()
        tokens += target.numel()
        steps += 1
    seconds = time.perf_counter() - start
    print(f"pytorch {args.loss}: {tokens} tokens in {seconds:.2f} s: {tokens / seconds:.0f} tokens/s, final loss {loss_value:.4f}")
    if args.valid:
        valid_loss = evaluate(model, batchify(Corpus(args.valid, words).train, 10), args, nout, targets)
        extra = f", perplexity {math.exp(valid_loss):.1f}" if args.loss == "softmax" else ""
        print(f"pytorch {args.loss}: valid loss {valid_loss:.4f}{extra}")


def evaluate(model, data, args, nout, targets):
    """word_language_model's evaluate: eval mode, hidden state carried, the mean loss per target token."""
    model.eval()
    total, count = 0.0, 0
    hidden = model.init_hidden(10)
    with torch.no_grad():
        for i in range(0, data.size(0) - 1, args.bptt):
            x, y = get_batch(data, i, args.bptt)
            y = y.reshape(-1)
            output, hidden = model(x, hidden)
            output = output.view(-1, nout)
            if args.loss == "softmax":
                loss = F.cross_entropy(output, y, reduction="sum")
            else:
                loss = (1 - F.cosine_similarity(output, targets[y], dim=1, eps=1e-8)).sum()
            total += loss.item()
            count += y.numel()
    return total / count


if __name__ == "__main__":
    main()
