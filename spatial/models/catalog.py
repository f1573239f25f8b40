"""The table of models: one row per model, read by the estimator, the renderings and the CLI.

Each row says which spatial terms a model has (a lag of y, a spatial error, lags of X), which
estimator family fits it by default (:mod:`spatial.models.families`) and how it is labelled in
English and Chinese. Adding a model means one row here (plus a family module when no existing
family handles its terms); nothing else tests the model's name.

Examples
--------
>>> from spatial.models.catalog import MODELS, model_info
>>> model_info("sdm").lag, model_info("sdm").durbin, model_info("sdm").error
(True, True, False)
>>> [m.name for m in MODELS.values() if m.error]
['sem', 'sdem', 'sac']
>>> model_info("sdm").label("zh")
'空间杜宾模型 (SDM)'
"""

from __future__ import annotations

from dataclasses import dataclass

from spatial.errors import SpatialPanelError

__all__ = ["ModelInfo", "MODELS", "MODEL_NAMES", "model_info"]


@dataclass(frozen=True)
class ModelInfo:
    """One model: its spatial terms, estimator family and labels."""

    name: str
    lag: bool  # rho W y
    error: bool  # lambda W u
    durbin: bool  # W X
    family: str  # the default estimator family: a name in spatial.models.families.REGISTRY
    short: str  # column heading of a journal table
    label_en: str
    label_zh: str
    base: str | None  # the model without its spatial parameters (the LR test's restricted model)

    @property
    def n_spatial(self) -> int:
        """Number of spatial parameters (rho, lambda) estimated by likelihood."""
        return int(self.lag) + int(self.error)

    @property
    def lag_effects(self) -> bool:
        """Effects through (I - rho W)^-1 (otherwise they are the coefficients themselves)."""
        return self.lag

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang == "zh" else self.label_en


MODELS: dict[str, ModelInfo] = {m.name: m for m in (
    ModelInfo("ols", False, False, False, "least_squares", "OLS", "OLS", "普通最小二乘 (OLS)", None),
    ModelInfo("slx", False, False, True, "least_squares", "SLX", "SLX (spatial lag of X)",
              "空间滞后解释变量模型 (SLX)", None),
    ModelInfo("sar", True, False, False, "concentrated_ml", "SAR", "SAR (spatial lag)", "空间滞后模型 (SAR)", "ols"),
    ModelInfo("sem", False, True, False, "concentrated_ml", "SEM", "SEM (spatial error)", "空间误差模型 (SEM)", "ols"),
    ModelInfo("sdm", True, False, True, "concentrated_ml", "SDM", "SDM (spatial Durbin)", "空间杜宾模型 (SDM)", "slx"),
    ModelInfo("sdem", False, True, True, "concentrated_ml", "SDEM", "SDEM (spatial Durbin error)", "空间杜宾误差模型 (SDEM)",
              "slx"),
    ModelInfo("sac", True, True, False, "concentrated_ml", "SAC", "SAC (spatial lag and error)", "空间自相关模型 (SAC)", "ols"),
)}
MODEL_NAMES: tuple[str, ...] = tuple(MODELS)


def model_info(name: str) -> ModelInfo:
    """The row of ``name``.

    Raises
    ------
    SpatialPanelError
        For a name not in the table (the allowed names listed).
    """
    try:
        return MODELS[name]
    except (KeyError, TypeError):
        raise SpatialPanelError(f"model={name!r} is not allowed; choose one of {', '.join(MODEL_NAMES)}") from None
