"""L-BFGS with an optional strong-Wolfe line search (PyTorch 2.x semantics).

All parameters are treated as one flat vector (complex ones as real pairs).
``step(closure)`` runs up to ``max_iter`` quasi-Newton iterations, each
re-evaluating the loss through ``closure`` (which must zero the gradients,
compute the loss, call ``backward()`` and return the loss). The search
direction comes from the two-loop recursion over the last ``history_size``
curvature pairs; the step length is ``lr`` (the first iteration of all is
scaled by ``min(1, 1 / |g|_1)``), or is found by the strong-Wolfe line search
(``line_search_fn="strong_wolfe"``, cubic interpolation, as minFunc's).
The arithmetic is NumPy's, on the parameters' dtype, in PyTorch's order.

>>> import funcgrad.torch as torch
>>> x = torch.nn.Parameter(torch.tensor([1.5, -0.5], dtype=torch.float64))
>>> opt = torch.optim.LBFGS([x], line_search_fn="strong_wolfe")
>>> def closure():
...     opt.zero_grad()
...     loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2   # Rosenbrock
...     loss.backward()
...     return loss
>>> for _ in range(5):
...     _ = opt.step(closure)
>>> [round(v, 4) for v in x.tolist()]
[1.0, 1.0]
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

import numpy as np

import funcgrad.torch as torch

from .optimizer import (Optimizer, ParamsT, _array, _bump_version, _real_view,
                        check_hyperparameters)

__all__ = ["LBFGS"]


def _cubic_interpolate(x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any,
                       bounds: Optional[Tuple[Any, Any]] = None) -> Any:
    """The minimiser of the cubic through ``(x1, f1, g1)`` and ``(x2, f2, g2)``
    (values and slopes), clipped to ``bounds`` (default: between the points);
    their midpoint when the cubic has no minimum.

    >>> float(_cubic_interpolate(0.0, 1.0, -2.0, 2.0, 1.0, 2.0))   # (x - 1)**2
    1.0
    """
    if bounds is None:
        bounds = (x1, x2) if x1 <= x2 else (x2, x1)
    low, high = bounds
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, low), high)


def _strong_wolfe(evaluate: Callable[[Any], Tuple[float, np.ndarray]], t: Any,
                  d: np.ndarray, f: float, g: np.ndarray, gtd: Any, c1: float = 1e-4,
                  c2: float = 0.9, tolerance_change: float = 1e-9,
                  max_ls: int = 25) -> Tuple[float, np.ndarray, Any, int]:
    """A step length ``t`` along ``d`` satisfying the strong Wolfe conditions
    (sufficient decrease ``c1``, curvature ``c2``): first bracket it, growing
    the step by cubic extrapolation, then zoom into the bracket by cubic
    interpolation. ``evaluate(t)`` is the loss and flat gradient at ``x + t d``.
    Returns the loss, gradient and ``t`` found and the number of evaluations.
    """
    d_norm = np.max(np.abs(d))
    f_new, g_new = evaluate(t)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g.copy(), gtd
    done = False
    ls_iter = 0
    bracket: List[Any]
    bracket_gtd: List[Any] = []
    # 1. bracketing
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate: a step between 1.01 t and 10 t
        grown = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                   bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new.copy(), gtd_new
        t = grown
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:  # the search ran out: the last step and the start
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
    # 2. zoom
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # keep t away from the bracket's ends, unless progress there is real
        top, bottom = max(bracket), min(bracket)
        margin = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < margin:
            if insufficient_progress or t >= top or t <= bottom:
                t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            # not lower than the low end: t becomes the high end
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.copy(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


class LBFGS(Optimizer):
    """L-BFGS (see the module docstring). One parameter group only.

    State (of the first parameter, as in PyTorch): ``func_evals``, ``n_iter``,
    ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``,
    ``prev_flat_grad``, ``prev_loss`` (and ``al``).

    >>> import funcgrad.torch as torch
    >>> torch.optim.LBFGS([{"params": [torch.nn.Parameter(torch.ones(1))]},
    ...                    {"params": [torch.nn.Parameter(torch.ones(1))]}])
    Traceback (most recent call last):
        ...
    ValueError: LBFGS doesn't support per-parameter options (parameter groups)
    """

    def __init__(self, params: ParamsT, lr: float = 1, max_iter: int = 20,
                 max_eval: Optional[int] = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: Optional[str] = None) -> None:
        check_hyperparameters(lr=lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # --- the parameters as one flat vector ---------------------------------------
    def _views(self) -> List[np.ndarray]:
        return [_real_view(_array(p)) for p in self._params]

    def _flat_grad(self) -> np.ndarray:
        parts = []
        for p, view in zip(self._params, self._views()):
            if p.grad is None:
                parts.append(np.zeros(view.size, view.dtype))
            else:
                parts.append(_real_view(_array(p.grad)).reshape(-1))
        return np.concatenate(parts)

    def _add(self, t: Any, d: np.ndarray) -> None:
        offset = 0
        for p, view in zip(self._params, self._views()):
            n = view.size
            view += view.dtype.type(t) * d[offset:offset + n].reshape(view.shape)
            offset += n
            _bump_version(p)

    def _set(self, saved: List[np.ndarray]) -> None:
        for p, view, value in zip(self._params, self._views(), saved):
            view[...] = value
            _bump_version(p)

    # --- the step ----------------------------------------------------------------------
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` iterations; returns the loss ``closure()``
        gave first (before any update)."""
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        def evaluate() -> Tuple[Any, float, np.ndarray]:
            with torch.enable_grad():
                out = closure()
            with torch.no_grad():
                return out, float(out), self._flat_grad()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss, loss, flat_grad = evaluate()
        current_evals = 1
        state["func_evals"] += 1
        if np.max(np.abs(flat_grad)) <= tolerance_grad:
            self._note_step()
            return orig_loss

        d = _as_array(state.get("d"))
        t = state.get("t")
        old_dirs = [_array(v) for v in state.get("old_dirs", [])]
        old_stps = [_array(v) for v in state.get("old_stps", [])]
        ro = list(state.get("ro", []))
        h_diag = state.get("H_diag")
        prev_flat_grad = _as_array(state.get("prev_flat_grad"))
        prev_loss = state.get("prev_loss")

        n_iter = 0
        with torch.no_grad():
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1
                # the direction: steepest descent first, then the two-loop recursion
                if state["n_iter"] == 1:
                    d = -flat_grad
                    old_dirs, old_stps, ro = [], [], []
                    h_diag = 1
                else:
                    y = flat_grad - prev_flat_grad
                    s = d * t
                    ys = y.dot(s)
                    if ys > 1e-10:  # a curvature pair only when it is positive
                        if len(old_dirs) == history_size:
                            old_dirs.pop(0)
                            old_stps.pop(0)
                            ro.pop(0)
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        h_diag = ys / y.dot(y)
                    al = [None] * len(old_dirs)
                    q = -flat_grad
                    for i in range(len(old_dirs) - 1, -1, -1):
                        al[i] = old_stps[i].dot(q) * ro[i]
                        q = q - al[i] * old_dirs[i]
                    d = r = q * h_diag
                    for i in range(len(old_dirs)):
                        be_i = old_dirs[i].dot(r) * ro[i]
                        r += (al[i] - be_i) * old_stps[i]
                    state["al"] = [torch.tensor(a) for a in al]
                prev_flat_grad = flat_grad.copy()
                prev_loss = loss
                # the step length
                if state["n_iter"] == 1:
                    t = min(1.0, 1.0 / np.sum(np.abs(flat_grad))) * lr
                else:
                    t = lr
                gtd = flat_grad.dot(d)
                if gtd > -tolerance_change:  # not a descent direction
                    break
                ls_evals = 0
                if line_search_fn is not None:
                    if line_search_fn != "strong_wolfe":
                        raise RuntimeError("only 'strong_wolfe' is supported")
                    start = [v.copy() for v in self._views()]

                    def along(step: Any) -> Tuple[float, np.ndarray]:
                        self._add(step, d)
                        _, value, grad = evaluate()
                        self._set(start)
                        return value, grad

                    loss, flat_grad, t, ls_evals = _strong_wolfe(
                        along, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                    self._add(t, d)
                    opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
                else:
                    self._add(t, d)
                    opt_cond = False
                    if n_iter != max_iter:  # re-evaluate, unless this was the last one
                        _, loss, flat_grad = evaluate()
                        opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
                        ls_evals = 1
                current_evals += ls_evals
                state["func_evals"] += ls_evals
                if (n_iter == max_iter or current_evals >= max_eval or opt_cond
                        or np.max(np.abs(d * t)) <= tolerance_change
                        or abs(loss - prev_loss) < tolerance_change):
                    break

        state["d"] = torch.from_numpy(d)
        state["t"] = t
        state["old_dirs"] = [torch.from_numpy(v) for v in old_dirs]
        state["old_stps"] = [torch.from_numpy(v) for v in old_stps]
        state["ro"] = ro
        state["H_diag"] = h_diag
        state["prev_flat_grad"] = torch.from_numpy(prev_flat_grad)
        state["prev_loss"] = prev_loss
        self._note_step()
        return orig_loss


def _as_array(t: Any) -> Optional[np.ndarray]:
    return None if t is None else np.array(_array(t), copy=True)
