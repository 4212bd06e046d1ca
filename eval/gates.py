"""Gates: checked-in thresholds (eval/gates.toml) that a run's metrics must hold.

    [citation_recall]
    min = 0.8          # the metric must be >= 0.8
    [latency_p95_ms]
    max = 4000         # the metric must be <= 4000

A metric that is undefined (NaN) fails its gate: a gate that cannot be measured does not hold.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Mapping

from lexcite.errors import ConfigError

DEFAULT_GATES = Path(__file__).resolve().parent / "gates.toml"


@dataclass(frozen=True)
class Gate:
    metric: str
    op: str  # "min" | "max"
    threshold: float
    why: str = ""

    def holds(self, value: float) -> bool:
        if value is None or math.isnan(value):
            return False
        return value >= self.threshold if self.op == "min" else value <= self.threshold


@dataclass(frozen=True)
class GateResult:
    metric: str
    op: str
    threshold: float
    value: float
    passed: bool

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        sign = ">=" if self.op == "min" else "<="
        return f"{self.metric} = {self.value:.4g} (gate {sign} {self.threshold:g})"


def load_gates(path: Path = DEFAULT_GATES, known: Iterable[str] | None = None) -> list[Gate]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"gates file {path} not found; pass --gates FILE (default {DEFAULT_GATES})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"gates file {path} is not valid TOML: {exc}") from None
    known = set(known) if known is not None else None
    gates = []
    for metric, spec in data.items():
        if not isinstance(spec, dict):
            raise ConfigError(f"{path}: [{metric}] must be a table with `min = x` or `max = x`")
        if known is not None and metric not in known:
            raise ConfigError(f"{path}: [{metric}] is not a metric of this eval; known: {', '.join(sorted(known))}")
        bounds = {k: v for k, v in spec.items() if k in ("min", "max")}
        extra = set(spec) - {"min", "max", "why"}
        if not bounds or extra:
            raise ConfigError(f"{path}: [{metric}] needs `min = x` and/or `max = x` (found {', '.join(spec) or 'nothing'})")
        for op, value in bounds.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{path}: [{metric}] {op} must be a number, got {value!r}")
            gates.append(Gate(metric, op, float(value), str(spec.get("why", ""))))
    return gates


def check_gates(metrics: Mapping[str, float], gates: Iterable[Gate]) -> list[GateResult]:
    results = []
    for g in gates:
        if g.metric not in metrics:
            raise ConfigError(f"gate on {g.metric!r}, which this run does not measure; "
                              f"measured: {', '.join(sorted(metrics))}")
        value = float(metrics[g.metric])
        results.append(GateResult(g.metric, g.op, g.threshold, value, g.holds(value)))
    return results
