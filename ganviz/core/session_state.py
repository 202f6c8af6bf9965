"""The run inside a session, checked field by field against the trainer it goes into.

:func:`check_state` returns the state as :func:`ganviz.core.run_state.restore` takes it,
built only from what was checked: the networks' tensors have the shapes and types the
session's settings build, every weight and optimiser moment is finite (a NaN run must not
come back as a good one), counts are whole numbers in range, the curves fit their history.
A wrong field raises :class:`~ganviz.core.session_checks.Invalid` naming it.
"""

from __future__ import annotations

import torch

from ganviz.core.optimizers import OPTIMIZER_NAMES
from ganviz.core.session_checks import (
    FLOATS,
    MAX_COUNT,
    Invalid,
    count,
    describe,
    finite,
    mapping,
    number,
    refuse,
    tensor,
)

KEYS = ("step_count", "d_updates", "g_updates", "generator", "generator_ema", "discriminator",
        "opt_d", "opt_g", "optimizer_kinds", "rng", "eval_rng", "history", "last", "problem")
NETWORKS = {"generator": "generator weights", "generator_ema": "averaged generator weights",
            "discriminator": "discriminator weights"}
OPTIMIZERS = (("opt_d", "optimizer_d", "discriminator optimiser state"),
              ("opt_g", "optimizer_g", "generator optimiser state"))
# What each optimiser keeps per parameter (nothing before its first step): a state that
# lacks a moment would raise at the next step, one with another key is not torch's. An
# optimiser not listed (a subclass takes its base's keys) is checked by the rule below
# alone: "step" one number, every other key a finite tensor shaped like its parameter.
STATE_KEYS = {torch.optim.Adam: ("step", "exp_avg", "exp_avg_sq"),
              torch.optim.RMSprop: ("step", "square_avg"),
              torch.optim.SGD: ("momentum_buffer",)}
PARTIAL_STATE = (torch.optim.SGD,)  # SGD keeps its buffer only with momentum
SQUARES = ("exp_avg_sq", "square_avg")  # means of squared gradients: never below 0
HISTORY_KEYS = ("names", "capacity", "stride", "_steps", "_values", "_length", "_bucket_sum",
                "_bucket_count")
# A random stream's state: a CPU generator's is 5,056 bytes, a CUDA one's 16.
MAX_STREAM_BYTES = 2**16
# Normalisations: 1-D targets lie within ±50 (std up to 20); 2-D points within ±1e6
# (toy2d.points), so their mean and spread stay below 1e7.
MAX_NORMALISATION = 1e7
MAX_DIGITS = 10**8  # MNIST's training set has 60,000


def check_state(state, trainer) -> dict:
    """``state`` checked against ``trainer`` (built with the session's settings)."""
    mapping(state, "state", KEYS)
    clean = {key: count(state[key], f"state.{key}") for key in
             ("step_count", "d_updates", "g_updates")}
    for key, label in NETWORKS.items():
        clean[key] = network(state[key], f"state.{key}", label,
                             getattr(trainer, key).state_dict())
    kinds = mapping(state["optimizer_kinds"], "state.optimizer_kinds",
                    ("optimizer_d", "optimizer_g"))
    for kind in ("optimizer_d", "optimizer_g"):
        if type(kinds[kind]) is not str or kinds[kind] not in OPTIMIZER_NAMES:
            raise refuse(f"state.optimizer_kinds.{kind}", describe(kinds[kind]),
                         f"one of {', '.join(OPTIMIZER_NAMES)}")
    clean["optimizer_kinds"] = {kind: kinds[kind] for kind in ("optimizer_d", "optimizer_g")}
    for key, kind, label in OPTIMIZERS:
        # A state of another kind of optimiser is not restored (restore starts it afresh).
        used = kinds[kind] == trainer.settings[kind]
        clean[key] = optimizer(state[key], f"state.{key}", label,
                               getattr(trainer, key)) if used else None
    for key in ("rng", "eval_rng"):
        clean[key] = stream(state[key], f"state.{key}", getattr(trainer, key))
    clean["history"] = history(state["history"], "state.history", trainer.history)
    clean["last"] = last(state["last"], "state.last", tuple(trainer.last))
    clean["problem"] = problem(state["problem"], "state.problem", trainer)
    return clean


def network(value, field: str, label: str, reference: dict) -> dict:
    """A network's state_dict with exactly ``reference``'s names, shapes, types; finite."""
    mapping(value, field)
    missing = [key for key in reference if key not in value]
    extra = [key for key in value if key not in reference]
    if missing or extra:
        what = f"no {missing[0]}" if missing else f"an unknown {describe(extra[0])}"
        raise Invalid(f"{field} does not fit the network its settings build ({what})")
    for key, ref in reference.items():
        tensor(value[key], f"{field}[{key}]", (ref.dtype,), tuple(ref.shape))
    for key, ref in reference.items():
        if not finite(value[key]):
            raise Invalid(f"{label} hold NaN/inf (layer {key}); only finite weights are opened")
        if not ref.is_floating_point() and bool((value[key] < 0).any()):  # BatchNorm's count
            raise refuse(f"{field}[{key}]", "negative", "a count from 0")
    return {key: value[key] for key in reference}


def optimizer(value, field: str, label: str, built: torch.optim.Optimizer) -> dict | None:
    """An optimiser's state_dict for ``built`` (None: it starts afresh). Only the moments
    are taken from the file: the param_groups (learning rate, betas, flags such as
    fused or amsgrad) are ``built``'s own, which the settings then adjust as always."""
    if value is None:
        return None
    mapping(value, field, ("state", "param_groups"))
    reference = built.state_dict()
    groups, own = value["param_groups"], reference["param_groups"]
    if not isinstance(groups, list) or len(groups) != len(own) or not all(
            isinstance(g, dict) and type(g.get("params")) is list
            and all(type(i) is int for i in g["params"]) and g["params"] == r["params"]
            for g, r in zip(groups, own, strict=True)):
        raise Invalid(f"{field}.param_groups do not fit the networks its settings build")
    params = [p for group in built.param_groups for p in group["params"]]
    keys = next((k for cls, k in STATE_KEYS.items() if isinstance(built, cls)), None)
    partial = keys is None or isinstance(built, PARTIAL_STATE)
    state = mapping(value["state"], f"{field}.state")
    clean = {}
    for index, entry in state.items():
        if type(index) is not int or not 0 <= index < len(params):
            raise refuse(f"{field}.state key", describe(index),
                         f"a parameter's index from 0 to {len(params) - 1}")
        where = f"{field}.state[{index}]"
        mapping(entry, where)
        if entry and keys is not None and (set(entry) - set(keys) or
                                           (not partial and set(entry) != set(keys))):
            raise refuse(where, f"a dict of {', '.join(sorted(map(str, entry)))[:60]}",
                         f"{', '.join(keys)} (or nothing)")
        for key, item in entry.items():
            if type(key) is not str:
                raise refuse(f"{where} key", describe(key), "the name of a moment")
            if key == "momentum_buffer" and item is None:
                continue
            if key == "step":
                tensor(item, f"{where}.step", FLOATS, max_numel=1)
                if item.numel() != 1 or item.dim() > 1:
                    raise refuse(f"{where}.step", describe(item), "one number")
            else:
                param = params[index]
                tensor(item, f"{where}.{key}", (param.dtype,), tuple(param.shape))
            if not finite(item):
                raise Invalid(f"{label} holds NaN/inf (parameter {index}, {key}); only finite "
                              f"states are opened")
            if key in SQUARES and bool((item < 0).any()):  # sqrt() of it: NaN
                raise refuse(f"{where}.{key}", "negative in places",
                             "a running mean of squares (from 0)")
            if key == "step" and not 0 <= item.item() <= MAX_COUNT:
                raise refuse(f"{where}.step", f"{item.item():g}",
                             f"an update count from 0 to {MAX_COUNT:,}")
        clean[index] = dict(entry)
    return {"state": clean, "param_groups": own}


def stream(value, field: str, generator: torch.Generator) -> torch.Tensor:
    """A random stream's state: a byte tensor. One of this generator's size must be one
    it accepts; one of another size was saved on another kind of device, and restore
    starts the streams afresh (as it always has)."""
    tensor(value, field, (torch.uint8,), ndim=1, max_numel=MAX_STREAM_BYTES)
    value = value.contiguous()
    if value.numel() == generator.get_state().numel():
        try:
            torch.Generator(generator.device).set_state(value)
        except RuntimeError:  # "Invalid mt19937 state"
            raise Invalid(f"{field} is not a valid random stream state; expected one as "
                          f"torch saves it") from None
    return value


def history(value, field: str, reference) -> dict:
    """A BoundedHistory's fields (see history.py) for ``reference``'s curves and capacity;
    the recorded iterations finite and in order (values may be NaN or inf: a diverged
    iteration's losses are drawn as the live run drew them)."""
    mapping(value, field, HISTORY_KEYS)
    names = value["names"]
    if not isinstance(names, (tuple, list)) or not all(type(n) is str for n in names) or \
            tuple(names) != reference.names:
        raise refuse(f"{field}.names", describe(names), f"the curves {', '.join(reference.names)}")
    width = len(reference.names)
    capacity = count(value["capacity"], f"{field}.capacity", reference.capacity,
                     reference.capacity)
    stride = count(value["stride"], f"{field}.stride", 2**40, 1)
    if stride & (stride - 1):
        raise refuse(f"{field}.stride", f"{stride:,}", "a power of 2 (buckets double)")
    # Full buckets are merged at once (BoundedHistory.record): never `capacity` points.
    length = count(value["_length"], f"{field}._length", capacity - 1)
    bucket_count = count(value["_bucket_count"], f"{field}._bucket_count", stride - 1)
    steps = tensor(value["_steps"], f"{field}._steps", (torch.float64,), (capacity,))
    values = tensor(value["_values"], f"{field}._values", (torch.float64,), (capacity, width))
    bucket_sum = tensor(value["_bucket_sum"], f"{field}._bucket_sum", (torch.float64,),
                        (width,))
    kept = steps[:length]
    if not finite(kept) or bool((kept < 0).any()) or bool((kept > MAX_COUNT).any()) or \
            bool((kept[1:] < kept[:-1]).any()):
        raise Invalid(f"{field}._steps holds iterations that are not finite, in order and "
                      f"from 0 to {MAX_COUNT:,}")
    return {"names": reference.names, "capacity": capacity, "stride": stride,
            "_steps": steps.numpy().copy(), "_values": values.numpy().copy(),
            "_length": length, "_bucket_sum": bucket_sum.numpy().copy(),
            "_bucket_count": bucket_count}


def last(value, field: str, names: tuple) -> dict:
    """The last iteration's values: numbers (NaN before the first iteration)."""
    mapping(value, field, names)
    for name in names:
        if type(value[name]) not in (int, float):
            raise refuse(f"{field}.{name}", describe(value[name]), "a number")
    return {name: float(value[name]) for name in names}


def problem(value, field: str, trainer) -> dict:
    """What the data mode keeps (see each problem's keep_state)."""
    if trainer.mode in ("1d", "2d"):
        mapping(value, field, ("offset", "scale"))
        scale = number(value["scale"], f"{field}.scale", 0.0, MAX_NORMALISATION, positive=True)
        if trainer.mode == "1d":
            return {"offset": number(value["offset"], f"{field}.offset", -MAX_NORMALISATION,
                                     MAX_NORMALISATION), "scale": scale}
        offset = tensor(value["offset"], f"{field}.offset", FLOATS, (2,))
        if not finite(offset) or bool((offset.abs() > MAX_NORMALISATION).any()):
            raise refuse(f"{field}.offset", "not finite or too large",
                         f"two finite numbers within ±{MAX_NORMALISATION:g}")
        data_rng = value.get("data_rng")
        if data_rng is not None:
            data_rng = tensor(data_rng, f"{field}.data_rng", (torch.uint8,), ndim=1,
                              max_numel=MAX_STREAM_BYTES).contiguous()
        return {"offset": offset, "scale": scale, "data_rng": data_rng}
    mapping(value, field, ("order", "position", "count"))
    digits = count(value["count"], f"{field}.count", MAX_DIGITS, 1)
    source = value.get("source")
    clean = {"count": digits, "source": source[:100] if type(source) is str else None,
             "order": None, "position": 0}
    if digits != len(trainer.problem.pixels):
        return clean  # the problem refuses it, saying which data it was trained on
    order = value["order"]
    if order is not None:
        tensor(order, f"{field}.order", (torch.int64,), (digits,))
        if not torch.equal(torch.sort(order).values, torch.arange(digits)):
            raise refuse(f"{field}.order", "not a permutation",
                         f"each of the {digits:,} digits' indices once")
    clean["order"] = order
    clean["position"] = count(value["position"], f"{field}.position", digits)
    return clean
