"""PyTorch trace of Adam/AdamW on an nn.Embedding whose batches touch a few rows per step."""
import json, sys
import torch
torch.set_default_dtype(torch.float32)
init = [[0.1 * (r + 1) * (1 if c % 2 == 0 else -1) + 0.01 * c for c in range(3)] for r in range(6)]
steps = [
    ([0, 2, 2], [[1.0, -0.5, 0.25], [0.3, 0.2, -0.1], [-0.7, 0.4, 0.9]]),
    ([4], [[0.5, 0.5, -1.0]]),
    ([1, 0], [[-0.2, 0.8, 0.1], [0.6, -0.3, 0.05]]),
    ([5], [[0.01, -0.02, 0.03]]),
    ([2, 3], [[0.4, 0.4, 0.4], [-1.0, 0.0, 2.0]]),
]
cases = []
for name, make in [("adam", lambda p: torch.optim.Adam(p, lr=0.05)),
                   ("adamw", lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1))]:
    emb = torch.nn.Embedding(6, 3)
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(init))
    opt = make(emb.parameters())
    trace = []
    for idx, g in steps:
        opt.zero_grad()
        loss = (emb(torch.tensor(idx)) * torch.tensor(g)).sum()
        loss.backward()
        opt.step()
        trace.append(emb.weight.detach().tolist())
    cases.append({"optimizer": name, "weights_after_step": trace})
json.dump({"torch": torch.__version__, "init": init,
           "steps": [{"rows": i, "grad": g} for i, g in steps], "cases": cases},
          sys.stdout, indent=1)
