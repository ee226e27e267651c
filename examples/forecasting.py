"""Forecast ETTh1's oil temperature from causal embeddings, beside the last-value baseline.

    python examples/forecasting.py

Everything is fitted on the training rows only (scaler, encoder, ridge); the embedding of step t
sees steps t-100..t only, and the validation rows choose the ridge penalty.
"""

import os

import numpy as np
from sklearn.linear_model import Ridge

from tscl import ContrastiveEncoder
from tscl.data import load_dataset

STEPS = int(os.environ.get("TSCL_EXAMPLE_STEPS", "200"))
HORIZON = 24

data = load_dataset(
    "ETTh1", domain="forecast"
)  # (1, T_split, 7 calendar covariates + 'OT')
# A smaller encoder than TS2Vec's (depth 10, width 64) keeps this example to a few minutes on 2 cores:
# every step of every split is embedded from its own causal window.
model = ContrastiveEncoder(
    n_iters=STEPS, output_dims=64, hidden_dims=32, depth=6, random_state=0
).fit(data.X_train)


def samples(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Causal embeddings at each step, the next HORIZON target values, and the last observed value."""
    z = model.encode(x, window="sliding", padding=100)[
        0
    ]  # (T, 64): step t sees t-100..t
    target = x[0, :, -1]
    n = len(target) - HORIZON
    future = np.stack([target[t + 1 : t + 1 + HORIZON] for t in range(n)])
    return z[:n], future, target[:n, None].repeat(HORIZON, axis=1)


(z_tr, y_tr, _), (z_va, y_va, _), (z_te, y_te, last_te) = (
    samples(x) for x in (data.X_train, data.X_val, data.X_test)
)
alphas = [0.1, 1.0, 10.0, 100.0, 1000.0]
scores = [
    np.mean((Ridge(alpha=a).fit(z_tr, y_tr).predict(z_va) - y_va) ** 2) for a in alphas
]
alpha = alphas[int(np.argmin(scores))]  # chosen on validation rows only
ridge = Ridge(alpha=alpha).fit(z_tr, y_tr)
print(f"H={HORIZON}  ridge alpha {alpha} (validation MSE {min(scores):.4f})")
print(f"  embedding + ridge test MSE {np.mean((ridge.predict(z_te) - y_te) ** 2):.4f}")
print(f"  last value        test MSE {np.mean((last_te - y_te) ** 2):.4f}")
