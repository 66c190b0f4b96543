"""The PLS path model of driver analysis: hand-computed cases, a synthetic survey with known
coefficients, and plspm's published results on its bank satisfaction survey."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from carecenter.domain.drivers import PathModel, PlsResult, Scheme, drivers, pls_path_model

BANK = Path("/work/shared/data/surveys/plspm_bank_satisfaction_250.csv")

# Two uncorrelated attributes, each one item, and y = 3 x1 + x2 exactly.
X1 = [1.0, -1.0, 1.0, -1.0]
X2 = [1.0, 1.0, -1.0, -1.0]


def _single_items(columns: list[list[float]]) -> tuple[np.ndarray, PathModel]:
    data = np.array(columns, dtype=np.float64).T
    names = [f"a{k}" for k in range(1, len(columns))] + ["o"]
    blocks = {n: [k] for k, n in enumerate(names)}
    return data, PathModel(blocks, [(n, "o") for n in names[:-1]])


def test_uncorrelated_attributes_get_their_standardized_coefficients() -> None:
    y = [3 * a + b for a, b in zip(X1, X2, strict=True)]
    data, model = _single_items([X1, X2, y])
    result = pls_path_model(data, model)
    # standardized: sd(x1) = sd(x2) = 1, sd(y) = sqrt(10): beta = 3/sqrt(10), 1/sqrt(10)
    assert result.path[2, :2] == pytest.approx([3 / math.sqrt(10), 1 / math.sqrt(10)], abs=1e-12)
    assert result.r2["o"] == pytest.approx(1.0, abs=1e-12)
    found = drivers(result, "o")
    assert [d.attribute for d in found] == ["a1", "a2"]
    assert [d.importance for d in found] == pytest.approx([0.75, 0.25], abs=1e-12)


def test_correlated_attributes_match_the_two_predictor_formula_and_lstsq() -> None:
    rng = np.random.default_rng(7)
    x1 = rng.normal(size=200)
    x2 = 0.6 * x1 + rng.normal(size=200)
    y = 0.5 * x1 + 0.3 * x2 + rng.normal(size=200)
    data, model = _single_items([list(x1), list(x2), list(y)])
    result = pls_path_model(data, model)
    r = np.corrcoef(np.array([x1, x2, y]))
    r12, r1y, r2y = r[0, 1], r[0, 2], r[1, 2]
    beta1 = (r1y - r12 * r2y) / (1 - r12**2)
    beta2 = (r2y - r12 * r1y) / (1 - r12**2)
    assert result.path[2, :2] == pytest.approx([beta1, beta2], abs=1e-12)
    assert result.r2["o"] == pytest.approx(beta1 * r1y + beta2 * r2y, abs=1e-12)
    z = (data - data.mean(axis=0)) / data.std(axis=0)
    coef, *_ = np.linalg.lstsq(z[:, :2], z[:, 2], rcond=None)
    assert result.path[2, :2] == pytest.approx(coef, abs=1e-12)


def test_total_effect_adds_the_mediated_path() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=300)
    m = 0.7 * a + rng.normal(size=300)
    o = 0.2 * a + 0.5 * m + rng.normal(size=300)
    data = np.array([a, m, o]).T
    model = PathModel({"a": [0], "m": [1], "o": [2]}, [("a", "m"), ("a", "o"), ("m", "o")])
    result = pls_path_model(data, model)
    b = result.path
    assert result.total_effects()[2, 0] == pytest.approx(b[2, 0] + b[1, 0] * b[2, 1], abs=1e-12)
    by_name = {d.attribute: d for d in drivers(result, "o")}
    assert by_name["a"].direct == pytest.approx(b[2, 0], abs=1e-15)
    assert by_name["m"].total_effect == pytest.approx(b[2, 1], abs=1e-15)
    assert sum(d.importance for d in by_name.values()) == pytest.approx(1.0, abs=1e-12)


def _synthetic(n: int, seed: int) -> tuple[np.ndarray, PathModel]:
    """Latent image, quality -> satisfaction with standardized coefficients 0.3 and 0.6
    (cor(image, quality) = 0.4), three items each with loading 0.95."""
    rng = np.random.default_rng(seed)
    image = rng.normal(size=n)
    quality = 0.4 * image + math.sqrt(1 - 0.16) * rng.normal(size=n)
    explained = 0.3 * image + 0.6 * quality
    sat = explained + math.sqrt(1 - np.var(0.3 * image + 0.6 * quality)) * rng.normal(size=n)
    items = [
        0.95 * lv + math.sqrt(1 - 0.95**2) * rng.normal(size=n)
        for lv in (image, quality, sat)
        for _ in range(3)
    ]
    model = PathModel(
        {"image": [0, 1, 2], "quality": [3, 4, 5], "satisfaction": [6, 7, 8]},
        [("image", "satisfaction"), ("quality", "satisfaction")],
    )
    return np.array(items).T * 2 + 5, model


def test_synthetic_survey_recovers_the_known_coefficients() -> None:
    data, model = _synthetic(20_000, seed=11)
    result = pls_path_model(data, model)
    # composites of 3 items of loading 0.95 attenuate little (reliability 0.98)
    assert result.path[2, :2] == pytest.approx([0.3, 0.6], abs=0.02)
    # an item's loading is its correlation with the composite that holds it: with equal
    # weights (1 + 2 l^2) / sqrt(3 + 6 l^2) = 0.9670 for l = 0.95, not l itself
    composite = (1 + 2 * 0.95**2) / math.sqrt(3 + 6 * 0.95**2)
    assert np.concatenate(result.loadings) == pytest.approx([composite] * 9, abs=0.003)
    assert result.scores.mean(axis=0) == pytest.approx([0, 0, 0], abs=1e-9)
    assert result.scores.std(axis=0) == pytest.approx([1, 1, 1], abs=1e-9)
    coef, *_ = np.linalg.lstsq(result.scores[:, :2], result.scores[:, 2], rcond=None)
    assert result.path[2, :2] == pytest.approx(coef, abs=1e-12)


def test_the_scheme_and_scaling_change_little_on_a_clean_model() -> None:
    data, model = _synthetic(2_000, seed=5)
    base = pls_path_model(data, model).path
    schemes: tuple[Scheme, ...] = ("centroid", "factorial")
    for scheme in schemes:
        other = pls_path_model(data, model, scheme=scheme, scaled=False).path
        assert other == pytest.approx(base, abs=0.01)


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        ([("a", "b"), ("b", "a")], "cycle"),
        ([("a", "z")], "no attribute 'z'"),
        ([("a", "a")], "cannot drive itself"),
    ],
)
def test_bad_models_are_refused(paths: list[tuple[str, str]], message: str) -> None:
    data = np.random.default_rng(1).normal(size=(10, 2))
    with pytest.raises(ValueError, match=message):
        pls_path_model(data, PathModel({"a": [0], "b": [1]}, paths))


def test_an_item_with_one_answer_everywhere_is_refused() -> None:
    data = np.column_stack([np.arange(10.0), np.ones(10)])
    with pytest.raises(ValueError, match="item 1 has the same answer everywhere"):
        pls_path_model(data, PathModel({"a": [0], "b": [1]}, [("a", "b")]))


def _bank(scheme: Scheme, scaled: bool) -> PlsResult:
    with BANK.open() as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in rows[0] if c != "gender"]
    data = np.array([[float(r[c]) for c in columns] for r in rows])
    prefixes = {"IMAG": "imag", "EXPE": "expe", "QUAL": "qual", "VAL": "val", "SAT": "sat"}
    prefixes["LOY"] = "loy"
    blocks = {
        lv: [k for k, c in enumerate(columns) if c.startswith(p)] for lv, p in prefixes.items()
    }
    paths = [("IMAG", "EXPE"), ("IMAG", "SAT"), ("IMAG", "LOY"), ("EXPE", "QUAL")]
    paths += [("EXPE", "VAL"), ("EXPE", "SAT"), ("QUAL", "VAL"), ("QUAL", "SAT")]
    paths += [("VAL", "SAT"), ("SAT", "LOY")]
    return pls_path_model(data, PathModel(blocks, paths), scheme=scheme, scaled=scaled)


@pytest.mark.skipif(not BANK.exists(), reason="the shared bank survey is not on this machine")
def test_bank_survey_matches_plspm_published_results() -> None:
    # R plspm 0.4.x, the `?plspm` satisfaction example: plspm(satisfaction, sat_path,
    # sat_blocks, modes = rep("A", 6), scaled = FALSE), default scheme "centroid". Its output
    # as recorded in GoogleCloudPlatform/plspm-python, tests/data/satisfaction.effects.csv and
    # satisfaction.inner-summary.csv (R^2).
    result = _bank("centroid", scaled=False)
    names = result.names
    direct = {
        ("IMAG", "EXPE"): 0.57895912845279,
        ("EXPE", "QUAL"): 0.8483444083796,
        ("EXPE", "VAL"): 0.105477649519747,
        ("QUAL", "VAL"): 0.676655529105984,
        ("IMAG", "SAT"): 0.200724200280665,
        ("EXPE", "SAT"): -0.00275399457916834,
        ("QUAL", "SAT"): 0.122144565609107,
        ("VAL", "SAT"): 0.589330650016017,
        ("IMAG", "LOY"): 0.275149575748467,
        ("SAT", "LOY"): 0.495479322090817,
    }
    for (source, target), value in direct.items():
        assert result.path[names.index(target), names.index(source)] == pytest.approx(
            value, abs=1e-9
        )
    r2 = {"EXPE": 0.335193672418813, "QUAL": 0.719688235228933, "VAL": 0.59008437279849}
    r2 |= {"SAT": 0.707320949544597, "LOY": 0.509922562050087}
    assert result.r2 == pytest.approx(r2, abs=1e-9)
    total_on_sat = {"IMAG": 0.490971137879492, "EXPE": 0.501325436174541}
    total_on_sat |= {"QUAL": 0.520918408414068, "VAL": 0.589330650016017}
    found = {d.attribute: d.total_effect for d in drivers(result, "SAT")}
    assert found == pytest.approx(total_on_sat, abs=1e-9)


@pytest.mark.skipif(not BANK.exists(), reason="the shared bank survey is not on this machine")
def test_bank_survey_path_scheme_matches_plspm_outer_model() -> None:
    # The same model with scheme = "path" (scaled = FALSE): outer weights and loadings of the
    # IMAG and SAT blocks, plspm-python tests/data/satisfaction.outer-model-path.csv (R output).
    result = _bank("path", scaled=False)
    imag, sat = result.names.index("IMAG"), result.names.index("SAT")
    assert result.weights[imag] == pytest.approx(
        [0.0982374837495072, 0.157615347025361, 0.157340626997026, 0.0765125291238404,
         0.183702432801162],
        abs=1e-9,
    )  # fmt: skip
    assert result.loadings[imag] == pytest.approx(
        [0.70955076789416, 0.877671629024529, 0.842359193682084, 0.569354023449058,
         0.777662796725605],
        abs=1e-9,
    )  # fmt: skip
    assert result.loadings[sat] == pytest.approx(
        [0.920289506434007, 0.913547232451711, 0.824709653947123, 0.82088699490331], abs=1e-9
    )


@pytest.mark.skipif(not BANK.exists(), reason="the shared bank survey is not on this machine")
def test_bank_survey_drivers_with_the_default_model() -> None:
    # path scheme, standardized items (what `carecenter voc drivers` does by default)
    found = drivers(_bank("path", scaled=True), "SAT")
    assert [d.attribute for d in found] == ["VAL", "QUAL", "EXPE", "IMAG"]
    assert [round(d.importance, 4) for d in found] == [0.2773, 0.2488, 0.2470, 0.2269]
    assert sum(d.importance for d in found) == pytest.approx(1.0, abs=1e-12)
