"""Every layer kind is its spec plus its model: the command line, directives, ``repr`` and the
PyTorch cross-check read the spec, so each kind (Conv1d, grouped convolutions…) is checked here
without a test of its own."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symproof import Sequential
from symproof.claims.check import check_text
from symproof.cli import main
from symproof.errors import ParameterError, ShapeError
from symproof.layers import Conv1d, Conv2d, ConvTranspose2d, models, specs
from symproof.proof import Status

KINDS = sorted(specs())


@st.composite
def configurations(draw, word: str):
    """A layer of kind ``word`` with random arguments drawn field by field from its spec,
    and a random input for it."""
    model = models()[word]
    spec = model.spec
    axes = len(spec.axes)
    groups = draw(st.integers(1, 3)) if spec.has("groups") else 1
    arguments = {}
    for field in spec.fields:
        if field.kind == "flag":
            arguments[field.name] = draw(st.booleans())
        elif field.kind == "size":
            if field.name == "groups":
                arguments[field.name] = groups
            else:
                arguments[field.name] = draw(st.integers(1, 3)) * groups
        elif field.same_as and draw(st.booleans()):
            continue  # the default: the kernel size
        else:
            low = 0 if field.kind == "offset" else 1
            values = tuple(draw(st.integers(low, 3)) for _ in range(axes))
            arguments[field.name] = values if axes > 1 else values[0]
    try:
        layer = model(**arguments)
    except ParameterError:
        assume(False)
    channels = getattr(layer, spec.channels) if spec.channels else draw(st.integers(1, 3))
    sizes = tuple(draw(st.integers(1, 9)) for _ in range(axes))
    batch = draw(st.sampled_from([(), (2,)]))
    shape = (*batch, int(channels), *sizes)
    try:
        out = layer.output_shape(*shape)
    except (ParameterError, ShapeError):
        assume(False)
    return layer, shape, out, draw(st.integers(0, 2**32 - 1))


@pytest.mark.torch
@pytest.mark.parametrize("word", KINDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_kind_matches_torch(torch, word, data):
    from symproof.crosscheck import torch_evaluate, torch_layer

    layer, shape, out, seed = data.draw(configurations(word))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    module = torch_layer(layer)
    parameters = [rng.standard_normal(tuple(getattr(module, name).shape))
                  for name in ("weight", "bias") if getattr(module, name, None) is not None]
    reference = torch_evaluate(layer, x, *parameters)
    ours = layer.evaluate(x, *parameters)
    assert tuple(out) == reference.shape == ours.shape
    np.testing.assert_allclose(ours, reference, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("word", KINDS)
def test_every_kind_is_on_the_command_line(word, capsys):
    spec = specs()[word]
    argv = ["layer", word]
    for field in spec.fields:
        if field.required and not field.text_default:
            argv += [field.option, "3"]
    assert main(argv) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"layer         {spec.name}(")
    if spec.size_rule is not None:
        assert main(["shape", word, "--input", "9", "--kernel-size", "2"]) == 0
        assert "output" in capsys.readouterr().out


@pytest.mark.parametrize("word", KINDS)
def test_repr_rebuilds_an_equal_layer(word):
    """``repr`` is a constructor call: evaluated in the namespace of symproof's layers, it
    builds an equal layer (test-side only: symproof itself never evaluates text)."""
    model = models()[word]
    arguments = {f.name: 3 for f in model.spec.fields if f.required}
    layer = model(**arguments)
    namespace = {m.__name__: m for m in models().values()}
    assert eval(repr(layer), namespace) == layer  # noqa: S307 - our own repr, in a test


def test_groups_must_divide_the_channels():
    with pytest.raises(ParameterError, match="groups must divide in_channels = 3"):
        Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ParameterError, match="out_channels = 3"):
        ConvTranspose2d(4, 3, 3, groups=2)
    c = sp.Symbol("c", integer=True, positive=True)
    depthwise = Conv2d(c, c, 3, groups=c, bias=False)  # G = C_in symbolically: fine
    assert depthwise.element(2, 1, 1).has(sp.Indexed(sp.IndexedBase("X"), 2, 1, 1).base)
    with pytest.raises(ParameterError, match="groups"):
        Conv2d(c, 4, 3, groups=2)  # 2 | c is not known


def test_grouped_element_formula_is_evaluate_exactly():
    """The grouped element formula, evaluated exactly entry by entry, is ``evaluate``."""
    from symproof import notation as nt
    from symproof.numeric import exact_value

    rng = np.random.default_rng(1)
    layer = Conv2d(4, 6, (2, 3), stride=(1, 2), padding=1, groups=2)
    x = rng.integers(-4, 5, (4, 5, 6))
    weight = rng.integers(-4, 5, (6, 2, 2, 3))
    bias = rng.integers(-4, 5, 6)
    fast = layer.evaluate(x, weight, bias)
    for l_, i_, j_ in np.ndindex(*fast.shape):
        formula = layer.element(l_ + 1, i_ + 1, j_ + 1, input_size=(5, 6))
        value = exact_value(formula, {nt.X: x, nt.w: weight, nt.b: bias})
        assert int(value) == fast[l_, i_, j_]


def test_grouped_transposed_element_formula_is_evaluate_exactly():
    from symproof import notation as nt
    from symproof.numeric import exact_value

    rng = np.random.default_rng(2)
    layer = ConvTranspose2d(4, 2, 2, stride=2, groups=2, bias=False)
    x = rng.integers(-4, 5, (4, 3, 2))
    weight = rng.integers(-4, 5, (4, 1, 2, 2))
    fast = layer.evaluate(x, weight)
    for l_, i_, j_ in np.ndindex(*fast.shape):
        formula = layer.element(l_ + 1, i_ + 1, j_ + 1, input_size=(3, 2))
        value = exact_value(formula.doit(), {nt.X: x, nt.w: weight})
        assert int(value) == fast[l_, i_, j_]


def test_conv1d_element_formula_is_evaluate_exactly():
    from symproof import notation as nt
    from symproof.numeric import exact_value

    rng = np.random.default_rng(3)
    layer = Conv1d(2, 2, 3, stride=2, padding=2, dilation=2, groups=2)
    x = rng.integers(-4, 5, (2, 9))
    weight = rng.integers(-4, 5, (2, 1, 3))
    bias = rng.integers(-4, 5, 2)
    fast = layer.evaluate(x, weight, bias)
    for l_, i_ in np.ndindex(*fast.shape):
        formula = layer.element(l_ + 1, i_ + 1, input_size=9)
        assert int(exact_value(formula, {nt.X: x, nt.w: weight, nt.b: bias})) == fast[l_, i_]


def test_conv1d_in_a_directive_is_judged():
    document = "\n".join([
        "%! symproof conv1d in_channels=1 out_channels=1 kernel_size=3 padding=1 input=10",
        r"\[ Y_{1,i} = b_1 + \sum_{\alpha=1}^{3} w_{1,1,\alpha} X_{1,i+\alpha-2} \]",
        r"\[ Y_{1,i} = b_1 + \sum_{\alpha=1}^{3} w_{1,1,\alpha} X_{1,i+\alpha-1} \]",
        r"\[ L_{\text{out}} = 10 \]",
        r"\[ L_{\text{out}} = 8 \]",
    ])
    verdicts, _ = check_text(document)
    assert [v.label for v in verdicts] == ["PROVED", "REFUTED", "PROVED", "REFUTED"], [
        (v.label, v.reason) for v in verdicts]


def test_grouped_conv_in_a_directive_is_judged():
    document = "\n".join([
        "%! symproof conv2d in_channels=4 out_channels=4 groups=4 kernel_size=3 bias=false",
        r"\[ Y_{l,i,j} = \sum_{\alpha=1}^{3} \sum_{\beta=1}^{3} w_{l,1,\alpha,\beta} "
        r"X_{l,i+\alpha-1,j+\beta-1} \]",
        r"\[ Y_{l,i,j} = \sum_{\gamma=1}^{4} \sum_{\alpha=1}^{3} \sum_{\beta=1}^{3} "
        r"w_{l,\gamma,\alpha,\beta} X_{\gamma,i+\alpha-1,j+\beta-1} \]",
    ])
    verdicts, _ = check_text(document)
    assert verdicts[0].status is Status.PROVED, verdicts[0].reason
    assert verdicts[1].status is not Status.PROVED, verdicts[1].reason


def test_input_sizes_read_the_same_on_the_command_line_and_in_directives(capsys):
    assert main(["layer", "avgpool2d", "--kernel-size", "k", "--input", "mxm"]) == 0
    assert "output shape  (C, floor(m/k), floor(m/k))" in capsys.readouterr().out
    document = "%! symproof avgpool2d kernel_size=k input=mxm\n\\[ W_{out} = m \\]\n"
    verdicts, contexts = check_text(document)
    assert contexts[-1][1].values["W_in"] == sp.Symbol("m", integer=True, positive=True)


def test_sequential_chains_conv1d():
    net = Sequential(Conv1d(1, 4, 3, padding=1), Conv1d(4, 4, 3, stride=2, groups=4))
    assert net.output_shape(1, 20) == (4, 9)


@pytest.fixture
def new_kind():
    """A layer kind added the way the README says: a model with a spec, nothing else. Here a
    convolution that PyTorch would build as Conv2d(…, padding_mode="zeros"), under its own
    word; removed from the registry afterwards."""
    from dataclasses import replace

    from symproof.layers import spec as spec_module

    class ZeroPaddedConv2d(Conv2d):
        spec = replace(Conv2d.spec, name="ZeroPaddedConv2d", word="zeropaddedconv2d",
                       summary="a convolution under another name")

    yield ZeroPaddedConv2d
    spec_module._SPECS.pop("zeropaddedconv2d", None)


def test_a_new_kind_is_one_spec_and_its_model(new_kind, capsys):
    """Registered by its class alone, the new kind is in the layer and shape commands, in
    directives, in repr and in Sequential/receptive_field, with no other file edited."""
    from symproof import receptive_field

    assert "zeropaddedconv2d" in specs()
    assert main(["layer", "zeropaddedconv2d", "--kernel-size", "3", "--padding", "1",
                 "--input", "5x5"]) == 0
    shown = capsys.readouterr().out
    assert "ZeroPaddedConv2d(1, 1, kernel_size=3, padding=1)" in shown
    assert "output shape  (1, 5, 5)" in shown
    assert main(["shape", "zeropaddedconv2d", "--input", "5", "--kernel-size", "3"]) == 0
    assert "output    3" in capsys.readouterr().out
    document = ("%! symproof zeropaddedconv2d kernel_size=3 padding=1 input=5x5\n"
                "\\[ W_{\\text{out}} = 5 \\]\n\\[ W_{\\text{out}} = 3 \\]\n")
    verdicts, _ = check_text(document)
    assert [v.label for v in verdicts] == ["PROVED", "REFUTED"]
    net = Sequential(new_kind(1, 2, 3, padding=1), new_kind(2, 2, 3, stride=2))
    assert net.output_shape(1, 9, 9) == (2, 4, 4)
    assert repr(receptive_field(net)) == "size 5, jump 2, start 2*i - 2"
