"""nnloop geometry: the closed-form 2x2 SVD, the six stages, and their picture."""
import json
import os
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings, strategies as st

from nnloop.layers.activations import ACTIVATIONS
from nnloop.tools import geometry
from nnloop.tools.geometry import grid_points, stages, svd2, times

from conftest import ROOT, assert_refused, run_nnloop

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE = 1e-12
KEYS = ["input", "VT", "S", "U", "B", "H"]

coordinates = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
vectors = st.lists(coordinates, min_size=2, max_size=2)


def det(M):
    return M[0][0] * M[1][1] - M[0][1] * M[1][0]


@st.composite
def matrices(draw):
    """A 2x2 W: any, or with det W < 0, or of rank 1 (a zero singular value), or 0."""
    kind = draw(st.sampled_from(["any", "reflecting", "rank 1", "zero"]))
    if kind == "zero":
        return [[0.0, 0.0], [0.0, 0.0]]
    if kind == "rank 1":  # W = u v^T squashes the plane onto the line through u
        u, v = draw(vectors), draw(vectors)
        return [[u[0] * v[0], u[0] * v[1]], [u[1] * v[0], u[1] * v[1]]]
    W = [draw(vectors), draw(vectors)]
    if kind == "reflecting" and det(W) > 0:
        W = [W[1], W[0]]  # swapping the rows flips the sign of det W
    return W


def assert_close(p, q):
    assert all(abs(a - b) <= TOLERANCE for a, b in zip(p, q)), (p, q)


def assert_orthogonal(Q):
    """Q^T Q = I: Q turns or mirrors the plane without stretching it."""
    for r in range(2):
        for c in range(2):
            assert abs(Q[0][r] * Q[0][c] + Q[1][r] * Q[1][c] - (r == c)) <= TOLERANCE, Q


@settings(max_examples=300, deadline=None)
@given(matrices(), vectors, st.lists(vectors, min_size=1, max_size=5))
def test_the_four_moves_compose_to_W_H0_plus_B(W, B, points):
    U, s, VT = svd2(W)
    assert_orthogonal(U)
    assert_orthogonal(VT)
    assert s[0] >= s[1] >= 0
    if abs(det(W)) > 1e-6:  # U and V^T between them carry the sign of det W
        assert (det(U) * det(VT) < 0) == (det(W) < 0)
    for n, stage in enumerate(stages(W, B, points)):
        assert stage.key == KEYS[n] and len(stage.points) == len(points)
    by_key = {stage.key: stage.points for stage in stages(W, B, points)}
    for point, WH0, A, H in zip(points, by_key["U"], by_key["B"], by_key["H"]):
        assert_close(WH0, times(W, point))
        assert_close(A, [WH0[0] + B[0], WH0[1] + B[1]])
        assert H == [max(a, 0.0) for a in A]  # relu unless told otherwise


def test_a_zero_singular_value_and_a_reflection_in_closed_form():
    U, s, VT = svd2([[1.0, 2.0], [2.0, 4.0]])  # rank 1: row 2 is twice row 1
    assert abs(s[0] - 5.0) <= TOLERANCE and abs(s[1]) <= TOLERANCE
    U, s, VT = svd2([[0.0, 1.0], [1.0, 0.0]])  # swaps the axes: a reflection, nothing stretched
    assert_close(s, [1.0, 1.0])
    assert det(U) * det(VT) < 0
    assert geometry.turn_text([[1.0, 0.0], [0.0, -1.0]]) == "reflection in the line at 0.00 degrees"
    assert svd2([[0.0, 0.0], [0.0, 0.0]])[1] == [0.0, 0.0]


def test_relu_leaves_only_the_first_quadrant():
    H = stages([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0], grid_points(5))[-1].points
    assert all(x >= 0 and y >= 0 for x, y in H)
    assert [0.0, 0.0] in H and [1.0, 1.0] in H and [0.0, 1.0] in H


def panels_of(path):
    root = ET.parse(path).getroot()
    assert root.tag == SVG + "svg"
    return {g.get("id"): g for g in root.iter(SVG + "g") if g.get("class") == "panel"}


def texts(element):
    return ["".join(t.itertext()) for t in element.iter(SVG + "text")]


def test_the_picture_has_a_labelled_panel_per_stage(tmp_path):
    path = tmp_path / "layer.svg"
    result = run_nnloop("geometry", "--W", "1,2,-1.5,0.5", "--B", "0.5,-0.25", "-o", path)
    assert result.returncode == 0, result.stderr
    assert f"wrote {path}" in result.stdout and "V^T = " in result.stdout
    panels = panels_of(path)
    assert list(panels) == [f"stage-{key}" for key in KEYS]
    for panel in panels.values():
        assert len([c for c in panel.iter(SVG + "circle") if c.get("class") == "point"]) == 121  # 11 x 11 grid
        assert [r for r in panel.iter(SVG + "rect") if r.get("class") == "range"]
        assert [g for g in panel.iter(SVG + "g") if g.get("class") == "axes"]
    U, s, VT = svd2([[1.0, 2.0], [-1.5, 0.5]])
    assert f"V^T = {geometry.matrix_text(VT)}" in texts(panels["stage-VT"])
    assert f"S = diag({s[0]:.2f}, {s[1]:.2f})" in texts(panels["stage-S"])
    assert f"U = {geometry.matrix_text(U)}" in texts(panels["stage-U"])
    assert "B = [0.50, -0.25]" in texts(panels["stage-B"])
    assert "the input H[0]" in texts(panels["stage-input"]) and "A = W H[0] + B" in texts(panels["stage-B"])
    assert "H = relu(A)" in texts(panels["stage-H"])


def test_a_spec_file_a_seed_and_a_sample_of_points(tmp_path):
    spec = tmp_path / "layer.json"
    spec.write_text(json.dumps({"W": [[0, 1], [1, 0]], "B": [1, -1]}))
    assert run_nnloop("geometry", "--spec", spec, "-o", tmp_path / "spec.svg").returncode == 0
    assert "B = [1.00, -1.00]" in texts(panels_of(tmp_path / "spec.svg")["stage-B"])
    xor = os.path.join(ROOT, "data", "examples", "xor.json")  # a network spec: its layer 1 is 2 -> 2
    assert run_nnloop("geometry", "--spec", xor, "-o", tmp_path / "xor.svg").returncode == 0
    assert "B = [-1.00, 3.00]" in texts(panels_of(tmp_path / "xor.svg")["stage-B"])

    for name in ("a.svg", "b.svg"):
        result = run_nnloop("geometry", "--seed", "3", "--points", "sample", "-o", tmp_path / name)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.svg").read_text() == (tmp_path / "b.svg").read_text()  # the seed decides all
    sample = panels_of(tmp_path / "a.svg")["stage-input"]
    assert len([c for c in sample.iter(SVG + "circle") if c.get("class") == "point"]) == 200
    assert run_nnloop("geometry", "--seed", "4", "-o", tmp_path / "c.svg").returncode == 0
    assert (tmp_path / "c.svg").read_text() != (tmp_path / "a.svg").read_text()


def spec_with_layer_1(activation):
    """A network spec whose layer 1 goes from 2 nodes to 2 with the given activation."""
    layers = [{"activation": activation, "W": [[1.0, -2.0], [0.5, 1.5]], "B": [0.25, -0.5]}]
    if activation != "softmax":  # softmax is for the output layer only
        layers.append({"activation": "identity", "W": [[1.0, 1.0]], "B": [0.0]})
    loss, t = ("cross_entropy", [1.0, 0.0]) if activation == "softmax" else ("mse", [1.0])
    return {"format": "nnloop-spec", "version": 1, "loss": loss, "layers": layers, "x": [1.0, 1.0], "t": t}


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity", "softmax"])
def test_the_picture_applies_the_spec_s_own_activation(tmp_path, activation):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(spec_with_layer_1(activation)))
    result = run_nnloop("geometry", "--spec", spec, "-o", tmp_path / "layer.svg")
    assert result.returncode == 0, result.stderr
    assert f"then {activation}" in result.stdout
    panels = panels_of(tmp_path / "layer.svg")
    assert f"H = {activation}(A)" in texts(panels["stage-H"])
    W, B = [[1.0, -2.0], [0.5, 1.5]], [0.25, -0.5]
    A_stage, H_stage = stages(W, B, grid_points(), activation)[-2:]
    f = ACTIVATIONS[activation]
    for a, h in zip(A_stage.points, H_stage.points):
        expected = [0.0, 0.0]
        f.forward(a, expected)
        assert h == expected
    if activation == "softmax":
        assert all(abs(x + y - 1.0) < 1e-12 for x, y in H_stage.points)


def test_xor_by_name_is_drawn_with_its_tanh(tmp_path):
    result = run_nnloop("geometry", "--spec", "xor", "-o", tmp_path / "xor.svg")
    assert result.returncode == 0, result.stderr
    assert "then tanh" in result.stdout
    assert "H = tanh(A)" in texts(panels_of(tmp_path / "xor.svg")["stage-H"])
    assert_refused(run_nnloop("geometry", "--spec", "xor", "--activation", "relu", "-o", tmp_path / "x.svg"),
                   "says layer 1 is tanh, not relu", "drop --activation")
    result = run_nnloop("geometry", "--W", "1,0,0,1", "--activation", "sigmoid", "-o", tmp_path / "s.svg")
    assert result.returncode == 0 and "then sigmoid" in result.stdout


def test_bad_layers_are_refused_in_one_line(tmp_path):
    assert_refused(run_nnloop("geometry", "--W", "1,2,3"), "--W", "4 numbers")
    assert_refused(run_nnloop("geometry", "--W", "1,2,3,nan"), "--W", "4 numbers")
    assert_refused(run_nnloop("geometry", "--B", "1"), "--B", "2 numbers")
    assert_refused(run_nnloop("geometry", "--spec", tmp_path / "none.json"), "no layer file")
    spec = tmp_path / "layer.json"
    spec.write_text(json.dumps({"W": [[1, 2], [3]], "B": [0, 0]}))
    assert_refused(run_nnloop("geometry", "--spec", spec), str(spec), "2x2")
    assert_refused(run_nnloop("geometry", "--spec", os.path.join(ROOT, "data", "examples", "worked-relu.json")),
                   "is a 3-2-1 network", "layer 1 to go from 2 nodes to 2")
    spec.write_text("{not json")
    assert_refused(run_nnloop("geometry", "--spec", spec), "is not valid JSON", "write it like")
    assert_refused(run_nnloop("geometry", "--spec", spec, "--W", "1,2,3,4"), "not both")
    (tmp_path / "afile").write_text("in the way of a directory")
    assert_refused(run_nnloop("geometry", "-o", tmp_path / "afile" / "dir.svg"), "cannot create the directory")
    assert_refused(run_nnloop("geometry", "--W", "1e308,1e308,1e308,1e308"), "1e+06", "smaller numbers")
    assert_refused(run_nnloop("geometry", "--B", "0,-2e6"), "1e+06")


def test_the_old_spelling_b_of_the_biases_still_reads(tmp_path):
    """Before the picture said B, as the notation does, the option was --b and a layer file's key "b"."""
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"W": [[0, 1], [1, 0]], "b": [1, -1]}))
    assert run_nnloop("geometry", "--spec", old, "-o", tmp_path / "old.svg").returncode == 0
    assert run_nnloop("geometry", "--W", "0,1,1,0", "--b", "1,-1", "-o", tmp_path / "option.svg").returncode == 0
    for name in ("old.svg", "option.svg"):
        assert "B = [1.00, -1.00]" in texts(panels_of(tmp_path / name)["stage-B"])
