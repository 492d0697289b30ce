"""预测 (forecast) of the next weeks' cases, with its back-tested error beside it. Pure; statsmodels does the fit.

Method by length of the weekly series (``season`` = 52 weeks):

- at least two full years plus the back-test: **Holt-Winters** (statsmodels ``ExponentialSmoothing``, additive
  damped trend and additive yearly season) — the standard for counts with a yearly rhythm, cheap to fit, and its
  three parts (level, trend, season) can be explained in a sentence;
- at least ``MIN_SMOOTH`` weeks: **Holt** (damped trend, no season) — too short to learn a season;
- shorter: the **naive** forecast (the mean of the last four weeks), and the page says the series is short.

The error is measured by a rolling-origin back-test: the model is fitted on the series up to an origin, forecasts
the next ``horizon`` weeks, and is compared with what came; the origins step back ``ORIGINS`` times from the end.
MAE (mean absolute error, in cases a week) and MAPE (mean absolute percentage error, over weeks with cases) are
shown, and the same for the **seasonal naive** baseline (the same week a year before; the last value when shorter)
so a reader sees whether the model earns its keep.
"""

import warnings
from dataclasses import dataclass

SEASON = 52
HORIZON = 4
ORIGINS = 6
MIN_SMOOTH = 16


@dataclass(frozen=True)
class Forecast:
    method: str  # holt_winters / holt / naive
    method_label: str
    values: tuple[float, ...]  # the next ``horizon`` weeks
    mae: float | None  # back-tested
    mape: float | None
    baseline_mae: float | None  # seasonal naive, same origins
    baseline_mape: float | None
    origins: int  # back-test origins used
    short: bool  # the series was too short for a seasonal model


LABELS = {"holt_winters": "Holt-Winters 季节指数平滑", "holt": "Holt 趋势指数平滑（序列不足两年，未计季节）",
          "naive": "近四周平均（序列过短）"}


def method_for(n: int, season: int = SEASON, horizon: int = HORIZON) -> str:
    if n >= 2 * season + horizon * 2:
        return "holt_winters"
    if n >= MIN_SMOOTH:
        return "holt"
    return "naive"


def _fit_predict(y: list[float], method: str, horizon: int, season: int) -> list[float]:
    import numpy as np

    if method == "naive" or len(y) < 4:
        tail = y[-4:] or [0.0]
        return [sum(tail) / len(tail)] * horizon
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    arr = np.asarray(y, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on flat series
        if method == "holt_winters":
            model = ExponentialSmoothing(arr, trend="add", damped_trend=True, seasonal="add",
                                         seasonal_periods=season, initialization_method="heuristic")
            # heuristic start values (two full seasons are required anyway): 10× faster than estimating 52 of them
        else:
            model = ExponentialSmoothing(arr, trend="add", damped_trend=True, initialization_method="estimated")
        fc = model.fit(use_brute=False).forecast(horizon)  # no grid search: 20× faster, same fit here
    return [max(0.0, float(v)) for v in fc]


def seasonal_naive(y: list[float], horizon: int, season: int = SEASON) -> list[float]:
    """The same week a season before (the last value when the series is shorter than a season)."""
    if len(y) >= season:
        return [y[len(y) - season + (h % season)] for h in range(horizon)]
    return [y[-1] if y else 0.0] * horizon


def _errors(pairs: list[tuple[float, float]]) -> tuple[float | None, float | None]:
    if not pairs:
        return None, None
    mae = sum(abs(a - f) for a, f in pairs) / len(pairs)
    pct = [abs(a - f) / a for a, f in pairs if a > 0]
    return round(mae, 2), (round(sum(pct) / len(pct), 4) if pct else None)


def forecast(weekly: list[float], horizon: int = HORIZON, season: int = SEASON, origins: int = ORIGINS) -> Forecast:
    """The forecast of the next ``horizon`` weeks of ``weekly`` (oldest first, complete weeks only)."""
    y = [float(v) for v in weekly]
    method = method_for(len(y), season, horizon)
    model_pairs, base_pairs, used = [], [], 0
    for k in range(origins, 0, -1):
        cut = len(y) - k * horizon
        if cut <= 0:
            continue
        train, actual = y[:cut], y[cut:cut + horizon]
        m = method_for(len(train), season, horizon)
        if m != method and method != "naive":  # the back-test measures the method shown, nothing else
            continue
        used += 1
        model_pairs += list(zip(actual, _fit_predict(train, method, len(actual), season), strict=True))
        base_pairs += list(zip(actual, seasonal_naive(train, len(actual), season), strict=True))
    mae, mape = _errors(model_pairs)
    bmae, bmape = _errors(base_pairs)
    values = tuple(round(v, 1) for v in _fit_predict(y, method, horizon, season))
    return Forecast(method, LABELS[method], values, mae, mape, bmae, bmape, used, method != "holt_winters")


def error_words(f: Forecast) -> str:
    """The back-tested error in a sentence for a leader."""
    if f.mae is None:
        return "数据太少，尚无法检验预测的准确程度，仅供参考。"
    s = f"按过去 {f.origins} 次「回头预测」检验，每周预测值与实际平均相差约 {f.mae:g} 件"
    if f.mape is not None:
        s += f"（约 {f.mape * 100:.0f}%）"
    if f.baseline_mae is not None:
        better = f.mae < f.baseline_mae
        s += f"；简单照搬{'去年同周' if not f.short else '上周'}的做法相差 {f.baseline_mae:g} 件，" + \
             ("本预测更准。" if better else "本预测并不比它更准，请谨慎参考。")
    else:
        s += "。"
    return s
